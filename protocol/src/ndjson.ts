/**
 * Newline-delimited JSON framing (the simulated radio and the simulator's control socket): cut a
 * text stream into lines, with a length limit so a peer that never sends a newline cannot grow a
 * buffer without bound. An overlong line is reported once and skipped up to its newline.
 */
export class LineSplitter {
  readonly #maxLength: number;
  readonly #onLine: (line: string) => void;
  readonly #onOverflow: () => void;
  #buffer = '';
  /** True while skipping the rest of an overlong line. */
  #discarding = false;

  constructor(maxLength: number, onLine: (line: string) => void, onOverflow: () => void) {
    this.#maxLength = maxLength;
    this.#onLine = onLine;
    this.#onOverflow = onOverflow;
  }

  /** Feed decoded text (set the socket's encoding to utf8 so characters never split across chunks). */
  push(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (this.#discarding) {
        this.#discarding = false;
        this.#buffer = '';
        continue;
      }
      const line = this.#buffer + piece;
      this.#buffer = '';
      if (line.length > this.#maxLength) this.#onOverflow();
      else this.#onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    if (this.#discarding) return;
    this.#buffer += chunk.slice(start);
    if (this.#buffer.length > this.#maxLength) {
      this.#buffer = '';
      this.#discarding = true;
      this.#onOverflow();
    }
  }
}
