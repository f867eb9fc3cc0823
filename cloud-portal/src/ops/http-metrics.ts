import type { FastifyInstance } from 'fastify';
import { processMetrics } from '@vigie/common/metrics';

/**
 * Latency of every answered request by route TEMPLATE (`/api/patients/:id/alerts`), never the raw
 * URL: a raw URL would put patient ids in a label and give Prometheus one series per patient. An
 * unmatched request (404 of no route) is counted under `route="unmatched"`.
 */
export function observeHttpLatency(app: FastifyInstance, service: string): void {
  const duration = processMetrics().histogram<'service' | 'method' | 'route' | 'status_code'>({
    name: 'vigie_http_request_duration_seconds',
    help: 'Time from request received to response sent, by route template',
    labelNames: ['service', 'method', 'route', 'status_code'],
    // 5 ms … 10 s: the portal answers in tens of ms, an ingest batch write in hundreds.
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  });
  app.addHook('onResponse', async (request, reply) => {
    const route = request.is404 || !request.routeOptions.url ? 'unmatched' : request.routeOptions.url;
    duration.observe({ service, method: request.method, route, status_code: String(reply.statusCode) }, reply.elapsedTime / 1_000);
  });
}

/** The live-event streams (SSE) open right now in this process. */
export function liveStreamClients() {
  return processMetrics().gauge({ name: 'vigie_portal_live_stream_clients', help: 'Open live-event streams (server-sent events)' });
}
