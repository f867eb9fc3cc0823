import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyRateLimit from '@fastify/rate-limit';
import { databaseRateLimitStore } from './rate-limit-store.ts';
import { Type } from '@sinclair/typebox';
import { sha256Hex, type Db } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import { randomBytes } from 'node:crypto';
import type { AccountRole, Locale, PortalUser } from '../api-types.ts';
import { defineRoute } from '../access/route-access.ts';
import { STAFF_ROLES } from '../access/rules.ts';
import type { CloudConfig } from '../config.ts';
import { portalErrors } from '../errors.ts';
import type { Mailer } from '../mail/mailer.ts';
import { normaliseEmail, toUser } from './accounts.ts';
import { registerAccountLinkRoutes } from './account-link-routes.ts';
import { SESSION_COOKIE } from './guards.ts';
import { LoginLimiter } from './login-limiter.ts';
import { verifyPassword } from './passwords.ts';
import { SecretBox } from './secret-box.ts';
import { registerSecondFactorRoutes, staffTotpPolicy, verifySecondFactor, type TotpSecrets } from './second-factor.ts';
import { SESSION_ABSOLUTE_MS, type SessionAccount, type SessionStore } from './sessions.ts';

/**
 * Per-IP limits, keyed by `request.ip`: the client address through trusted proxies only
 * (`VIGIE_TRUST_PROXY`, default none), so a forged X-Forwarded-For is not a new address.
 * Per-(account, source) and per-account second-factor failures are counted by {@link LoginLimiter}.
 */
export const LOGIN_RATE_LIMIT = { max: 30, timeWindow: 60_000 } as const;
/** How long the second-factor step of a login stays open, and how many codes it accepts. */
const CHALLENGE_TTL_MS = 5 * 60_000;
const CHALLENGE_ATTEMPTS = 5;

const LoginBody = Type.Object({ email: Type.String({ minLength: 1, maxLength: 254 }), password: Type.String({ minLength: 1, maxLength: 1024 }) }, { additionalProperties: false });
const SecondFactorBody = Type.Object(
  { challenge: Type.String({ minLength: 16, maxLength: 128 }), code: Type.String({ minLength: 6, maxLength: 32 }) },
  { additionalProperties: false },
);

/** Dependencies of {@link registerAuthRoutes}. */
export interface AuthDeps {
  readonly db: Db;
  readonly sessions: SessionStore;
  readonly log: Logger;
  readonly config: CloudConfig;
  readonly mailer: Mailer;
  readonly now: () => number;
}

interface AccountRow {
  id: string;
  email: string;
  display_name: string;
  role: AccountRole;
  locale: Locale;
  password_hash: string;
  totp_enabled: boolean;
}

/** 429 PORTAL_TOO_MANY_ATTEMPTS with `Retry-After` (RFC 9110 §10.2.3) in whole seconds. */
function tooManyAttempts(reply: FastifyReply, waitMs: number): Error {
  void reply.header('retry-after', String(Math.ceil(waitMs / 1000)));
  return portalErrors.create('PORTAL_TOO_MANY_ATTEMPTS', { message: `Too many attempts; try again in ${Math.ceil(waitMs / 1000)} s` });
}

function userOf(account: SessionAccount): PortalUser {
  return { id: account.accountId, email: account.email, displayName: account.displayName, role: account.role, locale: account.locale };
}

/** Set the session cookie: httpOnly, SameSite=Strict, Secure over HTTPS. */
export function setSessionCookie(request: FastifyRequest, reply: FastifyReply, token: string): void {
  void reply.setCookie(SESSION_COOKIE, token, {
    httpOnly: true,
    sameSite: 'strict',
    path: '/',
    secure: request.protocol === 'https',
    maxAge: SESSION_ABSOLUTE_MS / 1000,
  });
}

/**
 * Login (password, then the TOTP code for accounts that enrolled one), logout, `GET /api/me`, and
 * the routes of the second factor and of e-mailed links. Registers @fastify/rate-limit (per IP,
 * opt-in per route through `defineRoute({ rateLimit })`, counters shared in the database).
 */
export async function registerAuthRoutes(app: FastifyInstance, deps: AuthDeps): Promise<void> {
  const { db, sessions, now } = deps;
  const log = deps.log.child({ module: 'auth' });
  const limiter = new LoginLimiter(db, now);
  // The key that seals TOTP secrets: an invalid VIGIE_SECRETS_KEY or key file stops the start here.
  const secrets: TotpSecrets = { box: await SecretBox.forConfig(deps.config), log: deps.log.child({ module: 'second-factor' }) };
  if (deps.config.DATABASE_URL && !deps.config.VIGIE_SECRETS_KEY) {
    // A shared PostgreSQL usually means several portal instances, each with its own key file.
    secrets.log.warn('VIGIE_SECRETS_KEY is unset: TOTP secrets use this instance\'s key file; set one VIGIE_SECRETS_KEY on every portal instance');
  }
  await app.register(fastifyRateLimit, {
    global: false,
    // Counters in the database: every portal instance shares them (issue 17).
    store: databaseRateLimitStore(db),
    // Thrown: the cloud's error handler answers it in the catalogue's shape.
    errorResponseBuilder: () => portalErrors.create('PORTAL_TOO_MANY_ATTEMPTS'),
  });

  const openSession = async (request: FastifyRequest, reply: FastifyReply, row: AccountRow) => {
    // A fresh token at each login, and the one the browser held before dies: no session fixation.
    await sessions.destroy(request.cookies[SESSION_COOKIE]);
    const { token } = await sessions.create(row.id);
    setSessionCookie(request, reply, token);
    log.info({ accountId: row.id }, 'login');
    return { user: toUser(row) };
  };

  const accountByEmail = async (email: string) =>
    (
      await db.query<AccountRow>(
        `SELECT id, email, display_name, role, locale, password_hash, totp_enabled_at IS NOT NULL AS totp_enabled
           FROM accounts WHERE email = $1 AND disabled_at IS NULL`,
        [normaliseEmail(email)],
      )
    ).rows[0];

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/login',
    access: { kind: 'public' },
    body: LoginBody,
    rateLimit: LOGIN_RATE_LIMIT,
    handler: async (request, reply, { body }) => {
      // Counted per (e-mail, source): a guesser elsewhere cannot lock the owner out.
      const wait = await limiter.passwordWait(body.email, request.ip);
      if (wait > 0) throw tooManyAttempts(reply, wait);
      const row = await accountByEmail(body.email);
      // Verify even without an account (dummy hash): same work, same time, same answer.
      const ok = await verifyPassword(row?.password_hash ?? null, body.password);
      if (!row || !ok) {
        await limiter.passwordFailed(body.email, request.ip);
        log.info({ known: Boolean(row) }, 'login refused');
        throw portalErrors.create('PORTAL_LOGIN_FAILED');
      }
      await limiter.passwordSucceeded(body.email, request.ip);
      if (!row.totp_enabled) return openSession(request, reply, row);
      // Password right, second factor awaited: a short-lived challenge, no session yet.
      const challenge = randomBytes(32).toString('base64url');
      await db.query('INSERT INTO login_challenges (id, account_id, expires_at) VALUES ($1, $2, $3)', [
        sha256Hex(challenge),
        row.id,
        new Date(now() + CHALLENGE_TTL_MS).toISOString(),
      ]);
      await db.query('DELETE FROM login_challenges WHERE expires_at < $1', [new Date(now()).toISOString()]);
      return { secondFactor: 'totp', challenge };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/login/second-factor',
    access: { kind: 'public' },
    body: SecondFactorBody,
    rateLimit: LOGIN_RATE_LIMIT,
    handler: async (request, reply, { body }) => {
      const id = sha256Hex(body.challenge);
      const { rows } = await db.query<{ account_id: string }>(
        `UPDATE login_challenges SET attempts = attempts + 1
          WHERE id = $1 AND expires_at > $2 AND attempts < $3 RETURNING account_id`,
        [id, new Date(now()).toISOString(), CHALLENGE_ATTEMPTS],
      );
      const accountId = rows[0]?.account_id;
      if (!accountId) throw portalErrors.create('PORTAL_SECOND_FACTOR_FAILED');
      // Per account, across challenges: entering the password again gives no fresh set of codes.
      const wait = await limiter.secondFactorWait(accountId);
      if (wait > 0) throw tooManyAttempts(reply, wait);
      if (!(await verifySecondFactor(db, secrets, accountId, body.code, now()))) {
        await limiter.secondFactorFailed(accountId);
        throw portalErrors.create('PORTAL_SECOND_FACTOR_FAILED');
      }
      await limiter.secondFactorSucceeded(accountId);
      await db.query('DELETE FROM login_challenges WHERE id = $1', [id]);
      const row = (
        await db.query<AccountRow>(
          `SELECT id, email, display_name, role, locale, password_hash, true AS totp_enabled
             FROM accounts WHERE id = $1 AND disabled_at IS NULL`,
          [accountId],
        )
      ).rows[0];
      if (!row) throw portalErrors.create('PORTAL_SECOND_FACTOR_FAILED');
      return openSession(request, reply, row);
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/auth/logout',
    access: { kind: 'public' },
    handler: async (request, reply) => {
      await sessions.destroy(request.cookies[SESSION_COOKIE]);
      void reply.clearCookie(SESSION_COOKIE, { path: '/', httpOnly: true, sameSite: 'strict', secure: request.protocol === 'https' });
      return reply.code(204).send();
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/me',
    access: { kind: 'session', beforeSecondFactor: true },
    handler: async (request) => {
      const account = request.account!;
      // `required`: this account may do nothing but enrol until it has a second factor.
      const required = staffTotpPolicy(deps.config) === 'required' && STAFF_ROLES.includes(account.role);
      return { user: userOf(account), secondFactor: { required, enrolled: account.totpEnabled } };
    },
  });

  registerSecondFactorRoutes(app, { db, now, secrets });
  registerAccountLinkRoutes(app, { ...deps, limiter });
}
