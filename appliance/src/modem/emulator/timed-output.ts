import type { EmulatorClock } from './emulator-clock.ts';

/**
 * The emulator's output line: text is sent in the order it was queued, each piece no earlier than
 * its due time — a slow modem is still a sequential one, so a late answer never overtakes a later
 * command's answer.
 */
export class TimedOutput {
  readonly #clock: EmulatorClock;
  readonly #send: (text: string) => void;
  readonly #pending: { due: number; text: string }[] = [];
  #lastDue = 0;
  #timer: unknown;

  constructor(clock: EmulatorClock, send: (text: string) => void) {
    this.#clock = clock;
    this.#send = send;
  }

  /** Send `text` after `delayMs`, and after everything queued before it. */
  queue(text: string, delayMs: number): void {
    const due = Math.max(this.#clock.now() + delayMs, this.#lastDue);
    this.#lastDue = due;
    this.#pending.push({ due, text });
    this.#flush();
  }

  /** Drop everything not sent yet. */
  clear(): void {
    this.#pending.length = 0;
    this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  #flush(): void {
    if (this.#timer !== undefined) return;
    for (let head = this.#pending[0]; head; head = this.#pending[0]) {
      const wait = head.due - this.#clock.now();
      if (wait > 0) {
        this.#timer = this.#clock.setTimeout(() => {
          this.#timer = undefined;
          this.#flush();
        }, wait);
        return;
      }
      this.#pending.shift();
      this.#send(head.text);
    }
  }
}
