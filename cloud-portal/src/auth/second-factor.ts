import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Db, Queryable } from '@vigie/cloud-ingest/db';
import { defineRoute } from '../access/route-access.ts';
import type { CloudConfig } from '../config.ts';
import { portalErrors } from '../errors.ts';
import { hashRecoveryCode, newEnrolment, newRecoveryCodes, verifyTotp } from './totp.ts';

/** VIGIE_STAFF_TOTP, defaulted: required, except in demo mode (public demo passwords) where it is optional. */
export function staffTotpPolicy(config: CloudConfig): 'required' | 'optional' {
  return config.VIGIE_STAFF_TOTP ?? (config.VIGIE_DEMO ? 'optional' : 'required');
}

const ConfirmBody = Type.Object({ code: Type.String({ pattern: '^\\d{6}$' }) }, { additionalProperties: false });

/**
 * Check a second-factor code of `accountId`: a 6-digit TOTP code (not replayed), or one of its
 * unused recovery codes (then spent). Updates the replay guard / the spent code.
 */
export async function verifySecondFactor(q: Queryable, accountId: string, code: string, now: number): Promise<boolean> {
  const { rows } = await q.query<{ totp_secret: string | null; totp_last_step: number | null }>(
    'SELECT totp_secret, totp_last_step FROM accounts WHERE id = $1 AND totp_enabled_at IS NOT NULL',
    [accountId],
  );
  const row = rows[0];
  if (!row?.totp_secret) return false;
  const step = verifyTotp(row.totp_secret, code.trim(), now, row.totp_last_step === null ? null : Number(row.totp_last_step));
  if (step !== null) {
    // Conditional update: two concurrent uses of one code, one wins.
    const { rowCount } = await q.query('UPDATE accounts SET totp_last_step = $2 WHERE id = $1 AND (totp_last_step IS NULL OR totp_last_step < $2)', [accountId, step]);
    return rowCount === 1;
  }
  const { rowCount } = await q.query(
    'UPDATE recovery_codes SET used_at = $3 WHERE account_id = $1 AND code_hash = $2 AND used_at IS NULL',
    [accountId, hashRecoveryCode(code), new Date(now).toISOString()],
  );
  return rowCount === 1;
}

/**
 * TOTP enrolment for the logged-in account: `POST /api/auth/totp/enrol` gives a new secret, its
 * otpauth URI and QR code (pending until confirmed); `POST /api/auth/totp/confirm` checks a first
 * code, turns the second factor on and answers ten recovery codes, shown once. Open to staff
 * sessions that have no second factor yet; an account that has one must ask an admin to reset it.
 */
export function registerSecondFactorRoutes(app: FastifyInstance, deps: { db: Db; now: () => number }): void {
  const { db, now } = deps;

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/totp/enrol',
    access: { kind: 'session', beforeSecondFactor: true },
    handler: async (request) => {
      const account = request.account!;
      if (account.totpEnabled) throw portalErrors.create('PORTAL_CONFLICT', { message: 'A second factor is already enrolled' });
      const enrolment = await newEnrolment(account.email);
      await db.query('UPDATE accounts SET totp_secret = $2, totp_last_step = NULL WHERE id = $1 AND totp_enabled_at IS NULL', [
        account.accountId,
        enrolment.secret,
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
      const secret = rows[0]?.totp_secret;
      const step = secret ? verifyTotp(secret, body.code, now(), null) : null;
      if (step === null) throw portalErrors.create('PORTAL_SECOND_FACTOR_FAILED');
      const codes = newRecoveryCodes();
      await db.transaction(async (tx) => {
        await tx.query('UPDATE accounts SET totp_enabled_at = $2, totp_last_step = $3 WHERE id = $1', [account.accountId, new Date(now()).toISOString(), step]);
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
