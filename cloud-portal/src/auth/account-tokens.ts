import { randomBytes } from 'node:crypto';
import { sha256Hex, type Queryable } from '@vigie/cloud-store';

/** What a link e-mailed to a person lets them do. */
export type TokenPurpose = 'reset' | 'invite';

/** How long a link stays valid. */
export const TOKEN_TTL_MS: Readonly<Record<TokenPurpose, number>> = {
  reset: 60 * 60_000,
  invite: 7 * 24 * 60 * 60_000,
};

/**
 * Issue a single-use link token for `accountId`. Only its sha256 is stored; earlier unused tokens
 * of the same purpose die (the latest e-mail is the valid one).
 */
export async function issueToken(q: Queryable, accountId: string, purpose: TokenPurpose, now: number): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await q.query('UPDATE account_tokens SET used_at = $3 WHERE account_id = $1 AND purpose = $2 AND used_at IS NULL', [
    accountId,
    purpose,
    new Date(now).toISOString(),
  ]);
  await q.query('INSERT INTO account_tokens (id, account_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)', [
    sha256Hex(token),
    accountId,
    purpose,
    new Date(now).toISOString(),
    new Date(now + TOKEN_TTL_MS[purpose]).toISOString(),
  ]);
  return token;
}

/**
 * Use a token: the account it was issued for, or null when unknown, used, expired or of another
 * purpose. Atomic: of two concurrent uses, one wins.
 */
export async function consumeToken(q: Queryable, token: string, purpose: TokenPurpose, now: number): Promise<string | null> {
  const at = new Date(now).toISOString();
  const { rows } = await q.query<{ account_id: string }>(
    `UPDATE account_tokens SET used_at = $3
      WHERE id = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3
      RETURNING account_id`,
    [sha256Hex(token), purpose, at],
  );
  return rows[0]?.account_id ?? null;
}
