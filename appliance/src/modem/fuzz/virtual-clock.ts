/**
 * Virtual time for the AT channel fuzz: while installed, the global `setTimeout` / `clearTimeout`
 * (what `AtChannel` arms for each command) only fire when the clock is moved, so a case full of
 * 60-second timeouts runs in microseconds and every timeout is hit at its exact due time.
 * `setImmediate` and promises stay real: the channel's own asynchronous steps still run.
 */

interface Timer {
  readonly id: number;
  readonly due: number;
  readonly callback: (...args: unknown[]) => void;
  readonly args: unknown[];
}

/** The handle our `setTimeout` returns: enough of a Node `Timeout` for `clearTimeout`, `unref`, `ref`. */
class VirtualTimeout {
  constructor(readonly id: number) {}
  ref(): this {
    return this;
  }
  unref(): this {
    return this;
  }
  hasRef(): boolean {
    return true;
  }
  [Symbol.toPrimitive](): number {
    return this.id;
  }
}

/** Global timers replaced by a clock that moves only when told to. */
export class VirtualClock {
  #now = 0;
  #nextId = 1;
  readonly #timers = new Map<number, Timer>();
  #saved: { setTimeout: typeof setTimeout; clearTimeout: typeof clearTimeout } | undefined;

  /** Virtual ms since install. */
  get now(): number {
    return this.#now;
  }

  /** Timers armed and not yet fired nor cleared. */
  get pending(): number {
    return this.#timers.size;
  }

  install(): void {
    if (this.#saved) return;
    this.#saved = { setTimeout: globalThis.setTimeout, clearTimeout: globalThis.clearTimeout };
    const fake = (callback: (...args: unknown[]) => void, ms?: number, ...args: unknown[]) => {
      // Node's rule: a delay that is not a number in 1..2^31-1 becomes 1 ms.
      const delay = typeof ms === 'number' && ms >= 1 && ms <= 0x7fffffff ? ms : 1;
      const id = this.#nextId++;
      this.#timers.set(id, { id, due: this.#now + delay, callback, args });
      return new VirtualTimeout(id);
    };
    globalThis.setTimeout = fake as unknown as typeof setTimeout;
    globalThis.clearTimeout = ((handle: unknown) => {
      if (handle instanceof VirtualTimeout) this.#timers.delete(handle.id);
    }) as typeof clearTimeout;
  }

  /** Give the real timers back; timers still armed are dropped. */
  uninstall(): void {
    if (!this.#saved) return;
    globalThis.setTimeout = this.#saved.setTimeout;
    globalThis.clearTimeout = this.#saved.clearTimeout;
    this.#saved = undefined;
    this.#timers.clear();
  }

  /**
   * Move to the earliest timer due at or before `until` and fire it; false when there is none (the
   * clock then stays put). Timers due together fire in the order they were armed, as in Node.
   */
  fireNext(until = Infinity): boolean {
    let next: Timer | undefined;
    for (const timer of this.#timers.values()) {
      if (timer.due <= until && (!next || timer.due < next.due || (timer.due === next.due && timer.id < next.id))) next = timer;
    }
    if (!next) return false;
    this.#timers.delete(next.id);
    this.#now = next.due;
    next.callback(...next.args);
    return true;
  }

  /**
   * Advance by `ms`, firing each timer due on the way at its due time and awaiting `settle` after
   * each one, so that timers armed by what a firing set off are honoured too.
   */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const until = this.#now + ms;
    while (this.fireNext(until)) await settle();
    this.#now = until;
  }
}
