/**
 * Drawing on the 250×122 screen: text fitted to its box, bands of inverted (white on black) text,
 * a few icons drawn as shapes (never glyphs: every glyph must come from the bundled font), and the
 * final packing to a 1-bit frame.
 */
import { createCanvas, type SKRSContext2D } from '@napi-rs/canvas';
import { ensureScreenFonts } from './fonts.ts';
import { packRgba, type Rect } from '../display/frame.ts';
import { FRAME_HEIGHT, FRAME_WIDTH, type Frame } from '../display/port.ts';
import { fitText, type FittedText, type TextStyle } from './text-fit.ts';

/** Where and how a block of text goes. */
export interface TextBox extends TextStyle {
  /** Left edge (align left), centre (align center) or right edge (align right). */
  readonly x: number;
  /** Baseline of the first line. */
  readonly y: number;
  readonly maxWidth: number;
  readonly align?: 'left' | 'center' | 'right';
  /** Distance between baselines, as a multiple of the chosen size (default 1.2). */
  readonly lineHeight?: number;
}

/** What was drawn: the fitted text, and the baseline of its last line. */
export interface DrawnText extends FittedText {
  readonly lastBaseline: number;
}

/** A canvas the size of the screen, black ink on white paper. */
export class ScreenPainter {
  readonly ctx: SKRSContext2D;
  readonly #inverted: Rect[] = [];

  constructor() {
    ensureScreenFonts();
    const canvas = createCanvas(FRAME_WIDTH, FRAME_HEIGHT);
    this.ctx = canvas.getContext('2d');
    this.ctx.fillStyle = '#ffffff';
    this.ctx.fillRect(0, 0, FRAME_WIDTH, FRAME_HEIGHT);
    this.ctx.fillStyle = '#000000';
    this.ctx.strokeStyle = '#000000';
    this.ctx.textBaseline = 'alphabetic';
  }

  /** Draw text fitted into `box` (shrunk, wrapped, then cut as its style allows). */
  text(content: string, box: TextBox): DrawnText {
    return this.drawFitted(this.fit(content, box), box);
  }

  /** Fit without drawing: to place a block by the number of lines it takes. */
  fit(content: string, style: TextStyle & { readonly maxWidth: number }): FittedText {
    return fitText(this.ctx, content, style.maxWidth, style);
  }

  /** Draw text fitted by {@link fit} at `box` (its style fields are ignored). */
  drawFitted(fitted: FittedText, box: Pick<TextBox, 'x' | 'y' | 'align' | 'lineHeight'>): DrawnText {
    this.ctx.font = fitted.font;
    this.ctx.textAlign = box.align ?? 'left';
    const step = Math.round(fitted.size * (box.lineHeight ?? 1.2));
    fitted.lines.forEach((line, i) => this.ctx.fillText(line, box.x, box.y + i * step));
    return { ...fitted, lastBaseline: box.y + (fitted.lines.length - 1) * step };
  }

  /** Width of `content` in the given style (no fitting). */
  measure(content: string, size: number, weight: 'bold' | 'normal'): number {
    fitText(this.ctx, '', 1, { size, weight });
    return this.ctx.measureText(content).width;
  }

  /**
   * Make a rectangle white on black. Draw its content as usual (black on white) before or after:
   * the inversion happens when packing, after the ink threshold, so light strokes keep the weight
   * dark ones get.
   */
  invert(rect: Rect): void {
    this.#inverted.push(rect);
  }

  fillRect(x: number, y: number, width: number, height: number): void {
    this.ctx.fillRect(x, y, width, height);
  }

  /** A rectangle outline whose stroke lies inside the given bounds. */
  strokeRect(x: number, y: number, width: number, height: number, lineWidth: number): void {
    this.ctx.lineWidth = lineWidth;
    this.ctx.strokeRect(x + lineWidth / 2, y + lineWidth / 2, width - lineWidth, height - lineWidth);
  }

  /** A black disc with a white tick: "all is well". */
  tickBadge(cx: number, cy: number, radius: number): void {
    const { ctx } = this;
    ctx.beginPath();
    ctx.arc(cx, cy, radius, 0, Math.PI * 2);
    ctx.fill();
    ctx.strokeStyle = '#ffffff';
    ctx.lineWidth = Math.max(3, radius / 3.2);
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.beginPath();
    ctx.moveTo(cx - radius * 0.48, cy + radius * 0.02);
    ctx.lineTo(cx - radius * 0.12, cy + radius * 0.38);
    ctx.lineTo(cx + radius * 0.5, cy - radius * 0.36);
    ctx.stroke();
    ctx.strokeStyle = '#000000';
  }

  /** A black warning triangle with a white exclamation mark, `size` pixels wide, top at `y`. */
  warningTriangle(x: number, y: number, size: number): void {
    const { ctx } = this;
    const height = Math.round(size * 0.9);
    ctx.beginPath();
    ctx.moveTo(x + size / 2, y);
    ctx.lineTo(x + size, y + height);
    ctx.lineTo(x, y + height);
    ctx.closePath();
    ctx.fill();
    ctx.fillStyle = '#ffffff';
    const barWidth = Math.max(3, Math.round(size / 8));
    const cx = x + size / 2;
    ctx.fillRect(cx - barWidth / 2, y + height * 0.33, barWidth, height * 0.37);
    ctx.fillRect(cx - barWidth / 2, y + height * 0.76, barWidth, barWidth);
    ctx.fillStyle = '#000000';
  }

  /** A battery outline `width`×`height` (nub included) filled to `percent`, empty when unknown. */
  battery(x: number, y: number, width: number, height: number, percent: number | null): void {
    const nub = Math.max(2, Math.round(width / 12));
    this.strokeRect(x, y, width - nub, height, 2);
    this.fillRect(x + width - nub, y + height / 4, nub, height / 2);
    if (percent === null) return;
    const inner = width - nub - 6;
    const filled = Math.round((inner * Math.min(100, Math.max(0, percent))) / 100);
    if (filled > 0) this.fillRect(x + 3, y + 3, filled, height - 6);
  }

  /** The picture as a 1-bit frame. */
  toFrame(): Frame {
    return packRgba(this.ctx.getImageData(0, 0, FRAME_WIDTH, FRAME_HEIGHT).data, this.#inverted);
  }
}
