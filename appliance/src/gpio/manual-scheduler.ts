import type { Scheduler } from './scheduler.ts';

interface PendingTimer {
  readonly id: number;
  readonly dueAt: number;
  readonly fn: () => void;
}

/**
 * A {@link Scheduler} whose time moves only when told (`advance`): tests and scripted
 * demonstrations run button presses of several seconds in microseconds, deterministically.
 */
export class ManualScheduler implements Scheduler {
  #now: number;
  #nextId = 0;
  #timers: PendingTimer[] = [];

  /** `start`: the initial epoch ms (default 1,767,225,600,000, 2026-01-01 UTC). */
  constructor(start = 1_767_225_600_000) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(fn: () => void, ms: number): () => void {
    const id = this.#nextId++;
    this.#timers.push({ id, dueAt: this.#now + Math.max(0, ms), fn });
    return () => {
      this.#timers = this.#timers.filter((t) => t.id !== id);
    };
  }

  /** Timers not yet run nor cancelled. */
  get pending(): number {
    return this.#timers.length;
  }

  /**
   * Move time forward by `ms`, running every timer that falls due on the way, in due order (then
   * creation order), with `now()` set to its due time: timers set by a timer run too if due.
   */
  advance(ms: number): void {
    const until = this.#now + ms;
    for (;;) {
      const next = this.#timers
        .filter((t) => t.dueAt <= until)
        .reduce<PendingTimer | undefined>((a, t) => (a === undefined || t.dueAt < a.dueAt || (t.dueAt === a.dueAt && t.id < a.id) ? t : a), undefined);
      if (next === undefined) break;
      this.#timers = this.#timers.filter((t) => t !== next);
      this.#now = next.dueAt;
      next.fn();
    }
    this.#now = until;
  }
}
