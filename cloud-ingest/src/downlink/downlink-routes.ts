import type { KeyObject } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { completeCommand, currentBoxConfig, currentScreenNotice, pendingCommands, recordConfigFetch, type Db } from '@vigie/cloud-store';
import { httpErrors } from '@vigie/common/http';
import { BoxCommandResult, SCHEMA_VERSION } from '@vigie/protocol';
import { parseMessage } from '../pipeline/validate.ts';

/** The ETag of a configuration version: the box sends it back in If-None-Match. */
export const configEtag = (version: number) => `"cfg-${version}"`;

function parseEtag(header: string | undefined): number | null {
  const match = /^(?:W\/)?"cfg-(\d{1,9})"$/.exec(header?.trim() ?? '');
  return match ? Number(match[1]) : null;
}

function parseVersionParam(value: unknown, name: string): number | null {
  if (value === undefined) return null;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) {
    throw httpErrors.create('CLOUD_BAD_REQUEST', { message: `${name}: expected a version number`, details: { field: name } });
  }
  return Number(value);
}

/**
 * The box-facing downlink routes, registered by `ingestRoutes` (which authenticates the box first):
 *
 * - `GET /ingest/v1/config[?since=N&local=1]`: the current configuration (`BoxConfig`, ETag
 *   `"cfg-N"`); 304 when the box already holds it (`If-None-Match` or `since` ≥ the current
 *   version); 204 when none was ever saved. `since`/`local` also record what the box holds.
 * - `GET /ingest/v1/commands`: `BoxCommandList`, the commands not yet reported done, and the
 *   screen notice (« Questionnaire du jour ») when one is due.
 * - `POST /ingest/v1/commands/:id/done`: `BoxCommandResult`; 204, idempotent.
 */
export function downlinkRoutes(app: FastifyInstance, options: { db: Db; now: () => number; commandKey?: KeyObject | (() => KeyObject | undefined) }): void {
  const { db, now, commandKey } = options;
  const signingKey = typeof commandKey === 'function' ? commandKey : () => commandKey;
  app.get('/ingest/v1/config', async (request, reply) => {
    const boxId = request.boxId!;
    const query = request.query as Record<string, unknown>;
    const since = parseVersionParam(query.since, 'since');
    const localChanges = query.local === '1';
    const held = since ?? parseEtag(request.headers['if-none-match']);
    await recordConfigFetch(db, boxId, { version: held, localChanges, at: now() });
    const current = await currentBoxConfig(db, boxId);
    if (!current) return reply.code(204).send();
    void reply.header('etag', configEtag(current.version)).header('cache-control', 'no-cache');
    if (held !== null && held >= current.version) return reply.code(304).send();
    return current;
  });
  app.get('/ingest/v1/commands', async (request) => {
    const screen = await currentScreenNotice(db, request.boxId!, now());
    return {
      v: SCHEMA_VERSION,
      boxId: request.boxId!,
      commands: await pendingCommands(db, request.boxId!, signingKey()),
      // Absent: nothing to show (the box clears a notice it showed).
      ...(screen ? { screen } : {}),
    };
  });
  app.post('/ingest/v1/commands/:id/done', { bodyLimit: 16 * 1024 }, async (request, reply) => {
    const { id } = request.params as { id: string };
    await completeCommand(db, parseMessage(BoxCommandResult, request.body, request.boxId!), request.boxId!, id, now());
    return reply.code(204).send();
  });
}
