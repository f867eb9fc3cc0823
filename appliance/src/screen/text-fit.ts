/**
 * Making text fit the 250-pixel-wide screen: the largest size that fits, wrapped on words into a
 * few lines, and an ellipsis as the last resort (a contact's name can be very long).
 */
import { screenFont } from './fonts.ts';

/** What fitting needs from a canvas context. */
export interface TextMeasurer {
  font: string;
  measureText(text: string): { width: number };
}

/** How a piece of text may be drawn. */
export interface TextStyle {
  readonly weight: 'bold' | 'normal';
  /** Preferred size in pixels. */
  readonly size: number;
  /** Smallest acceptable size (default: `size`, i.e. never shrink). */
  readonly minSize?: number;
  /** Most lines allowed (default 1). */
  readonly maxLines?: number;
}

/** The result of fitting: the size chosen and the lines to draw. */
export interface FittedText {
  readonly size: number;
  readonly font: string;
  readonly lines: readonly string[];
  /** True when even the smallest size did not fit and the text was cut with an ellipsis. */
  readonly truncated: boolean;
}

const ELLIPSIS = '…';

/** Greedy word wrap at `maxWidth` with the context's current font; a word wider than a line stays whole. */
export function wrapWords(ctx: TextMeasurer, text: string, maxWidth: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ').filter((w) => w.length > 0)) {
    const candidate = line === '' ? word : `${line} ${word}`;
    if (line !== '' && ctx.measureText(candidate).width > maxWidth) {
      lines.push(line);
      line = word;
    } else {
      line = candidate;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

/** Cut `text` and add an ellipsis so that it fits `maxWidth` with the context's current font. */
export function truncateToWidth(ctx: TextMeasurer, text: string, maxWidth: number): string {
  if (ctx.measureText(text).width <= maxWidth) return text;
  let keep = text.length;
  while (keep > 0 && ctx.measureText(text.slice(0, keep).trimEnd() + ELLIPSIS).width > maxWidth) keep--;
  return text.slice(0, keep).trimEnd() + ELLIPSIS;
}

/**
 * The largest size from `style.size` down to `style.minSize` (1-pixel steps) at which `text`,
 * wrapped on words, takes at most `style.maxLines` lines each no wider than `maxWidth`. When none
 * does, the smallest size is used and the text is cut with an ellipsis. Leaves `ctx.font` set.
 */
export function fitText(ctx: TextMeasurer, text: string, maxWidth: number, style: TextStyle): FittedText {
  const maxLines = style.maxLines ?? 1;
  const minSize = Math.min(style.minSize ?? style.size, style.size);
  for (let size = style.size; size >= minSize; size--) {
    ctx.font = screenFont(size, style.weight);
    const lines = maxLines === 1 ? [text] : wrapWords(ctx, text, maxWidth);
    if (lines.length <= maxLines && lines.every((l) => ctx.measureText(l).width <= maxWidth)) {
      return { size, font: ctx.font, lines, truncated: false };
    }
  }
  ctx.font = screenFont(minSize, style.weight);
  const wrapped = maxLines === 1 ? [text] : wrapWords(ctx, text, maxWidth);
  const kept = wrapped.slice(0, maxLines);
  const last = kept.length - 1;
  // The last kept line carries what did not fit, then is cut; earlier lines are cut only if one word is too wide.
  kept[last] = wrapped.slice(last).join(' ');
  const lines = kept.map((l) => truncateToWidth(ctx, l, maxWidth));
  return { size: minSize, font: ctx.font, lines, truncated: true };
}
