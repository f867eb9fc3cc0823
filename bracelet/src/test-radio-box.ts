import { createConnection, type Socket } from 'node:net';
import { once } from 'node:events';

/**
 * A minimal box for tests: connects to the simulated radio and collects its NDJSON frames.
 * Imported by tests only.
 */
export class TestRadioBox {
  readonly frames: Record<string, unknown>[] = [];
  readonly #socket: Socket;
  readonly #waiters: { predicate: (f: Record<string, unknown>) => boolean; resolve: (f: Record<string, unknown>) => void }[] = [];
  #buffer = '';

  private constructor(socket: Socket) {
    this.#socket = socket;
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      this.#buffer += chunk;
      let nl: number;
      while ((nl = this.#buffer.indexOf('\n')) !== -1) {
        const frame = JSON.parse(this.#buffer.slice(0, nl)) as Record<string, unknown>;
        this.#buffer = this.#buffer.slice(nl + 1);
        this.frames.push(frame);
        for (const w of [...this.#waiters]) {
          if (w.predicate(frame)) {
            this.#waiters.splice(this.#waiters.indexOf(w), 1);
            w.resolve(frame);
          }
        }
      }
    });
  }

  static async connect(path: string): Promise<TestRadioBox> {
    const socket = createConnection(path);
    await once(socket, 'connect');
    return new TestRadioBox(socket);
  }

  /** The first frame (already received or to come) matching `predicate`; rejects after `timeoutMs`. */
  waitFor(predicate: (f: Record<string, unknown>) => boolean, timeoutMs = 2_000): Promise<Record<string, unknown>> {
    const seen = this.frames.find(predicate);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(this.frames)}`)), timeoutMs);
      this.#waiters.push({
        predicate,
        resolve: (f) => {
          clearTimeout(timer);
          resolve(f);
        },
      });
    });
  }

  close(): void {
    this.#socket.destroy();
  }
}
