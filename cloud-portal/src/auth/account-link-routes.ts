import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Db, Queryable } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import { defineRoute } from '../access/route-access.ts';
import type { CloudConfig } from '../config.ts';
import { portalErrors } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { normaliseEmail } from './accounts.ts';
import { consumeToken, issueToken, TOKEN_TTL_MS, type TokenPurpose } from './account-tokens.ts';
import type { LoginLimiter } from './login-limiter.ts';
import { hashPassword, PASSWORD_MAX_LENGTH, passwordProblem, verifyPassword } from './passwords.ts';
import type { SessionStore } from './sessions.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves when the e-mails queued so far are sent (tests; shutdown). */
    mailIdle(): Promise<void>;
  }
}

/**
 * A new password, as the body carries it. The policy (length in characters, common passwords,
 * personal words) is checked by {@link assertPasswordAccepted}, which answers its own code.
 */
export const NewPassword = Type.String({ minLength: 1, maxLength: 4 * PASSWORD_MAX_LENGTH });
const Token = Type.String({ minLength: 20, maxLength: 128 });
const ForgotBody = Type.Object({ email: Type.String({ minLength: 3, maxLength: 254 }) }, { additionalProperties: false });
const TokenBody = Type.Object({ token: Token, password: NewPassword }, { additionalProperties: false });
const ChangeBody = Type.Object({ current: Type.String({ minLength: 1, maxLength: 1024 }), password: NewPassword }, { additionalProperties: false });
/** Background e-mail work starts this long after the answer (see `background` below). */
const BACKGROUND_DELAY_MS = 20;
/** Reset and registration forms: a few per IP and hour. */
export const FORM_RATE_LIMIT = { max: 10, timeWindow: 60 * 60_000 } as const;

/** The portal's address for links in e-mails. */
export function publicUrl(config: CloudConfig): string {
  return (config.VIGIE_PUBLIC_URL ?? `http://localhost:${config.PORT}`).replace(/\/$/, '');
}

const TEXTS: Record<TokenPurpose, { subject: string; body: (name: string, link: string, hours: number) => string }> = {
  reset: {
    subject: 'Vigie : réinitialisation du mot de passe / password reset',
    body: (name, link, hours) =>
      `Bonjour ${name},\n\nPour choisir un nouveau mot de passe Vigie, ouvrez ce lien (valable ${hours} h, une seule fois) :\n${link}\n\n` +
      `Si vous n'avez rien demandé, ignorez ce message.\n\n---\n\nHello ${name},\n\nTo choose a new Vigie password, open this link ` +
      `(valid ${hours} h, once):\n${link}\n\nIf you did not ask for it, ignore this message.\n`,
  },
  invite: {
    subject: 'Vigie : votre invitation / your invitation',
    body: (name, link, hours) =>
      `Bonjour ${name},\n\nUn compte Vigie a été créé pour vous. Choisissez votre mot de passe en ouvrant ce lien (valable ${hours / 24} jours) :\n${link}\n\n` +
      `---\n\nHello ${name},\n\nA Vigie account was created for you. Choose your password by opening this link (valid ${hours / 24} days):\n${link}\n`,
  },
};

/** Issue a link token for `accountId` and e-mail it (reset or invitation). */
export async function sendAccountLink(
  deps: { db: Queryable; mailer: Mailer; config: CloudConfig; now: () => number },
  account: { id: string; email: string; displayName: string },
  purpose: TokenPurpose,
): Promise<void> {
  const token = await issueToken(deps.db, account.id, purpose, deps.now());
  const page = purpose === 'reset' ? 'reset' : 'invitation';
  const link = `${publicUrl(deps.config)}/${page}?token=${token}`;
  const text = TEXTS[purpose];
  await deps.mailer.send({ to: account.email, subject: text.subject, text: text.body(account.displayName, link, TOKEN_TTL_MS[purpose] / 3_600_000) });
}

/**
 * Refuse a password the policy refuses (`passwordProblem`): 400 PORTAL_PASSWORD_REJECTED naming
 * the field `/password`, with the reason in the message.
 */
export async function assertPasswordAccepted(password: string, person: { readonly email: string; readonly displayName: string } | null): Promise<void> {
  const problem = await passwordProblem(password, person);
  if (problem) {
    throw portalErrors.create('PORTAL_PASSWORD_REJECTED', { message: `/password: ${problem}`, details: { field: '/password', reason: problem } });
  }
}

/**
 * Check the new password against the policy, then store it (in `q`, the caller's transaction
 * when a link token is being used, so a refused password leaves the link usable).
 */
async function storePassword(q: Queryable, accountId: string, password: string, now: number): Promise<{ email: string }> {
  const { rows } = await q.query<{ email: string; display_name: string }>('SELECT email, display_name FROM accounts WHERE id = $1 AND disabled_at IS NULL', [accountId]);
  const account = rows[0];
  if (!account) throw portalErrors.create('PORTAL_LINK_INVALID');
  await assertPasswordAccepted(password, { email: account.email, displayName: account.display_name });
  await q.query('UPDATE accounts SET password_hash = $2, password_changed_at = $3 WHERE id = $1', [accountId, await hashPassword(password), new Date(now).toISOString()]);
  return { email: account.email };
}

/** After a password change: end every session of the account (but `keepSessionId`), clear its login counters. */
async function afterPasswordSet(sessions: SessionStore, limiter: LoginLimiter, accountId: string, email: string, keepSessionId?: string) {
  await sessions.destroyAll(accountId, keepSessionId);
  await limiter.clearAccount(email, accountId);
}

/**
 * `POST /api/auth/password/forgot` (always 202, the e-mail sent in the background, so neither the
 * answer nor its timing tells whether the e-mail is known), `POST /api/auth/password/reset`,
 * `POST /api/auth/invitation/accept` (single-use links), `POST /api/auth/password/change`.
 * Every password change ends the account's other sessions.
 */
export function registerAccountLinkRoutes(
  app: FastifyInstance,
  deps: { db: Db; sessions: SessionStore; mailer: Mailer; config: CloudConfig; log: Logger; now: () => number; limiter: LoginLimiter },
): void {
  const { db, sessions, limiter, now } = deps;
  const log = deps.log.child({ module: 'account-links' });
  const inflight = new Set<Promise<void>>();
  // Started on a later turn of the event loop, after the answer has left: the answer's timing
  // must not depend on the work (PGlite runs queries on this thread).
  const background = (task: () => Promise<void>) => {
    const p = new Promise((resolve) => setTimeout(resolve, BACKGROUND_DELAY_MS))
      .then(task)
      .catch((err: unknown) => log.error({ err }, 'account e-mail failed'))
      .finally(() => inflight.delete(p));
    inflight.add(p);
  };
  app.decorate('mailIdle', async () => {
    while (inflight.size > 0) await Promise.all(inflight);
  });
  app.addHook('onClose', async () => app.mailIdle());

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/password/forgot',
    access: { kind: 'public' },
    body: ForgotBody,
    rateLimit: FORM_RATE_LIMIT,
    handler: async (_request, reply, { body }) => {
      const email = normaliseEmail(body.email);
      background(async () => {
        const { rows } = await db.query<{ id: string; email: string; display_name: string }>(
          'SELECT id, email, display_name FROM accounts WHERE email = $1 AND disabled_at IS NULL',
          [email],
        );
        const row = rows[0];
        if (row) await sendAccountLink(deps, { id: row.id, email: row.email, displayName: row.display_name }, 'reset');
      });
      return reply.code(202).send({ ok: true });
    },
  });

  const linkRoute = (url: string, purpose: TokenPurpose) =>
    defineRoute(app, {
      method: 'POST',
      url,
      access: { kind: 'public' },
      body: TokenBody,
      rateLimit: FORM_RATE_LIMIT,
      handler: async (_request, reply, { body }) => {
        // The rules that need no account first: a short password is named even with a bad link.
        await assertPasswordAccepted(body.password, null);
        // One transaction: a password the policy refuses rolls the token's use back.
        const { accountId, email } = await db.transaction(async (tx) => {
          const id = await consumeToken(tx, body.token, purpose, now());
          if (!id) throw portalErrors.create('PORTAL_LINK_INVALID');
          return { accountId: id, ...(await storePassword(tx, id, body.password, now())) };
        });
        await afterPasswordSet(sessions, limiter, accountId, email);
        log.info({ accountId, purpose }, 'password set from an e-mailed link');
        return reply.code(204).send();
      },
    });
  linkRoute('/api/auth/password/reset', 'reset');
  linkRoute('/api/auth/invitation/accept', 'invite');

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/password/change',
    access: { kind: 'session', beforeSecondFactor: true },
    body: ChangeBody,
    handler: async (request, reply, { body }) => {
      const account = request.account!;
      const { rows } = await db.query<{ password_hash: string }>('SELECT password_hash FROM accounts WHERE id = $1', [account.accountId]);
      if (!(await verifyPassword(rows[0]?.password_hash ?? null, body.current))) throw portalErrors.create('PORTAL_LOGIN_FAILED');
      const { email } = await storePassword(db, account.accountId, body.password, now());
      await afterPasswordSet(sessions, limiter, account.accountId, email, account.sessionId);
      return reply.code(204).send();
    },
  });
}
