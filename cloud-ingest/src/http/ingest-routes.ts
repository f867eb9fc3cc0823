import type { KeyObject } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { silentLogger, type Logger } from '@vigie/common';
import { BoxSigningKeyMessage } from '@vigie/protocol';
import type { Db } from '@vigie/cloud-store';
import { recordAlert } from '../pipeline/alert-intake.ts';
import { recordHeartbeat } from '../pipeline/heartbeat-intake.ts';
import { TelemetryPipeline } from '../pipeline/telemetry-pipeline.ts';
import { parseMessage } from '../pipeline/validate.ts';
import { registerBoxSigningKey } from '../kafka/signing-keys.ts';
import { authenticateBox } from './box-auth.ts';
import { downlinkRoutes } from '../downlink/downlink-routes.ts';
import { cloudErrorHandler } from '@vigie/common/http';
import { ingestRefusal, recordHttpDeadLetter } from './refusals.ts';
import { ingestMetrics } from '../metrics/ingest-metrics.ts';

/**
 * Largest body the ingest reads: a full batch (5,000 readings of ~80 bytes) is ~0.4 MiB, so 2 MiB
 * leaves room without letting a client make the process buffer arbitrary amounts.
 */
export const INGEST_BODY_LIMIT = 2 * 1024 * 1024;

/** Options of {@link ingestRoutes}. */
export interface IngestRoutesOptions {
  readonly db: Db;
  readonly log?: Logger;
  /** Epoch ms; injected so tests control "now". */
  readonly now?: () => number;
  /**
   * The ed25519 key that signs box commands (`loadCommandSigningKey`), or a function giving it when
   * first needed; absent or undefined: commands go unsigned and boxes refuse them.
   */
  readonly commandKey?: KeyObject | (() => KeyObject | undefined);
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The authenticated box of an ingest request. */
    boxId?: string;
  }
}

/**
 * The box-facing HTTPS endpoints, under `/ingest/v1`. Each authenticates the box by its bearer
 * token before reading the body's meaning, then hands the message to the shared pipeline stages.
 */
export const ingestRoutes: FastifyPluginAsync<IngestRoutesOptions> = async (app, options) => {
  const { db } = options;
  const log = (options.log ?? silentLogger()).child({ module: 'ingest-http' });
  const pipeline = new TelemetryPipeline({ db, log, now: options.now, transport: 'https' });
  const metrics = ingestMetrics();

  // Registered here too so the plugin answers in the catalogue's shape even when mounted alone.
  app.setErrorHandler(cloudErrorHandler);
  // Boxes speak JSON only; Fastify would otherwise also accept text/plain bodies as strings.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('boxId', undefined);
  // onRequest, before the body is read: an unauthenticated client cannot make us parse anything.
  app.addHook('onRequest', async (request) => {
    request.boxId = await authenticateBox(db, request.headers.authorization);
  });

  /**
   * A message refused whole is answered 4xx (never 5xx: the box would retry it forever and it
   * would block the box's later telemetry) and kept in `dead_letters` with its reason. The box
   * sets a 4xx message aside (appliance/src/telemetry/uplink.ts) and moves on.
   */
  const refusing =
    <T>(path: string, handle: (request: FastifyRequest, reply: FastifyReply) => Promise<T>) =>
    async (request: FastifyRequest, reply: FastifyReply): Promise<T> => {
      try {
        return await handle(request, reply);
      } catch (err) {
        const refusal = ingestRefusal(err);
        if (refusal === null || refusal.code === 'INGEST_UNAUTHORIZED') throw err;
        const field = typeof refusal.details.field === 'string' ? refusal.details.field : null;
        log.warn({ boxId: request.boxId, path, code: refusal.code, field }, 'box message refused and dead-lettered');
        metrics.deadLetters.inc({ transport: 'https', reason: refusal.code });
        await recordHttpDeadLetter(db, { path, boxId: request.boxId!, reason: refusal.code, field, body: request.body }).catch((e: unknown) =>
          log.error({ err: e, boxId: request.boxId, path }, 'dead letter of a refused message not recorded'),
        );
        throw refusal;
      }
    };

  const route = { bodyLimit: INGEST_BODY_LIMIT } as const;
  app.post(
    '/ingest/v1/telemetry',
    route,
    refusing('/ingest/v1/telemetry', async (request) => {
      metrics.messages.inc({ transport: 'https', kind: 'telemetry' });
      return pipeline.process(request.body, request.boxId!);
    }),
  );
  const now = options.now ?? Date.now;
  app.post(
    '/ingest/v1/alerts',
    route,
    refusing('/ingest/v1/alerts', async (request) => {
      metrics.messages.inc({ transport: 'https', kind: 'alert' });
      return recordAlert(db, request.body, request.boxId!, log, now());
    }),
  );
  app.post(
    '/ingest/v1/heartbeats',
    route,
    refusing('/ingest/v1/heartbeats', async (request, reply) => {
      metrics.messages.inc({ transport: 'https', kind: 'heartbeat' });
      await recordHeartbeat(db, request.body, request.boxId!, now());
      return reply.code(204).send();
    }),
  );
  // The box's Kafka signing key (public half), registered before its first Kafka message.
  app.put(
    '/ingest/v1/signing-key',
    route,
    refusing('/ingest/v1/signing-key', async (request, reply) => {
      const message = parseMessage(BoxSigningKeyMessage, request.body, request.boxId!);
      await registerBoxSigningKey(db, message.boxId, message.publicKey);
      return reply.code(204).send();
    }),
  );
  // The downlink: configuration and commands (docs in cloud-ingest/README.md, "Downlink").
  downlinkRoutes(app, { db, now, ...(options.commandKey ? { commandKey: options.commandKey } : {}) });
};
