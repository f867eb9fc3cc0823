/**
 * Frame helpers: create, read and write pixels, compare, validate, and pack a canvas's RGBA pixels
 * into one bit per pixel.
 */
import { displayErrors } from './errors.ts';
import { FRAME_BYTES, FRAME_HEIGHT, FRAME_STRIDE, FRAME_WIDTH, type Frame } from './port.ts';

/**
 * Grey level below which a canvas pixel becomes ink. Anti-aliased text thresholded at the middle
 * (128) loses thin strokes; at ~200 the strokes keep their weight (field notes, "E-paper").
 */
export const INK_THRESHOLD = 200;

/** A blank (all white) frame, or one over `bits` (copied). */
export function createFrame(bits?: Uint8Array): Frame {
  const frame: Frame = { width: FRAME_WIDTH, height: FRAME_HEIGHT, bits: new Uint8Array(FRAME_BYTES) };
  if (bits !== undefined) frame.bits.set(bits);
  return frame;
}

/** True when pixel (x, y) is ink. Coordinates outside the frame read as paper. */
export function isInk(frame: Frame, x: number, y: number): boolean {
  if (x < 0 || y < 0 || x >= FRAME_WIDTH || y >= FRAME_HEIGHT) return false;
  return (frame.bits[y * FRAME_STRIDE + (x >> 3)]! & (0x80 >> (x & 7))) !== 0;
}

/** Make pixel (x, y) ink (`true`) or paper; outside the frame, nothing happens. */
export function setInk(frame: Frame, x: number, y: number, ink: boolean): void {
  if (x < 0 || y < 0 || x >= FRAME_WIDTH || y >= FRAME_HEIGHT) return;
  const i = y * FRAME_STRIDE + (x >> 3);
  const mask = 0x80 >> (x & 7);
  frame.bits[i] = ink ? frame.bits[i]! | mask : frame.bits[i]! & ~mask;
}

/** How many pixels differ between two frames. */
export function countDifferentPixels(a: Frame, b: Frame): number {
  let count = 0;
  for (let i = 0; i < FRAME_BYTES; i++) {
    let diff = a.bits[i]! ^ b.bits[i]!;
    while (diff !== 0) {
      diff &= diff - 1;
      count++;
    }
  }
  return count;
}

/** Throws BOX_DISPLAY_FRAME_INVALID unless `frame` is a 250×122 frame of 3,904 bytes. */
export function assertValidFrame(frame: Frame): void {
  const ok =
    typeof frame === 'object' &&
    frame !== null &&
    frame.width === FRAME_WIDTH &&
    frame.height === FRAME_HEIGHT &&
    frame.bits instanceof Uint8Array &&
    frame.bits.length === FRAME_BYTES;
  if (!ok) {
    throw displayErrors.create('BOX_DISPLAY_FRAME_INVALID', {
      message: `A frame must be ${FRAME_WIDTH}×${FRAME_HEIGHT} with ${FRAME_BYTES} bytes`,
      details: { width: frame?.width, height: frame?.height, bytes: frame?.bits?.length },
    });
  }
}

/**
 * Pack a 250×122 RGBA buffer (a canvas's `getImageData().data`) into a frame: a pixel whose grey
 * level (ITU-R BT.601 luma, alpha ignored) is below {@link INK_THRESHOLD} becomes ink.
 * `invert` lists rectangles whose result is inverted (white on black), so that light text on a
 * dark band is drawn dark on light first and keeps the stroke weight the threshold gives it.
 */
export function packRgba(rgba: Uint8Array | Uint8ClampedArray, invert: readonly Rect[] = []): Frame {
  const frame = createFrame();
  const bits = frame.bits;
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    const row = y * FRAME_STRIDE;
    for (let x = 0; x < FRAME_WIDTH; x++) {
      const p = (y * FRAME_WIDTH + x) * 4;
      // 299/587/114 per mille: BT.601 weights, integer arithmetic.
      const grey = (rgba[p]! * 299 + rgba[p + 1]! * 587 + rgba[p + 2]! * 114) / 1000;
      if (grey < INK_THRESHOLD) bits[row + (x >> 3)] = bits[row + (x >> 3)]! | (0x80 >> (x & 7));
    }
  }
  for (const r of invert) {
    for (let y = Math.max(0, r.y); y < Math.min(FRAME_HEIGHT, r.y + r.height); y++) {
      for (let x = Math.max(0, r.x); x < Math.min(FRAME_WIDTH, r.x + r.width); x++) {
        bits[y * FRAME_STRIDE + (x >> 3)] = bits[y * FRAME_STRIDE + (x >> 3)]! ^ (0x80 >> (x & 7));
      }
    }
  }
  return frame;
}

/** An axis-aligned rectangle in frame pixels. */
export interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}
