import type { FastifyContextConfig, FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Readable } from 'node:stream';
import type { Db, Queryable } from '@vigie/cloud-store';
import { validate, type ReleaseKeyring } from '@vigie/protocol';
import { boxUpdateHistory, campaignBoxes, changeCampaign, createCampaign, listCampaigns, loadCampaign, NewCampaignBody, type CampaignAction } from './campaigns.ts';
import { updateErrors } from './errors.ts';
import { checkSignedManifest, listReleases, storeRelease, type ReleaseBlobs } from './release-store.ts';

/** The header carrying the signed manifest of an upload, base64 of its JSON (the body is the artefact). */
export const MANIFEST_HEADER = 'x-vigie-release-manifest';

/** Options of {@link updateAdminRoutes}, handed in by the composition root. */
export interface UpdateAdminRoutesOptions {
  readonly db: Db;
  readonly blobs: ReleaseBlobs;
  /** The release keys uploads are verified with (null: none configured, uploads refused 503). */
  readonly keyring: () => ReleaseKeyring | null;
  /** Largest artefact accepted, bytes. */
  readonly maxBytes: number;
  readonly now?: () => number;
  /** The account behind a request (the portal's session), for the audit trail. */
  readonly actorOf: (request: FastifyRequest) => string;
}

/**
 * A route's access settings as the portal reads them (`config.access`, `config.csrf`,
 * `config.noStore`); typed there, opaque here (this package does not depend on the portal).
 */
const routeConfig = (c: Record<string, unknown>): FastifyContextConfig => c as FastifyContextConfig;
const CHANGE = routeConfig({ csrf: true, noStore: true });
const READ = routeConfig({ noStore: true });

/** One admin change to `admin_audit`, in the change's transaction (the portal's table and columns). */
async function audit(q: Queryable, e: { actorId: string; action: string; entity: 'release' | 'campaign'; entityId: string; before: unknown; after: unknown; at: number }): Promise<void> {
  await q.query('INSERT INTO admin_audit (at, actor_id, action, entity, entity_id, before, after) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
    new Date(e.at).toISOString(), e.actorId, e.action, e.entity, e.entityId,
    e.before === null ? null : JSON.stringify(e.before), e.after === null ? null : JSON.stringify(e.after),
  ]);
}

function manifestFromHeader(value: string | string[] | undefined): unknown {
  if (typeof value !== 'string' || value.length === 0 || value.length > 16_384) {
    throw updateErrors.create('UPDATES_MANIFEST_INVALID', { message: `Send the signed manifest (base64 JSON) in ${MANIFEST_HEADER}`, details: { field: MANIFEST_HEADER } });
  }
  try {
    return JSON.parse(Buffer.from(value, 'base64').toString('utf8'));
  } catch (cause) {
    throw updateErrors.create('UPDATES_MANIFEST_INVALID', { message: 'The manifest header is not base64 JSON', details: { field: MANIFEST_HEADER }, cause });
  }
}

/**
 * `/admin/api/updates/*`: releases (upload: the artefact streamed as the body, never buffered,
 * verified against the manifest and its signature before it is kept), campaigns (create, pause,
 * resume, cancel, progress and per-box state), each change audited. Mounted by the portal under
 * the `admin` access rule; support reads a box's updates at `/api/support/boxes/:serial/updates`.
 */
export const updateAdminRoutes: FastifyPluginAsync<UpdateAdminRoutesOptions> = async (app, options) => {
  const { db, blobs } = options;
  const now = options.now ?? Date.now;
  // The artefact is the body as it comes: a stream the route hashes to disk.
  app.addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  app.get('/admin/api/updates/releases', { config: READ }, async () => ({ releases: await listReleases(db) }));

  app.post('/admin/api/updates/releases', { config: CHANGE }, async (request, reply) => {
    const signed = checkSignedManifest(manifestFromHeader(request.headers[MANIFEST_HEADER]), options.keyring());
    if (!request.headers['content-type']?.startsWith('application/octet-stream')) {
      throw updateErrors.create('UPDATES_INVALID_REQUEST', { message: 'The artefact is sent as application/octet-stream', details: { field: 'content-type' } });
    }
    const release = await db.transaction(async (tx) => {
      const stored = await storeRelease(tx, blobs, { signed, body: request.body as Readable, maxBytes: options.maxBytes, uploadedBy: options.actorOf(request), now: now() });
      await audit(tx, { actorId: options.actorOf(request), action: 'release.upload', entity: 'release', entityId: stored.id, before: null, after: stored, at: now() });
      return stored;
    });
    return reply.code(201).send({ release });
  });

  app.get('/admin/api/updates/campaigns', { config: READ }, async () => ({ campaigns: await listCampaigns(db) }));

  app.post('/admin/api/updates/campaigns', { config: CHANGE }, async (request, reply) => {
    const parsed = validate(NewCampaignBody, request.body);
    if (!parsed.ok) throw updateErrors.create('UPDATES_INVALID_REQUEST', { details: { field: parsed.issues[0]!.path, issues: parsed.issues } });
    const campaign = await db.transaction(async (tx) => {
      const created = await createCampaign(tx, parsed.value, options.actorOf(request), now());
      await audit(tx, { actorId: options.actorOf(request), action: 'campaign.start', entity: 'campaign', entityId: created.id, before: null, after: created, at: now() });
      return created;
    });
    return reply.code(201).send({ campaign });
  });

  app.get('/admin/api/updates/campaigns/:id', { config: READ }, async (request) => {
    const { id } = request.params as { id: string };
    const campaign = await loadCampaign(db, id);
    return { campaign, boxes: await campaignBoxes(db, id) };
  });

  for (const action of ['pause', 'resume', 'cancel'] as const satisfies readonly CampaignAction[]) {
    app.post(`/admin/api/updates/campaigns/:id/${action}`, { config: CHANGE }, async (request) => {
      const { id } = request.params as { id: string };
      return db.transaction(async (tx) => {
        const { before, after } = await changeCampaign(tx, id, action, now());
        await audit(tx, { actorId: options.actorOf(request), action: `campaign.${action}`, entity: 'campaign', entityId: id, before, after, at: now() });
        return { campaign: after };
      });
    });
  }

  app.get('/api/support/boxes/:serial/updates', { config: routeConfig({ access: { kind: 'session', roles: ['support', 'admin'] }, noStore: true }) }, async (request) => {
    const { serial } = request.params as { serial: string };
    if (!/^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$/.test(serial)) throw updateErrors.create('UPDATES_NOT_FOUND');
    return boxUpdateHistory(db, serial);
  });
};
