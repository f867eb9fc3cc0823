import type { FastifyInstance } from 'fastify';
import { Type } from '@sinclair/typebox';
import type { Db } from '@vigie/cloud-ingest/db';
import type { Logger } from '@vigie/common';
import type { AccountRole, Locale, PortalUser } from '../api-types.ts';
import { portalErrors } from '../errors.ts';
import { parseBody } from '../http/request-input.ts';
import { normaliseEmail, toUser } from './accounts.ts';
import { requireSession, SESSION_COOKIE } from './guards.ts';
import { verifyPassword } from './passwords.ts';
import { SESSION_ABSOLUTE_MS, type SessionAccount, type SessionStore } from './sessions.ts';

const LoginBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) },
  { additionalProperties: false },
);

function userOf(account: SessionAccount): PortalUser {
  return { id: account.accountId, email: account.email, displayName: account.displayName, role: account.role, locale: account.locale };
}

/** `POST /api/auth/login`, `POST /api/auth/logout`, `GET /api/me`. */
export function registerAuthRoutes(app: FastifyInstance, deps: { db: Db; sessions: SessionStore; log: Logger }): void {
  const { db, sessions } = deps;
  const log = deps.log.child({ module: 'auth' });

  app.post('/api/auth/login', async (request, reply) => {
    const body = parseBody(LoginBody, request.body);
    const { rows } = await db.query<{ id: string; email: string; display_name: string; role: AccountRole; locale: Locale; password_hash: string }>(
      'SELECT id, email, display_name, role, locale, password_hash FROM accounts WHERE email = $1 AND disabled_at IS NULL',
      [normaliseEmail(body.email)],
    );
    const row = rows[0];
    // Verify even without an account (dummy hash): same work, same time, same answer.
    const ok = await verifyPassword(row?.password_hash ?? null, body.password);
    if (!row || !ok) {
      log.info({ known: Boolean(row) }, 'login refused');
      throw portalErrors.create('PORTAL_LOGIN_FAILED');
    }
    // A fresh token at each login, and the one the browser held before dies: no session fixation.
    await sessions.destroy(request.cookies[SESSION_COOKIE]);
    const { token } = await sessions.create(row.id);
    void reply.setCookie(SESSION_COOKIE, token, {
      httpOnly: true,
      sameSite: 'strict',
      path: '/',
      secure: request.protocol === 'https',
      maxAge: SESSION_ABSOLUTE_MS / 1000,
    });
    log.info({ accountId: row.id }, 'login');
    return { user: toUser(row) };
  });

  app.post('/api/auth/logout', async (request, reply) => {
    await sessions.destroy(request.cookies[SESSION_COOKIE]);
    void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
    return reply.code(204).send();
  });

  app.get('/api/me', { preHandler: requireSession(sessions) }, async (request) => ({ user: userOf(request.account!) }));
}
