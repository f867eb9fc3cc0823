import { randomBytes } from 'node:crypto';
import { sha256Hex, type Db } from '@vigie/cloud-store';
import type { AccountRole, Locale } from '../api-types.ts';

/** A session ends after this long without a request (sliding). */
export const SESSION_IDLE_MS = 30 * 60_000;
/** A session ends this long after login, whatever the activity. */
export const SESSION_ABSOLUTE_MS = 12 * 60 * 60_000;
/**
 * last_seen_at is written at most this often: the idle timeout stays exact to within a minute
 * while a busy page does not turn every read into a write.
 */
const TOUCH_EVERY_MS = 60_000;

/** The account behind a valid session. */
export interface SessionAccount {
  readonly sessionId: string;
  readonly accountId: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: AccountRole;
  readonly locale: Locale;
  /** Whether the account has a confirmed TOTP second factor. */
  readonly totpEnabled: boolean;
}

interface SessionRow {
  account_id: string;
  email: string;
  display_name: string;
  role: AccountRole;
  locale: Locale;
  last_seen_at: Date;
  totp_enabled: boolean;
}

/**
 * Portal sessions in PostgreSQL (no process memory, so any portal instance serves any request).
 * The cookie carries a random 32-byte token; the table keeps only its sha256. Time is injected.
 */
export class SessionStore {
  readonly #db: Db;
  readonly #now: () => number;

  constructor(db: Db, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
  }

  /** Open a session for `accountId`; returns the cookie token (shown once, never stored). */
  async create(accountId: string): Promise<{ token: string; expiresAt: number }> {
    const token = randomBytes(32).toString('base64url');
    const now = this.#now();
    const expiresAt = now + SESSION_ABSOLUTE_MS;
    await this.#db.query(
      'INSERT INTO sessions (id, account_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)',
      [sha256Hex(token), accountId, new Date(now).toISOString(), new Date(expiresAt).toISOString()],
    );
    // Opportunistic sweep so expired rows do not pile up (no scheduler in this process).
    await this.#db.query('DELETE FROM sessions WHERE expires_at < $1', [new Date(now).toISOString()]);
    return { token, expiresAt };
  }

  /**
   * The account of a live session, or null (unknown, idle too long, past its absolute end,
   * account disabled). `touch` slides the idle timeout; a live stream's periodic re-check does
   * not, since an open tab is not user activity.
   */
  async resolve(token: string | undefined, touch = true): Promise<SessionAccount | null> {
    if (!token) return null;
    const id = sha256Hex(token);
    const now = this.#now();
    const { rows } = await this.#db.query<SessionRow>(
      `SELECT s.account_id, a.email, a.display_name, a.role, a.locale, s.last_seen_at, a.totp_enabled_at IS NOT NULL AS totp_enabled
         FROM sessions s JOIN accounts a ON a.id = s.account_id
        WHERE s.id = $1 AND s.expires_at > $2 AND s.last_seen_at > $3 AND a.disabled_at IS NULL`,
      [id, new Date(now).toISOString(), new Date(now - SESSION_IDLE_MS).toISOString()],
    );
    const row = rows[0];
    if (!row) return null;
    if (touch && now - row.last_seen_at.getTime() >= TOUCH_EVERY_MS) {
      await this.#db.query('UPDATE sessions SET last_seen_at = $2 WHERE id = $1', [id, new Date(now).toISOString()]);
    }
    return {
      sessionId: id,
      accountId: row.account_id,
      email: row.email,
      displayName: row.display_name,
      role: row.role,
      locale: row.locale,
      totpEnabled: row.totp_enabled,
    };
  }

  /**
   * End every session of `accountId` (password changed, account disabled) but `keepSessionId`
   * (the session that changed the password, when it was the user themself).
   */
  async destroyAll(accountId: string, keepSessionId?: string): Promise<void> {
    await this.#db.query('DELETE FROM sessions WHERE account_id = $1 AND id <> $2', [accountId, keepSessionId ?? '']);
  }

  /** End a session (logout). Unknown tokens are ignored. */
  async destroy(token: string | undefined): Promise<void> {
    if (token) await this.#db.query('DELETE FROM sessions WHERE id = $1', [sha256Hex(token)]);
  }
}
