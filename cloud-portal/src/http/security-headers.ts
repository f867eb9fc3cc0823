import type { FastifyInstance } from 'fastify';

/**
 * Headers on every response. The CSP allows only this origin (the web build is served from here
 * and talks only to here); frame-ancestors 'none' and X-Frame-Options forbid framing (clickjacking).
 */
export const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; base-uri 'self'; form-action 'self'; object-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
} as const;

/**
 * HSTS (RFC 6797): browsers that reached us over HTTPS keep to HTTPS for a year, subdomains
 * included. Sent only on HTTPS answers (TLS in this process, or a trusted proxy's
 * X-Forwarded-Proto): over plain HTTP it would be ignored, and `npm start`'s http://localhost
 * must keep working.
 */
export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * Add {@link SECURITY_HEADERS} to every reply of `app`; a route declared `noStore` (every
 * `defineRoute` route by default) is never cached, whatever spelling of its path reached it
 * and whatever it answered (errors too). Decided by the matched route, never by URL prefix.
 */
export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (request, reply, payload) => {
    void reply.headers(SECURITY_HEADERS);
    if (request.protocol === 'https') void reply.header('strict-transport-security', HSTS);
    if (!request.is404 && request.routeOptions.config.noStore === true) void reply.header('cache-control', 'no-store');
    return payload;
  });
}
