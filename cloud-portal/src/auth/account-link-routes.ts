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
import { hashPassword, verifyPassword } from './passwords.ts';
import type { SessionStore } from './sessions.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Resolves when the e-mails queued so far are sent (tests; shutdown). */
    mailIdle(): Promise<void>;
  }
}

/** A new password: long enough to resist guessing, short enough to hash cheaply. */
export const NewPassword = Type.String({ minLength: 10, maxLength: 1024 });
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

/** Set a new password, end every session of the account (but `keepSessionId`), clear the failure counter. */
async function setPassword(db: Db, sessions: SessionStore, limiter: LoginLimiter, accountId: string, password: string, now: number, keepSessionId?: string) {
  const hash = await hashPassword(password);
  const { rows } = await db.query<{ email: string }>(
    'UPDATE accounts SET password_hash = $2, password_changed_at = $3 WHERE id = $1 AND disabled_at IS NULL RETURNING email',
    [accountId, hash, new Date(now).toISOString()],
  );
  if (!rows[0]) throw portalErrors.create('PORTAL_LINK_INVALID');
  await sessions.destroyAll(accountId, keepSessionId);
  await limiter.clear(rows[0].email);
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
        const accountId = await consumeToken(db, body.token, purpose, now());
        if (!accountId) throw portalErrors.create('PORTAL_LINK_INVALID');
        await setPassword(db, sessions, limiter, accountId, body.password, now());
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
      await setPassword(db, sessions, limiter, account.accountId, body.password, now(), account.sessionId);
      return reply.code(204).send();
    },
  });
}
