import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyPluginAsync } from 'fastify';
import fastifyCookie from '@fastify/cookie';
import { cloudErrorHandler, cloudNotFoundHandler } from '@vigie/common/http';
import type { Db } from '@vigie/cloud-store';
import { dataPaths, type Logger } from '@vigie/common';
import { captureRequestClient } from './access/access-log.ts';
import { PatientAccess } from './access/patient-access.ts';
import { enforceAccess, trackRoutes, withDefaultAccess } from './access/route-access.ts';
import { registerAdminRoutes } from './admin/admin-routes.ts';
import { createMailer } from './mail/mailer.ts';
import { registerRegistrationReviewRoutes } from './registration/registration-review.ts';
import { registerErasureRoutes } from './privacy/erasure-routes.ts';
import { registerRegistrationRoutes } from './registration/registration-routes.ts';
import { registerAuthRoutes } from './auth/auth-routes.ts';
import { csrfGuard } from './auth/guards.ts';
import { staffTotpPolicy } from './auth/second-factor.ts';
import { SessionStore } from './auth/sessions.ts';
import type { CloudConfig } from './config.ts';
import { registerDemoRoutes } from './demo/demo-routes.ts';
import { isLoopbackHost } from './http/loopback.ts';
import { addSecurityHeaders } from './http/security-headers.ts';
import { registerEventsRoute } from './live/events-route.ts';
import { registerFhirRoutes } from './fhir/fhir-routes.ts';
import { LiveEvents } from './live/live-events.ts';
import { registerPatientRoutes } from './patients/patient-routes.ts';
import { registerReportRoutes, type PortalReports } from './reports/report-routes.ts';
import { registerQuestionnaireRoutes } from './questionnaire/questionnaire-routes.ts';
import { registerWeb } from './web/web-routes.ts';
import { registerViewRoutes } from './views/index.ts';
import { HealthChecks, processMetrics } from '@vigie/common/metrics';
import { observeHttpLatency } from './ops/http-metrics.ts';
import { registerOpsRoutes } from './ops/ops-routes.ts';

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
  /** The update service's box-facing routes (`/updates/v1`), when `updateRoutes` are given. */
  readonly updates?: boolean;
}

/**
 * The update service's routes (`@vigie/cloud-updates`), bound to their options by the composition
 * root: `box` under the box access rule (the plugin checks the token), `admin` under the admin rule
 * on the portal (a route of it may declare its own rule, e.g. support's view of one box).
 */
export interface UpdateRoutes {
  readonly box: FastifyPluginAsync;
  readonly admin: FastifyPluginAsync;
}

/**
 * The box-facing routes (`ingestRoutes` of `@vigie/cloud-ingest`), handed in by the composition
 * root (`cloud-runtime`) when this app serves the ingest role: the portal library never depends on
 * another service, only on the store.
 */
export type IngestRoutes = FastifyPluginAsync<{ readonly db: Db; readonly log?: Logger; readonly now?: () => number }>;

/** Dependencies of {@link buildCloudApp}. */
export interface CloudAppOptions {
  readonly db: Db;
  readonly config: CloudConfig;
  readonly log: Logger;
  readonly roles: CloudRoles;
  /** Required when `roles.ingest`: the routes mounted under `/ingest/v1`. */
  readonly ingestRoutes?: IngestRoutes;
  /** The update service's routes: box ones when `roles.updates`, admin ones with the portal. */
  readonly updateRoutes?: UpdateRoutes;
  /** Epoch ms; injected so tests control time (sessions, plausibility, default ranges). */
  readonly now?: () => number;
  /** SSE keep-alive interval (default 15 s). */
  readonly keepAliveMs?: number;
  /** Web build directory (default cloud-portal/web/dist). */
  readonly webDistDir?: string;
  /**
   * This app is the admin listener (VIGIE_ADMIN_PORT): it serves `/admin/api/*`. When
   * VIGIE_ADMIN_PORT is set, other apps answer 404 there. Default false.
   */
  readonly adminListener?: boolean;
  /** The VAPID public key browsers subscribe with (null or absent: push not configured). */
  readonly vapidPublicKey?: () => string | null;
  /** PEM certificate and key: the app serves HTTPS (otherwise HTTP behind a TLS proxy). */
  readonly tls?: { readonly cert: string; readonly key: string };
  /**
   * What `/readyz` checks (cloud-runtime adds the database and Kafka); default: the database.
   * Every listener of a process shares the process's metrics registry.
   */
  readonly health?: HealthChecks;
  /** The report store and request transport (cloud-runtime lends them; absent: downloads answer 503). */
  readonly reports?: PortalReports;
}

/** A health registry that checks the database only (an app built alone, e.g. in a test). */
function databaseHealth(db: Db): HealthChecks {
  const health = new HealthChecks();
  health.add('database', async () => void (await db.query('SELECT 1')));
  return health;
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
    ...(options.tls ? { https: { cert: options.tls.cert, key: options.tls.key, minVersion: 'TLSv1.2' as const } } : {}),
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
  // Every route declares who may call it; one without a rule stops the start (route-access.ts).
  trackRoutes(app);
  // Operators: latency per route template, liveness, readiness and the Prometheus exposition.
  observeHttpLatency(app, roles.portal ? (roles.ingest ? 'all' : 'portal') : 'ingest');
  registerOpsRoutes(app, { metrics: processMetrics(), health: options.health ?? databaseHealth(db), metricsToken: config.VIGIE_METRICS_TOKEN });

  // The ingest authenticates boxes itself (bearer token, in its own onRequest hook).
  if (roles.ingest) {
    const ingestRoutes = options.ingestRoutes;
    if (!ingestRoutes) throw new Error('buildCloudApp: roles.ingest needs options.ingestRoutes (see cloud-runtime)');
    await withDefaultAccess(app, { kind: 'box' }, async (scope) => void (await scope.register(ingestRoutes, { db, log, now })));
  }

  const updateRoutes = options.updateRoutes;
  if (roles.updates) {
    if (!updateRoutes) throw new Error('buildCloudApp: roles.updates needs options.updateRoutes (see cloud-runtime)');
    await withDefaultAccess(app, { kind: 'box' }, async (scope) => void (await scope.register(updateRoutes.box)));
  }

  if (!roles.portal) {
    app.setNotFoundHandler(cloudNotFoundHandler);
    return app;
  }
  await app.register(fastifyCookie);
  // First: the access log reads the client's address and user agent from the request context.
  captureRequestClient(app);
  app.addHook('onRequest', csrfGuard);
  const sessions = new SessionStore(db, now);
  const access = new PatientAccess(db);
  enforceAccess(app, {
    db,
    sessions,
    access,
    adminRoutes: options.adminListener === true || config.VIGIE_ADMIN_PORT === undefined ? 'here' : 'elsewhere',
    staffTotp: staffTotpPolicy(config),
  });
  const mailer = createMailer(config, log);
  app.decorate('mailer', mailer);
  const live = new LiveEvents({ db, access, log });
  app.decorate('liveEvents', live);
  app.addHook('onReady', () => live.start());
  app.addHook('onClose', () => live.stop());

  await registerAuthRoutes(app, { db, sessions, log, config, mailer, now });
  registerPatientRoutes(app, { db, access, now });
  registerViewRoutes(app, { db, access, now });
  await registerFhirRoutes(app, { db, access, config, now });
  registerReportRoutes(app, { db, access, now, ...(options.reports ? { reports: options.reports } : {}) });
  registerQuestionnaireRoutes(app, { db, now, vapidPublicKey: options.vapidPublicKey ?? (() => null) });
  registerEventsRoute(app, { db, live, sessions, keepAliveMs: options.keepAliveMs });
  const adminDeps = { db, sessions, mailer, config, log, now };
  registerAdminRoutes(app, adminDeps);
  registerRegistrationReviewRoutes(app, adminDeps);
  registerErasureRoutes(app, adminDeps);
  if (updateRoutes) await withDefaultAccess(app, { kind: 'admin' }, async (scope) => void (await scope.register(updateRoutes.admin)));
  await registerRegistrationRoutes(app, { db, config, log, now });
  // The demo surface (SMS with phone numbers, captured reset links) never faces a network, even
  // when VIGIE_DEMO_ALLOW_REMOTE lets the demo itself listen beyond loopback.
  if (config.VIGIE_DEMO && isLoopbackHost(config.HOST)) registerDemoRoutes(app, { paths: dataPaths(config.VIGIE_DATA_DIR), mailer });
  await withDefaultAccess(app, { kind: 'public' }, (scope) => registerWeb(scope, options.webDistDir));
  return app;
}
