import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Db, Queryable } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import { defineRoute } from '../access/route-access.ts';
import type { CloudConfig } from '../config.ts';
import { portalErrors } from '../errors.ts';
import type { SecretBox } from './secret-box.ts';
import { hashRecoveryCode, newEnrolment, newRecoveryCodes, verifyTotp } from './totp.ts';

/** VIGIE_STAFF_TOTP, defaulted: required, except in demo mode (public demo passwords) where it is optional. */
export function staffTotpPolicy(config: CloudConfig): 'required' | 'optional' {
  return config.VIGIE_STAFF_TOTP ?? (config.VIGIE_DEMO ? 'optional' : 'required');
}

const ConfirmBody = Type.Object({ code: Type.String({ pattern: '^\\d{6}$' }) }, { additionalProperties: false });

/**
 * What `accounts.totp_secret` holds: the base32 secret sealed by {@link SecretBox}, bound to the
 * account (a value copied onto another row does not open). Values enrolled before encryption are
 * plaintext; they still work and are sealed at their next successful use.
 */
export interface TotpSecrets {
  readonly box: SecretBox;
  readonly log: Logger;
}

const contextOf = (accountId: string) => `accounts.totp_secret:${accountId}`;

/** Seal a base32 TOTP secret for storage in `accountId`'s row. */
export function sealTotpSecret(secrets: TotpSecrets, accountId: string, secret: string): Promise<string> {
  return secrets.box.seal(secret, contextOf(accountId));
}

/**
 * The base32 secret of a stored value, with `legacy` when it was stored in clear; null when it
 * cannot be opened (wrong key, tampered, copied from another row): the caller refuses the code,
 * exactly as a wrong one. The reason is logged, never the value.
 */
async function openTotpSecret(secrets: TotpSecrets, accountId: string, stored: string): Promise<{ secret: string; legacy: boolean } | null> {
  const opened = await secrets.box.open(stored, contextOf(accountId));
  if (opened.ok) return opened;
  secrets.log.error({ accountId, reason: opened.reason }, 'stored TOTP secret cannot be decrypted (VIGIE_SECRETS_KEY or key file changed?): TOTP codes refused');
  return null;
}

/**
 * Replace a legacy plaintext secret by its sealed form. Conditional on the row still holding the
 * same plaintext (an admin reset in between wins). Best effort: a failure (key file not writable)
 * is logged and the login goes on, the value staying as it was.
 */
async function sealLegacy(q: Queryable, secrets: TotpSecrets, accountId: string, plaintext: string): Promise<void> {
  try {
    const sealed = await sealTotpSecret(secrets, accountId, plaintext);
    await q.query('UPDATE accounts SET totp_secret = $3 WHERE id = $1 AND totp_secret = $2', [accountId, plaintext, sealed]);
    secrets.log.info({ accountId }, 'plaintext TOTP secret encrypted');
  } catch (err) {
    secrets.log.warn({ accountId, err }, 'could not encrypt a plaintext TOTP secret; it stays as it was');
  }
}

/**
 * Check a second-factor code of `accountId`: a 6-digit TOTP code (not replayed), or one of its
 * unused recovery codes (then spent). Updates the replay guard / the spent code. A stored secret
 * that cannot be decrypted fails closed: no TOTP code is accepted (recovery codes, stored as
 * hashes and independent of the key, still are: they are the way back in after a lost key).
 */
export async function verifySecondFactor(q: Queryable, secrets: TotpSecrets, accountId: string, code: string, now: number): Promise<boolean> {
  const { rows } = await q.query<{ totp_secret: string | null; totp_last_step: number | null }>(
    'SELECT totp_secret, totp_last_step FROM accounts WHERE id = $1 AND totp_enabled_at IS NOT NULL',
    [accountId],
  );
  const row = rows[0];
  if (!row?.totp_secret) return false;
  const opened = await openTotpSecret(secrets, accountId, row.totp_secret);
  const step = opened && verifyTotp(opened.secret, code.trim(), now, row.totp_last_step === null ? null : Number(row.totp_last_step));
  let ok: boolean;
  if (step !== null) {
    // Conditional update: two concurrent uses of one code, one wins.
    const { rowCount } = await q.query('UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [accountId, step]);
    ok = rowCount === 1;
  } else {
    const { rowCount } = await q.query(
      'UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL',
      [accountId, hashRecoveryCode(code), new Date(now).toISOString()],
    );
    ok = rowCount === 1;
  }
  if (ok && opened?.legacy) await sealLegacy(q, secrets, accountId, opened.secret);
  return ok;
}

/**
 * TOTP enrolment for the logged-in account: `POST /api/auth/totp/enrol` gives a new secret, its
 * otpauth URI and QR code (pending until confirmed); `POST /api/auth/totp/confirm` checks a first
 * code, turns the second factor on and answers ten recovery codes, shown once. Open to staff
 * sessions that have no second factor yet; an account that has one must ask an admin to reset it.
 */
export function registerSecondFactorRoutes(app: FastifyInstance, deps: { db: Db; now: () => number; secrets: TotpSecrets }): void {
  const { db, now, secrets } = deps;

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/totp/enrol',
    access: { kind: 'session', beforeSecondFactor: true },
    handler: async (request) => {
      const account = request.account!;
      if (account.totpEnabled) throw portalErrors.create('PORTAL_CONFLICT', { message: 'A second factor is already enrolled' });
      const enrolment = await newEnrolment(account.email);
      // Only the sealed form is stored; the clear secret goes to the user once, in this answer.
      await db.query('UPDATE accounts SET totp_secret = $2, totp_last_step = NULL WHERE id = $1 AND totp_enabled_at IS NULL', [
        account.accountId,
        await sealTotpSecret(secrets, account.accountId, enrolment.secret),
      ]);
      return enrolment;
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/totp/confirm',
    access: { kind: 'session', beforeSecondFactor: true },
    body: ConfirmBody,
    handler: async (request, _reply, { body }) => {
      const account = request.account!;
      const { rows } = await db.query<{ totp_secret: string | null }>(
        'SELECT totp_secret FROM accounts WHERE id = $1 AND totp_enabled_at IS NULL',
        [account.accountId],
      );
      const stored = rows[0]?.totp_secret;
      const opened = stored ? await openTotpSecret(secrets, account.accountId, stored) : null;
      const step = opened ? verifyTotp(opened.secret, body.code, now(), null) : null;
      if (!opened || step === null) throw portalErrors.create('PORTAL_SECOND_FACTOR_FAILED');
      // A pending secret from before encryption is sealed as it is turned on.
      const sealed = opened.legacy ? await sealTotpSecret(secrets, account.accountId, opened.secret) : stored!;
      const codes = newRecoveryCodes();
      await db.transaction(async (tx) => {
        // Conditional on the secret just checked: a concurrent re-enrolment or confirmation wins.
        const { rowCount } = await tx.query(
          'UPDATE accounts SET totp_enabled_at = $2, totp_last_step = $3, totp_secret = $4 WHERE id = $1 AND totp_enabled_at IS NULL AND totp_secret = $5',
          [account.accountId, new Date(now()).toISOString(), step, sealed, stored],
        );
        if (rowCount !== 1) throw portalErrors.create('PORTAL_SECOND_FACTOR_FAILED');
        await tx.query('DELETE FROM recovery_codes WHERE account_id = $1', [account.accountId]);
        await tx.query('INSERT INTO recovery_codes (account_id, code_hash) SELECT $1, h FROM unnest($2::text[]) AS h', [
          account.accountId,
          codes.map(hashRecoveryCode),
        ]);
      });
      return { recoveryCodes: codes };
    },
  });
}
