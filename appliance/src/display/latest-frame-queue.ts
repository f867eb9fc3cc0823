/**
 * One frame at a time on the hardware, and only the newest waiting frame (style: the countdown of an
 * alert gives a frame per second while a full e-paper refresh takes about two seconds; drawing every
 * stale frame in turn would put the screen further and further behind).
 */
import type { Frame } from './port.ts';

interface Waiter {
  resolve(): void;
  reject(err: unknown): void;
}

/**
 * Runs `draw` for one frame at a time. A frame submitted while another is being drawn waits; if a
 * newer one arrives meanwhile it replaces it, and the callers of both are settled by the newer
 * frame's outcome.
 */
export class LatestFrameQueue {
  readonly #draw: (frame: Frame) => Promise<void>;
  #pending: { frame: Frame; waiters: Waiter[] } | null = null;
  #running: Promise<void> | null = null;

  constructor(draw: (frame: Frame) => Promise<void>) {
    this.#draw = draw;
  }

  /** Resolves once `frame`, or a newer frame that replaced it, is drawn; rejects with its error. */
  submit(frame: Frame): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const waiters = this.#pending?.waiters ?? [];
      waiters.push({ resolve, reject });
      this.#pending = { frame, waiters };
      this.#running ??= this.#drain();
    });
  }

  /** Resolves once nothing is being drawn nor waiting (errors are the submitters' to see). */
  async idle(): Promise<void> {
    while (this.#running !== null) await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#pending !== null) {
      const { frame, waiters } = this.#pending;
      this.#pending = null;
      try {
        await this.#draw(frame);
        for (const w of waiters) w.resolve();
      } catch (err) {
        for (const w of waiters) w.reject(err);
      }
    }
    this.#running = null;
  }
}
