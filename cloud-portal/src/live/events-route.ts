import type { FastifyInstance } from 'fastify';
import type { Db } from '@vigie/cloud-store';
import { recordAccess } from '../access/access-log.ts';
import { defineRoute } from '../access/route-access.ts';
import { SESSION_COOKIE } from '../auth/guards.ts';
import type { SessionStore } from '../auth/sessions.ts';
import { SECURITY_HEADERS } from '../http/security-headers.ts';
import type { LiveEvents, LiveMessage } from './live-events.ts';
import { liveStreamClients } from '../ops/http-metrics.ts';

/** Proxies and browsers drop a silent stream; a comment this often keeps it open. */
export const KEEP_ALIVE_MS = 15_000;

/**
 * `GET /api/events`: server-sent events for the logged-in account (`reading`, `alert`, `fleet`). At each
 * keep-alive the session is checked again (without sliding it: an open tab is not activity), so
 * a logout or an expiry ends the stream within one interval.
 */
export function registerEventsRoute(
  app: FastifyInstance,
  deps: { db: Db; live: LiveEvents; sessions: SessionStore; keepAliveMs?: number },
): void {
  const keepAliveMs = deps.keepAliveMs ?? KEEP_ALIVE_MS;
  const open = new Set<() => void>();
  const clients = liveStreamClients();
  // Streams never end by themselves: end them, or closing the server would wait for the clients.
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
    for (const end of open) end();
  });

  defineRoute(app, { method: 'GET', url: '/api/events', access: { kind: 'session' }, handler: async (request, reply) => {
    const account = request.account!;
    await recordAccess(deps.db, { accountId: account.accountId, action: 'events.subscribe' });
    const token = request.cookies[SESSION_COOKIE];
    // The stream outlives Fastify's reply cycle: take the raw socket over.
    reply.hijack();
    const raw = reply.raw;
    // The client may have left (or the server begun closing) during the access-log write: its
    // 'close' is past, and a stream opened now would never be stopped (its keep-alive interval
    // would keep the process alive, and closing the server would wait for it).
    if (closing || raw.destroyed || !raw.socket || raw.socket.destroyed) {
      raw.destroy();
      return;
    }
    raw.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      // nginx would otherwise buffer the stream.
      'x-accel-buffering': 'no',
    });
    raw.write('retry: 5000\n\n');

    const write = (message: LiveMessage) => raw.write(`event: ${message.event}\ndata: ${JSON.stringify(message.data)}\n\n`);
    const unsubscribe = deps.live.subscribe(account.accountId, write);
    const timer = setInterval(() => {
      void deps.sessions
        .resolve(token, false)
        .then((still) => (still ? raw.write(': keep-alive\n\n') : raw.end()))
        .catch(() => raw.end());
    }, keepAliveMs);
    const end = () => raw.end();
    open.add(end);
    clients.inc();
    let stopped = false;
    const stop = () => {
      if (!stopped) clients.dec();
      stopped = true;
      clearInterval(timer);
      unsubscribe();
      open.delete(end);
    };
    raw.on('close', stop);
    raw.on('error', stop);
  } });
}
