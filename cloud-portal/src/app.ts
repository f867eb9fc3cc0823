import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { cloudErrorHandler, cloudNotFoundHandler, ingestRoutes } from '@vigie/cloud-ingest';
import type { Db } from '@vigie/cloud-ingest/db';
import { dataPaths, type Logger } from '@vigie/common';
import { PatientAccess } from './access/patient-access.ts';
import { registerAuthRoutes } from './auth/auth-routes.ts';
import { csrfGuard, requireSession } from './auth/guards.ts';
import { SessionStore } from './auth/sessions.ts';
import type { CloudConfig } from './config.ts';
import { registerDemoRoutes } from './demo/demo-routes.ts';
import { addSecurityHeaders } from './http/security-headers.ts';
import { registerEventsRoute } from './live/events-route.ts';
import { LiveEvents } from './live/live-events.ts';
import { registerPatientRoutes } from './patients/patient-routes.ts';
import { registerWeb } from './web/web-routes.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** The portal's live-event fan-out (portal role only; tests read its subscriber count). */
    liveEvents?: LiveEvents;
  }
}

/** Which halves of the cloud this process serves. */
export interface CloudRoles {
  readonly ingest: boolean;
  readonly portal: boolean;
}

/** Dependencies of {@link buildCloudApp}. */
export interface CloudAppOptions {
  readonly db: Db;
  readonly config: CloudConfig;
  readonly log: Logger;
  readonly roles: CloudRoles;
  /** Epoch ms; injected so tests control time (sessions, plausibility, default ranges). */
  readonly now?: () => number;
  /** SSE keep-alive interval (default 15 s). */
  readonly keepAliveMs?: number;
  /** Web build directory (default cloud-portal/web/dist). */
  readonly webDistDir?: string;
}

/**
 * Portal API bodies are small JSON documents (a login); ingest routes raise their own limit.
 */
const PORTAL_BODY_LIMIT = 64 * 1024;

/**
 * The cloud's HTTP application: ingest routes, portal routes, or both, on one database. Not
 * listening: tests use `app.inject()`, `vigie-cloud` calls `listen()`. Closing the app stops the
 * live-event listener; it does not close the database, which belongs to the caller.
 */
export async function buildCloudApp(options: CloudAppOptions): Promise<FastifyInstance> {
  const { db, config, log, roles } = options;
  const now = options.now ?? Date.now;
  const app = Fastify({
    // Typed as Fastify's base logger so the app keeps the default FastifyInstance type.
    loggerInstance: log.child({ module: 'http' }) as FastifyBaseLogger,
    // 200 requests/s of ingest would drown the log; failures are logged by the error handler.
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: config.VIGIE_TRUST_PROXY,
    bodyLimit: PORTAL_BODY_LIMIT,
  });
  app.setErrorHandler(cloudErrorHandler);
  // JSON only: Fastify's default text/plain parser would hand handlers raw strings.
  app.removeContentTypeParser('text/plain');
  addSecurityHeaders(app);

  if (roles.ingest) await app.register(ingestRoutes, { db, log, now });

  if (!roles.portal) {
    app.setNotFoundHandler(cloudNotFoundHandler);
    return app;
  }
  await app.register(fastifyCookie);
  app.addHook('onRequest', csrfGuard);
  const sessions = new SessionStore(db, now);
  const session = requireSession(sessions);
  const access = new PatientAccess(db);
  const live = new LiveEvents({ db, access, log });
  app.decorate('liveEvents', live);
  app.addHook('onReady', () => live.start());
  app.addHook('onClose', () => live.stop());

  registerAuthRoutes(app, { db, sessions, log });
  registerPatientRoutes(app, { db, access, session, now });
  registerEventsRoute(app, { db, live, sessions, session, keepAliveMs: options.keepAliveMs });
  if (config.VIGIE_DEMO) registerDemoRoutes(app, { paths: dataPaths(config.VIGIE_DATA_DIR), session });
  await registerWeb(app, options.webDistDir);
  return app;
}
