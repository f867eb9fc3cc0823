/**
 * The simulated display (style habit 1): each frame is written as a 1-bit PNG file, for development
 * (open the file in an image viewer that reloads) and tests. The last frame is also kept in memory.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '@vigie/common';
import { displayErrors } from './errors.ts';
import { assertValidFrame, createFrame } from './frame.ts';
import { LatestFrameQueue } from './latest-frame-queue.ts';
import { encodeFramePng } from './png-1bit.ts';
import type { Display, Frame } from './port.ts';

/** Options of {@link PngDisplay}. */
export interface PngDisplayOptions {
  /** The PNG file rewritten at each frame (its directory is created at start). */
  readonly path: string;
  /** The display module's child logger. */
  readonly log: Logger;
}

/** A {@link Display} that writes a PNG file. */
export class PngDisplay implements Display {
  readonly #options: PngDisplayOptions;
  readonly #queue = new LatestFrameQueue((frame) => this.#write(frame));
  #started = false;
  #lastFrame: Frame | null = null;
  #framesWritten = 0;

  constructor(options: PngDisplayOptions) {
    this.#options = options;
  }

  /** A copy of the last frame written, or null before the first one. */
  get lastFrame(): Frame | null {
    return this.#lastFrame === null ? null : createFrame(this.#lastFrame.bits);
  }

  /** How many frames were written since construction. */
  get framesWritten(): number {
    return this.#framesWritten;
  }

  async start(): Promise<void> {
    if (this.#started) return;
    try {
      await mkdir(dirname(this.#options.path), { recursive: true });
    } catch (cause) {
      throw displayErrors.create('BOX_DISPLAY_OPEN_FAILED', { message: `Cannot create the directory of ${this.#options.path}`, cause, details: { path: this.#options.path } });
    }
    this.#started = true;
    this.#options.log.info({ path: this.#options.path }, 'display: writing frames to a PNG file');
  }

  async stop(): Promise<void> {
    this.#started = false;
    await this.#queue.idle();
  }

  show(frame: Frame): Promise<void> {
    try {
      if (!this.#started) throw displayErrors.create('BOX_DISPLAY_NOT_STARTED');
      assertValidFrame(frame);
    } catch (err) {
      return Promise.reject(err);
    }
    return this.#queue.submit(createFrame(frame.bits));
  }

  async #write(frame: Frame): Promise<void> {
    const { path } = this.#options;
    // Write beside, then rename: a viewer watching the file never reads half a PNG.
    const partial = `${path}.partial`;
    try {
      await writeFile(partial, encodeFramePng(frame));
      await rename(partial, path);
    } catch (cause) {
      throw displayErrors.create('BOX_DISPLAY_WRITE_FAILED', { message: `Cannot write ${path}`, cause, details: { path } });
    }
    this.#lastFrame = frame;
    this.#framesWritten++;
  }
}
