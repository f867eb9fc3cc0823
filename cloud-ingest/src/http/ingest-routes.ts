import type { KeyObject } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { silentLogger, type Logger } from '@vigie/common';
import type { Db } from '@vigie/cloud-store';
import { recordAlert } from '../pipeline/alert-intake.ts';
import { recordHeartbeat } from '../pipeline/heartbeat-intake.ts';
import { TelemetryPipeline } from '../pipeline/telemetry-pipeline.ts';
import { authenticateBox } from './box-auth.ts';
import { downlinkRoutes } from '../downlink/downlink-routes.ts';
import { cloudErrorHandler } from '@vigie/common/http';

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
  const pipeline = new TelemetryPipeline({ db, log, now: options.now });

  // Registered here too so the plugin answers in the catalogue's shape even when mounted alone.
  app.setErrorHandler(cloudErrorHandler);
  // Boxes speak JSON only; Fastify would otherwise also accept text/plain bodies as strings.
  app.removeContentTypeParser('text/plain');
  app.decorateRequest('boxId', undefined);
  // onRequest, before the body is read: an unauthenticated client cannot make us parse anything.
  app.addHook('onRequest', async (request) => {
    request.boxId = await authenticateBox(db, request.headers.authorization);
  });

  const route = { bodyLimit: INGEST_BODY_LIMIT } as const;
  app.post('/ingest/v1/telemetry', route, async (request) => pipeline.process(request.body, request.boxId!));
  const now = options.now ?? Date.now;
  app.post('/ingest/v1/alerts', route, async (request) => recordAlert(db, request.body, request.boxId!, log, now()));
  app.post('/ingest/v1/heartbeats', route, async (request, reply) => {
    await recordHeartbeat(db, request.body, request.boxId!, now());
    return reply.code(204).send();
  });
  // The downlink: configuration and commands (docs in cloud-ingest/README.md, "Downlink").
  downlinkRoutes(app, { db, now, ...(options.commandKey ? { commandKey: options.commandKey } : {}) });
};
