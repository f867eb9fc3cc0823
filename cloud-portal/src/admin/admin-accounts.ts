import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Queryable } from '@vigie/cloud-store';
import { defineRoute } from '../access/route-access.ts';
import { ROLES } from '../access/rules.ts';
import type { AccountRole, Locale } from '../api-types.ts';
import { normaliseEmail } from '../auth/accounts.ts';
import { sendAccountLink } from '../auth/account-link-routes.ts';
import { portalErrors } from '../errors.ts';
import { deferredMailer } from '../mail/mailer.ts';
import { isUuid } from '../http/request-input.ts';
import type { AdminDeps } from './admin-deps.ts';
import { audit, checkConfirmation, checkRestorable, ConfirmBody } from './audit.ts';

/** An account as admins see it (no password hash, no TOTP secret). */
export interface AdminAccount {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: AccountRole;
  readonly locale: Locale;
  readonly phone: string | null;
  readonly createdAt: number;
  readonly disabledAt: number | null;
  readonly totpEnabled: boolean;
}

/** A password hash no password matches: an invited account logs in once it has chosen one. */
export const NO_PASSWORD = '!invited';

const Role = Type.Union(ROLES.map((r) => Type.Literal(r)));
const LocaleSchema = Type.Union([Type.Literal('fr'), Type.Literal('en')]);
const Phone = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$' });
const NewAccountBody = Type.Object(
  {
    email: Type.String({ minLength: 3, maxLength: 254, pattern: '^[^@\\s]+@[^@\\s]+$' }),
    displayName: Type.String({ minLength: 1, maxLength: 200 }),
    role: Role,
    locale: Type.Optional(LocaleSchema),
    phone: Type.Optional(Phone),
  },
  { additionalProperties: false },
);
const EditAccountBody = Type.Object(
  { displayName: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })), role: Type.Optional(Role), locale: Type.Optional(LocaleSchema), phone: Type.Optional(Type.Union([Phone, Type.Null()])) },
  { additionalProperties: false, minProperties: 1 },
);
const ListQuery = Type.Object({ role: Type.Optional(Role), q: Type.Optional(Type.String({ maxLength: 100 })) }, { additionalProperties: false });

const SELECT = `SELECT id, email, display_name, role, locale, phone, created_at, disabled_at, totp_enabled_at IS NOT NULL AS totp_enabled FROM accounts`;
interface Row { id: string; email: string; display_name: string; role: AccountRole; locale: Locale; phone: string | null; created_at: Date; disabled_at: Date | null; totp_enabled: boolean }

function toAdminAccount(r: Row): AdminAccount {
  return { id: r.id, email: r.email, displayName: r.display_name, role: r.role, locale: r.locale, phone: r.phone, createdAt: r.created_at.getTime(), disabledAt: r.disabled_at?.getTime() ?? null, totpEnabled: r.totp_enabled };
}

/** The account `id`, or 404. */
export async function loadAccount(q: Queryable, id: string): Promise<AdminAccount> {
  const row = (await q.query<Row>(`${SELECT} WHERE id = $1`, [id])).rows[0];
  if (!row) throw portalErrors.create('PORTAL_NOT_FOUND');
  return toAdminAccount(row);
}

/**
 * Create an account with no usable password (audited) and e-mail an invitation link; or, when
 * the e-mail already has an account, answer that one (`created: false`).
 */
export async function inviteAccount(
  deps: AdminDeps,
  q: Queryable,
  actorId: string,
  input: { email: string; displayName: string; role: AccountRole; locale?: Locale; phone?: string },
): Promise<{ account: AdminAccount; created: boolean }> {
  const email = normaliseEmail(input.email);
  const existing = (await q.query<Row>(`${SELECT} WHERE email = $1`, [email])).rows[0];
  if (existing) return { account: toAdminAccount(existing), created: false };
  const { rows } = await q.query<{ id: string }>(
    'INSERT INTO accounts (email, display_name, role, password_hash, locale, phone, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id',
    [email, input.displayName, input.role, NO_PASSWORD, input.locale ?? 'fr', input.phone ?? null, new Date(deps.now()).toISOString()],
  );
  const account = await loadAccount(q, rows[0]!.id);
  await audit(q, { actorId, action: 'account.create', entity: 'account', entityId: account.id, before: null, after: account, at: deps.now() });
  await sendAccountLink({ ...deps, db: q }, account, 'invite');
  return { account, created: true };
}

/** Accounts: list, create (+ invitation), edit, disable (confirmed), restore, re-invite, reset the second factor. */
export function registerAdminAccountRoutes(app: FastifyInstance, deps: AdminDeps): void {
  const { db, sessions, now } = deps;

  defineRoute(app, {
    method: 'GET', url: '/admin/api/accounts', access: { kind: 'admin' }, query: ListQuery,
    handler: async (_req, _rep, { query }) => {
      const { rows } = await db.query<Row>(
        `${SELECT} WHERE ($1::text IS NULL OR role = $1) AND ($2::text IS NULL OR email ILIKE '%' || $2 || '%' OR display_name ILIKE '%' || $2 || '%')
          ORDER BY display_name, email LIMIT 500`,
        [query.role ?? null, query.q ?? null],
      );
      return { accounts: rows.map(toAdminAccount) };
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/accounts', access: { kind: 'admin' }, body: NewAccountBody,
    handler: async (request, reply, { body }) => {
      const outbox = deferredMailer(deps.mailer);
      const result = await db.transaction((tx) => inviteAccount({ ...deps, mailer: outbox.mailer }, tx, request.account!.accountId, body));
      await outbox.flush();
      if (!result.created) throw portalErrors.create('PORTAL_CONFLICT', { message: 'An account with this e-mail exists', details: { field: '/email' } });
      return reply.code(201).send({ account: result.account });
    },
  });

  defineRoute(app, {
    method: 'PATCH', url: '/admin/api/accounts/:accountId', access: { kind: 'admin' }, body: EditAccountBody,
    handler: async (request, _reply, { body }) => {
      const { accountId } = parseParams(request.params);
      const account = await db.transaction(async (tx) => {
        const before = await loadAccount(tx, accountId);
        await tx.query(
          `UPDATE accounts SET display_name = coalesce($2, display_name), role = coalesce($3, role), locale = coalesce($4, locale),
                  phone = CASE WHEN $5::boolean THEN $6 ELSE phone END WHERE id = $1`,
          [accountId, body.displayName ?? null, body.role ?? null, body.locale ?? null, body.phone !== undefined, body.phone ?? null],
        );
        const after = await loadAccount(tx, accountId);
        await audit(tx, { actorId: request.account!.accountId, action: 'account.edit', entity: 'account', entityId: accountId, before, after, at: now() });
        return { before, after };
      });
      // A changed role changes what the account may see: its sessions end.
      if (account.before.role !== account.after.role) await sessions.destroyAll(accountId);
      return { account: account.after };
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/accounts/:accountId/disable', access: { kind: 'admin' }, body: ConfirmBody,
    handler: async (request, _reply, { body }) => {
      const { accountId } = parseParams(request.params);
      const after = await db.transaction(async (tx) => {
        const before = await loadAccount(tx, accountId);
        checkConfirmation(body.confirm, before.email);
        if (before.disabledAt !== null) throw portalErrors.create('PORTAL_CONFLICT', { message: 'Already disabled' });
        if (accountId === request.account!.accountId) throw portalErrors.create('PORTAL_CONFLICT', { message: 'An admin cannot disable their own account' });
        await tx.query('UPDATE accounts SET disabled_at = $2 WHERE id = $1', [accountId, new Date(now()).toISOString()]);
        const after = await loadAccount(tx, accountId);
        await audit(tx, { actorId: request.account!.accountId, action: 'account.disable', entity: 'account', entityId: accountId, before, after, at: now() });
        return after;
      });
      await sessions.destroyAll(accountId);
      return { account: after };
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/accounts/:accountId/restore', access: { kind: 'admin' },
    handler: async (request) => {
      const { accountId } = parseParams(request.params);
      return db.transaction(async (tx) => {
        const before = await loadAccount(tx, accountId);
        checkRestorable(before.disabledAt === null ? null : new Date(before.disabledAt), now());
        await tx.query('UPDATE accounts SET disabled_at = NULL WHERE id = $1', [accountId]);
        const after = await loadAccount(tx, accountId);
        await audit(tx, { actorId: request.account!.accountId, action: 'account.restore', entity: 'account', entityId: accountId, before, after, at: now() });
        return { account: after };
      });
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/accounts/:accountId/invite', access: { kind: 'admin' },
    handler: async (request, reply) => {
      const { accountId } = parseParams(request.params);
      const account = await loadAccount(db, accountId);
      if (account.disabledAt !== null) throw portalErrors.create('PORTAL_CONFLICT', { message: 'The account is disabled' });
      await sendAccountLink(deps, account, 'invite');
      await audit(db, { actorId: request.account!.accountId, action: 'account.invite', entity: 'account', entityId: accountId, before: null, after: null, at: now() });
      return reply.code(202).send({ ok: true });
    },
  });

  defineRoute(app, {
    method: 'POST', url: '/admin/api/accounts/:accountId/reset-second-factor', access: { kind: 'admin' }, body: ConfirmBody,
    handler: async (request, _reply, { body }) => {
      const { accountId } = parseParams(request.params);
      const after = await db.transaction(async (tx) => {
        const before = await loadAccount(tx, accountId);
        checkConfirmation(body.confirm, before.email);
        await tx.query('UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL, totp_last_step = NULL WHERE id = $1', [accountId]);
        await tx.query('DELETE FROM recovery_codes WHERE account_id = $1', [accountId]);
        const after = await loadAccount(tx, accountId);
        await audit(tx, { actorId: request.account!.accountId, action: 'account.reset_second_factor', entity: 'account', entityId: accountId, before, after, at: now() });
        return after;
      });
      await sessions.destroyAll(accountId);
      return { account: after };
    },
  });
}

/** `:accountId` (validated: 404 rather than 400 for a malformed id, like an unknown one). */
function parseParams(params: unknown): { accountId: string } {
  const { accountId } = params as { accountId?: string };
  if (!isUuid(accountId)) throw portalErrors.create('PORTAL_NOT_FOUND');
  return { accountId };
}
