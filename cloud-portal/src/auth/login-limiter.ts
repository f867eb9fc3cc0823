import { sha256Hex, type Queryable } from '@vigie/cloud-store';
import { portalErrors } from '../errors.ts';
import { normaliseEmail } from './accounts.ts';

/** Failed logins allowed per e-mail within {@link FAILURE_WINDOW_MS} before it is locked. */
export const MAX_FAILURES = 5;
/** The window of the per-account counter, and how long a lock lasts. */
export const FAILURE_WINDOW_MS = 15 * 60_000;

/**
 * The per-account half of login rate limiting (the per-IP half is @fastify/rate-limit). Counted
 * per e-mail, known or not, so a lock looks the same for an unknown e-mail and reveals nothing.
 * Stored in PostgreSQL: every portal instance sees the same counter. Time is injected.
 */
export class LoginLimiter {
  readonly #db: Queryable;
  readonly #now: () => number;

  constructor(db: Queryable, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  /** Throw PORTAL_TOO_MANY_ATTEMPTS when `email` has failed too often recently. */
  async check(email: string): Promise<void> {
    const { rows } = await this.#db.query<{ failures: number; window_start: Date }>(
      'SELECT failures, window_start FROM login_failures WHERE key = $1',
      [sha256Hex(normaliseEmail(email))],
    );
    const row = rows[0];
    if (row && row.failures >= MAX_FAILURES && this.#now() - row.window_start.getTime() < FAILURE_WINDOW_MS) {
      throw portalErrors.create('PORTAL_TOO_MANY_ATTEMPTS');
    }
  }

  /** Count a failure (a new window starts when the last one is over). */
  async fail(email: string): Promise<void> {
    const now = new Date(this.#now()).toISOString();
    const windowStart = new Date(this.#now() - FAILURE_WINDOW_MS).toISOString();
    await this.#db.query(
      `INSERT INTO login_failures (key, failures, window_start) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_failures.window_start < $3 THEN 1 ELSE login_failures.failures + 1 END,
         window_start = CASE WHEN login_failures.window_start < $3 THEN $2::timestamptz ELSE login_failures.window_start END`,
      [sha256Hex(normaliseEmail(email)), now, windowStart],
    );
  }

  /** Forget the failures of `email` (a successful login, a password reset). */
  async clear(email: string): Promise<void> {
    await this.#db.query('DELETE FROM login_failures WHERE key = $1', [sha256Hex(normaliseEmail(email))]);
  }
}
