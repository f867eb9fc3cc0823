/**
 * The loop behind the box's store-and-forward workers (uplink, downlink, SMS dispatcher): one pass
 * of work at a time; `kick()` asks for a pass now, and a kick during a pass runs exactly one more
 * pass right after it (never two at once, never a kick lost); after a pass the next one is
 * scheduled `nextDelayMs()` later unless a kick comes first. `idle()` resolves once no pass runs,
 * so tests wait on it instead of sleeping.
 */
export interface KickLoopOptions {
  /** One pass. It should handle its own errors: a rejection reaches `stop()` and `idle()`. */
  readonly pass: () => Promise<void>;
  /** Delay before the next unprompted pass, read after each pass (backoff, cadence, alert open…). */
  readonly nextDelayMs: () => number;
}

export class KickLoop {
  readonly #pass: () => Promise<void>;
  readonly #nextDelayMs: () => number;
  #timer: NodeJS.Timeout | undefined;
  readonly #kickTimers = new Set<NodeJS.Timeout>();
  #running: Promise<void> | undefined;
  #again = false;
  #stopped = true;

  constructor(options: KickLoopOptions) {
    this.#pass = options.pass;
    this.#nextDelayMs = options.nextDelayMs;
  }

  /** True before `start()` and after `stop()`: a long pass checks it to end early. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** Allow passes and run the first one now. */
  start(): void {
    this.#stopped = false;
    this.kick();
  }

  /** No new pass, no timer left; resolves when the pass in progress (if any) has ended. */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    for (const timer of this.#kickTimers) clearTimeout(timer);
    this.#kickTimers.clear();
    await this.#running;
  }

  /** Run a pass now, or right after the one in progress. Safe to call at any time and often. */
  kick(): void {
    if (this.#stopped) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    clearTimeout(this.#timer);
    this.#running = this.#pass().finally(() => {
      this.#running = undefined;
      if (this.#stopped) return;
      if (this.#again) {
        this.#again = false;
        this.kick();
        return;
      }
      this.#timer = setTimeout(() => this.kick(), this.#nextDelayMs());
    });
  }

  /**
   * Kick in `delayMs` (e.g. when a fall's cancel window ends), whatever the scheduled pass does
   * meanwhile. May be called before `start()`: the kick then lands once started.
   */
  kickIn(delayMs: number): void {
    const timer = setTimeout(() => {
      this.#kickTimers.delete(timer);
      this.kick();
    }, Math.max(0, delayMs));
    this.#kickTimers.add(timer);
  }

  /** Resolves when no pass runs, including passes kicked while waiting. */
  async idle(): Promise<void> {
    while (this.#running) await this.#running;
  }
}
