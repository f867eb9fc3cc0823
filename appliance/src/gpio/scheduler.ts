/**
 * Time for the GPIO adapters and the buttons: a clock and one-shot timers, injected so that tests
 * drive time with a {@link ManualScheduler} (`manual-scheduler.ts`) and never sleep.
 */
export interface Scheduler {
  /** Epoch milliseconds. */
  now(): number;
  /** Run `fn` once after `ms`; returns the function that cancels it (harmless after it ran). */
  setTimer(fn: () => void, ms: number): () => void;
}

/** Wall clock and Node timers. */
export const systemScheduler: Scheduler = {
  now: () => Date.now(),
  setTimer(fn, ms) {
    const timer = setTimeout(fn, ms);
    return () => clearTimeout(timer);
  },
};
