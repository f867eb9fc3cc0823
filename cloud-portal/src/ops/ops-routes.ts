import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { HealthChecks, MetricsRegistry } from '@vigie/common/metrics';
import { isLoopbackHost } from '../http/loopback.ts';
import { portalErrors } from '../errors.ts';

/** Options of {@link registerOpsRoutes}. */
export interface OpsRoutesOptions {
  readonly metrics: MetricsRegistry;
  readonly health: HealthChecks;
  /**
   * `VIGIE_METRICS_TOKEN`: Prometheus sends it as a bearer token. Unset: `/metrics` answers
   * loopback clients only (a scraper on the same host, a sidecar, the tests).
   */
  readonly metricsToken?: string | undefined;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function mayScrape(request: FastifyRequest, token: string | undefined): boolean {
  if (token) return sameSecret(request.headers.authorization ?? '', `Bearer ${token}`);
  return isLoopbackHost(request.socket.remoteAddress ?? '');
}

/**
 * The operator's endpoints of every cloud process (each listener of it):
 * - `GET /healthz`: liveness, the process answers (nothing outside it is checked);
 * - `GET /readyz`: readiness, every dependency answers (the database; Kafka when configured;
 *   what later roles add): 200, or 503 with the failing check named;
 * - `GET /metrics`: the Prometheus exposition of the process (box metrics included on ingest).
 * None carries patient data; `/metrics` still names boxes, hence its token.
 */
export function registerOpsRoutes(app: FastifyInstance, options: OpsRoutesOptions): void {
  const config = { access: { kind: 'public' as const }, noStore: true };
  app.get('/healthz', { config }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config }, async (_request, reply) => {
    const readiness = await options.health.readiness();
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? 'ready' : 'not_ready', checks: readiness.checks });
  });
  app.get('/metrics', { config }, async (request, reply) => {
    if (!mayScrape(request, options.metricsToken)) throw portalErrors.create('PORTAL_METRICS_FORBIDDEN');
    const text = await options.metrics.text();
    return reply.type(options.metrics.contentType).send(text);
  });
}
