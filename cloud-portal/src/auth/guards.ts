import type { FastifyReply, FastifyRequest } from 'fastify';
import { portalErrors } from '../errors.ts';
import type { SessionAccount, SessionStore } from './sessions.ts';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'vigie_session';
/** Header every state-changing API request must carry (a cross-site form cannot set one). */
export const CSRF_HEADER = 'x-vigie-csrf';

declare module 'fastify' {
  interface FastifyRequest {
    /** The logged-in account, set by {@link requireSession}. */
    account?: SessionAccount;
  }
}

/**
 * CSRF defence in depth next to SameSite=Strict: a request to a route declared with `csrf`
 * (every state-changing `defineRoute` route by default) must carry `x-vigie-csrf: 1`. Browsers
 * only let a page set custom headers on same-origin requests (or after a CORS preflight, which
 * this server never grants). Decided by the matched route's config, never by the URL's spelling:
 * `/%61pi/…`, which the router decodes to `/api/…`, is checked like `/api/…` (issue 10, finding 4).
 * An `onRequest` hook: it runs before the access check and before the body is read.
 */
export async function csrfGuard(request: FastifyRequest): Promise<void> {
  if (request.is404 || request.routeOptions.config.csrf !== true) return;
  if (request.headers[CSRF_HEADER] !== '1') throw portalErrors.create('PORTAL_CSRF_HEADER_MISSING');
}

/** A preHandler that admits only requests with a live session, and sets `request.account`. */
export function requireSession(sessions: SessionStore) {
  return async function sessionGuard(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const account = await sessions.resolve(request.cookies[SESSION_COOKIE]);
    if (!account) throw portalErrors.create('PORTAL_UNAUTHENTICATED');
    request.account = account;
  };
}
