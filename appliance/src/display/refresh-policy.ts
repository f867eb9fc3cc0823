/**
 * When the e-paper panel gets a full refresh and when a partial one.
 *
 * A full refresh (display mode 1) drives every pixel black then white: the screen flashes for about
 * two seconds, and it leaves no trace of the previous picture. A partial refresh (display mode 2)
 * changes only the pixels that differ, in about half a second, without flashing, but each one
 * leaves a faint ghost; Waveshare warns that a panel refreshed only partially for too long is
 * damaged, and asks for a full refresh after several partial ones.
 *
 * So: a new screen (a change spread over the screen: another title) gets a full refresh; a change
 * confined to a small area gets a partial one: the seconds of an alert's cancel countdown, the
 * minutes of the clock on the all-is-well screen. Every `maxPartialRefreshes`-th small change gets a
 * full refresh anyway to clear the ghosts.
 */
import type { Rect } from './frame.ts';
import { FRAME_HEIGHT, FRAME_STRIDE, FRAME_WIDTH, type Frame } from './port.ts';

/** What to do with a new frame. `none`: it is what the glass already shows. */
export type RefreshKind = 'full' | 'partial' | 'none';

/** Tuning of {@link chooseRefresh}. */
export interface RefreshPolicy {
  /**
   * Partial refreshes in a row before a full one is forced (default 20): a clock ticking every
   * minute gets a full refresh every 20 minutes; a 20-second countdown runs without a flash.
   */
  readonly maxPartialRefreshes: number;
  /**
   * Largest area changed by a partial refresh, as a fraction of the screen (default 0.25): the
   * bounding box of the changed pixels. The countdown's box is about 0.2 of the screen.
   */
  readonly maxPartialArea: number;
}

export const DEFAULT_REFRESH_POLICY: RefreshPolicy = { maxPartialRefreshes: 20, maxPartialArea: 0.25 };

/** The smallest rectangle holding every pixel that differs between `a` and `b`; null when none does. */
export function changedBounds(a: Frame, b: Frame): Rect | null {
  let top = -1;
  let bottom = -1;
  let left = FRAME_WIDTH;
  let right = -1;
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    for (let i = 0; i < FRAME_STRIDE; i++) {
      const diff = a.bits[y * FRAME_STRIDE + i]! ^ b.bits[y * FRAME_STRIDE + i]!;
      if (diff === 0) continue;
      if (top < 0) top = y;
      bottom = y;
      // Math.clz32 counts from bit 31: the byte's most significant bit (pixel 8i) is bit 7.
      left = Math.min(left, i * 8 + Math.clz32(diff) - 24);
      right = Math.max(right, i * 8 + 7 - Math.log2(diff & -diff));
    }
  }
  return top < 0 ? null : { x: left, y: top, width: right - left + 1, height: bottom - top + 1 };
}

/**
 * Choose the refresh for `next`, given what the glass shows (`onGlass`, null when unknown: after
 * start, or after an error) and how many partial refreshes happened since the last full one.
 */
export function chooseRefresh(onGlass: Frame | null, next: Frame, partialsInARow: number, policy: RefreshPolicy = DEFAULT_REFRESH_POLICY): RefreshKind {
  if (onGlass === null) return 'full';
  const changed = changedBounds(onGlass, next);
  if (changed === null) return 'none';
  if (partialsInARow >= policy.maxPartialRefreshes) return 'full';
  const area = (changed.width * changed.height) / (FRAME_WIDTH * FRAME_HEIGHT);
  return area <= policy.maxPartialArea ? 'partial' : 'full';
}
