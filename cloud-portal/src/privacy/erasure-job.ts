import type { Db } from '@vigie/cloud-store';
import { silentLogger, type Logger, type Module } from '@vigie/common';
import { eraseDuePatients, purgeRejectedRegistrations } from './erasure.ts';

/** How often due erasures are looked for (and interrupted ones resumed). */
export const ERASURE_PERIOD_MS = 60 * 60_000;

/**
 * The erasure job: at start, then every hour, erases the patients whose soft-delete grace period
 * ended, resumes any erasure a crash interrupted, and deletes registration forms rejected that long
 * ago. Several instances may run it at once: the
 * purge is idempotent (erasure.ts). A failed pass is logged; the next one retries.
 */
export class ErasureJob implements Module {
  readonly name = 'erasure-job';
  readonly #db: Db;
  readonly #log: Logger;
  readonly #graceDays: number;
  readonly #now: () => number;
  readonly #periodMs: number;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;

  constructor(deps: { db: Db; graceDays: number; log?: Logger; now?: () => number; periodMs?: number }) {
    this.#db = deps.db;
    this.#graceDays = deps.graceDays;
    this.#log = (deps.log ?? silentLogger()).child({ module: 'erasure-job' });
    this.#now = deps.now ?? Date.now;
    this.#periodMs = deps.periodMs ?? ERASURE_PERIOD_MS;
  }

  /** Start the first pass (not awaited: a long purge must not delay the start) and the timer. */
  async start(): Promise<void> {
    void this.runOnce();
    this.#timer = setInterval(() => void this.runOnce(), this.#periodMs);
    this.#timer.unref();
  }

  /** Stop the timer and wait for a pass in progress (the database closes after). */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    await this.#running;
  }

  /** One pass now (skipped when the previous one still runs). Never throws. */
  async runOnce(): Promise<void> {
    if (this.#running) return this.#running;
    this.#running = (async () => {
      try {
        const options = { now: this.#now(), graceDays: this.#graceDays, log: this.#log };
        const done = await eraseDuePatients(this.#db, options);
        if (done.length > 0) this.#log.info({ erased: done.length }, 'erasure pass');
        await purgeRejectedRegistrations(this.#db, options);
      } catch (err) {
        this.#log.error({ err }, 'erasure pass failed');
      } finally {
        this.#running = undefined;
      }
    })();
    await this.#running;
  }
}
