import { isIP } from 'node:net';
import { sha256Hex, type Queryable } from '@vigie/cloud-store';
import { normaliseEmail } from './accounts.ts';

/** How failures turn into delays: a few free tries, then a delay that doubles up to a ceiling. */
export interface DelayPolicy {
  /** Failures allowed before the first delay. */
  readonly free: number;
  /** The first delay; each further failure doubles it. */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** A series of failures is forgotten this long after its first failure. */
  readonly seriesMs: number;
}

/**
 * Wrong passwords of one e-mail from one source: 5 free, then 1 min, 2, 4 … up to 1 h, for a day.
 * Per (account, source), so an attacker elsewhere cannot lock the owner out (issue 10, finding 6).
 */
export const PASSWORD_POLICY: DelayPolicy = { free: 5, baseDelayMs: 60_000, maxDelayMs: 60 * 60_000, seriesMs: 24 * 60 * 60_000 };
/**
 * Wrong second-factor codes of one account, whatever the challenge or source: 10 free, then
 * 1 min, 2, 4 … up to 1 h. Per account: a fresh password entry gives no fresh set of tries. Only
 * someone who has the password can fail here; the owner gets out with an e-mailed reset link,
 * which clears it (and makes the stolen password useless).
 */
export const SECOND_FACTOR_POLICY: DelayPolicy = { free: 10, baseDelayMs: 60_000, maxDelayMs: 60 * 60_000, seriesMs: 24 * 60 * 60_000 };

/** The delay after the `failures`-th failure (0 while free). */
export function delayAfter(policy: DelayPolicy, failures: number): number {
  if (failures < policy.free) return 0;
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.min(failures - policy.free, 30));
}

/**
 * Where a login comes from, for the per-source counters: the client address as Fastify computed
 * it through the trusted proxies only (`VIGIE_TRUST_PROXY`), an IPv6 address reduced to its /64
 * (one subscriber usually holds a whole /64, so rotating within it is not a new source).
 */
export function sourceOf(ip: string): string {
  if (isIP(ip) !== 6 || ip.startsWith('::ffff:')) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === '' ? [] : tail.split(':');
  const groups = ip.includes('::') ? [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right] : left;
  return `${groups.slice(0, 4).map((g) => g.toLowerCase().replace(/^0+(?=.)/, '')).join(':')}::/64`;
}

/**
 * Failed logins with growing delays, in `login_failures` (PostgreSQL: every portal instance sees
 * the same counters). Keys are hashes (no e-mail or address in clear). Counted for unknown e-mails
 * too, so a delay looks the same whether the e-mail exists or not. Time is injected.
 */
export class LoginLimiter {
  readonly #db: Queryable;
  readonly #now: () => number;

  constructor(db: Queryable, now: () => number) {
    this.#db = db;
    this.#now = now;
  }

  /** Ms until `email` may try a password again from `ip` (0: now). */
  passwordWait(email: string, ip: string): Promise<number> {
    return this.#wait(passwordKey(email, ip));
  }

  /** Count a wrong password of `email` from `ip`. */
  passwordFailed(email: string, ip: string): Promise<void> {
    return this.#fail(passwordKey(email, ip), PASSWORD_POLICY);
  }

  /** A successful login of `email` from `ip`: that source starts afresh. */
  async passwordSucceeded(email: string, ip: string): Promise<void> {
    await this.#db.query('DELETE FROM login_failures WHERE key = $1', [passwordKey(email, ip)]);
  }

  /** Ms until `accountId` may try a second-factor code again (0: now). */
  secondFactorWait(accountId: string): Promise<number> {
    return this.#wait(secondFactorKey(accountId));
  }

  /** Count a wrong second-factor code of `accountId`. */
  secondFactorFailed(accountId: string): Promise<void> {
    return this.#fail(secondFactorKey(accountId), SECOND_FACTOR_POLICY);
  }

  /** A right second-factor code: the account's code counter starts afresh. */
  async secondFactorSucceeded(accountId: string): Promise<void> {
    await this.#db.query('DELETE FROM login_failures WHERE key = $1', [secondFactorKey(accountId)]);
  }

  /**
   * Forget every counter of the account (a password set from an e-mailed link or changed): the
   * owner proved themselves another way, and a guesser's progress is void.
   */
  async clearAccount(email: string, accountId: string): Promise<void> {
    await this.#db.query(`DELETE FROM login_failures WHERE key LIKE $1 OR key = $2`, [`pw:${sha256Hex(normaliseEmail(email))}:%`, secondFactorKey(accountId)]);
  }

  async #wait(key: string): Promise<number> {
    const { rows } = await this.#db.query<{ locked_until: Date | null }>('SELECT locked_until FROM login_failures WHERE key = $1', [key]);
    const until = rows[0]?.locked_until?.getTime() ?? 0;
    return Math.max(0, until - this.#now());
  }

  async #fail(key: string, policy: DelayPolicy): Promise<void> {
    const now = this.#now();
    // A new series when the last one started more than `seriesMs` ago; one statement, so two
    // concurrent failures both count.
    const { rows } = await this.#db.query<{ failures: number }>(
      `INSERT INTO login_failures (key, failures, window_start) VALUES ($1, 1, $2)
       ON CONFLICT (key) DO UPDATE SET
         failures = CASE WHEN login_failures.window_start < $3 THEN 1 ELSE login_failures.failures + 1 END,
         window_start = CASE WHEN login_failures.window_start < $3 THEN $2::timestamptz ELSE login_failures.window_start END
       RETURNING failures`,
      [key, new Date(now).toISOString(), new Date(now - policy.seriesMs).toISOString()],
    );
    const delay = delayAfter(policy, rows[0]!.failures);
    await this.#db.query('UPDATE login_failures SET locked_until = $2 WHERE key = $1', [key, delay > 0 ? new Date(now + delay).toISOString() : null]);
  }
}

const passwordKey = (email: string, ip: string) => `pw:${sha256Hex(normaliseEmail(email))}:${sha256Hex(sourceOf(ip))}`;
const secondFactorKey = (accountId: string) => `sf:${accountId}`;
