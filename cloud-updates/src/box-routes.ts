import { createReadStream } from 'node:fs';
import type { FastifyInstance, FastifyPluginAsync } from 'fastify';
import { sha256Hex, type Db } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import { UpdatePollQuery, UpdateReport, validate, type SignedReleaseManifest, type UpdateOfferAnswer } from '@vigie/protocol';
import { evaluateCampaign, isUuid } from './campaigns.ts';
import { updateErrors } from './errors.ts';
import type { ReleaseBlobs } from './release-store.ts';

const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]{16,512})$/;

/** The box of a request (bearer token, box not revoked nor retired); 401 alike for every failure. */
async function authenticateBox(db: Db, authorization: string | undefined): Promise<string> {
  const token = BEARER.exec(authorization ?? '')?.[1];
  if (token) {
    const { rows } = await db.query<{ id: string }>('SELECT id FROM boxes WHERE token_hash = $1 AND revoked_at IS NULL AND deleted_at IS NULL', [sha256Hex(token)]);
    if (rows[0]) return rows[0].id;
  }
  throw updateErrors.create('UPDATES_UNAUTHORIZED');
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The box of an `/updates/v1` request, once its token checked. */
    updateBoxId?: string;
  }
}

/** Options of {@link updateBoxRoutes}. */
export interface UpdateBoxRoutesOptions {
  readonly db: Db;
  readonly blobs: ReleaseBlobs;
  readonly log?: Logger;
  readonly now?: () => number;
}

/** `bytes=a-b` / `bytes=a-` / `bytes=-n` of a file of `size` bytes → [start, end] inclusive; 416 otherwise. */
export function parseRange(header: string, size: number): [number, number] {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) throw updateErrors.create('UPDATES_RANGE_NOT_SATISFIABLE', { details: { field: 'range' } });
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start > end || start >= size) throw updateErrors.create('UPDATES_RANGE_NOT_SATISFIABLE', { details: { field: 'range', size } });
  return [start, end];
}

/**
 * The routes boxes call (`/updates/v1/*`, box token): the offer of the campaign that released this
 * box, the artefact download with HTTP Range (a cut download resumes where it stopped, RFC 9110
 * §14), and the box's reports, each of which re-runs the rollout rule.
 */
export const updateBoxRoutes: FastifyPluginAsync<UpdateBoxRoutesOptions> = async (app: FastifyInstance, options) => {
  const { db, blobs } = options;
  const now = options.now ?? Date.now;
  app.addHook('onRequest', async (request) => {
    request.updateBoxId = await authenticateBox(db, request.headers.authorization);
  });

  app.get('/updates/v1/offer', async (request): Promise<UpdateOfferAnswer> => {
    const parsed = validate(UpdatePollQuery, request.query);
    if (!parsed.ok) throw updateErrors.create('UPDATES_INVALID_REQUEST', { details: { field: parsed.issues[0]!.path, issues: parsed.issues } });
    const boxId = request.updateBoxId!;
    await db.query(
      `INSERT INTO box_software (box_id, version, hardware, reported_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (box_id) DO UPDATE SET version = EXCLUDED.version, hardware = EXCLUDED.hardware, reported_at = EXCLUDED.reported_at`,
      [boxId, parsed.value.version, parsed.value.hardware, new Date(now()).toISOString()],
    );
    const { rows } = await db.query<{ campaign_id: string; release_id: string; signed: SignedReleaseManifest }>(
      `SELECT cb.campaign_id, c.release_id, r.signed FROM update_campaign_boxes cb
         JOIN update_campaigns c ON c.id = cb.campaign_id JOIN releases r ON r.id = c.release_id
        WHERE cb.box_id = $1 AND c.state = 'running' AND cb.stage <= c.stage AND r.kind = 'box'
          AND cb.state IN ('pending', 'downloading', 'installing', 'rebooting')
        ORDER BY c.created_at LIMIT 1`,
      [boxId],
    );
    const row = rows[0];
    if (!row) return { offer: null };
    return { offer: { v: 1, campaignId: row.campaign_id, releaseId: row.release_id, signed: row.signed, artefactPath: `/updates/v1/releases/${row.release_id}/artefact` } };
  });

  app.get('/updates/v1/releases/:id/artefact', async (request, reply) => {
    const { id } = request.params as { id: string };
    if (!isUuid(id)) throw updateErrors.create('UPDATES_NOT_FOUND');
    // Only a release of a campaign that targets this box: a box token does not open every artefact.
    const { rows } = await db.query<{ sha256: string; size: string }>(
      `SELECT r.sha256, r.size FROM releases r JOIN update_campaigns c ON c.release_id = r.id
         JOIN update_campaign_boxes cb ON cb.campaign_id = c.id AND cb.box_id = $2 WHERE r.id = $1 LIMIT 1`,
      [id, request.updateBoxId!],
    );
    const release = rows[0];
    const size = release ? blobs.sizeOf(release.sha256) : null;
    if (!release || size === null) throw updateErrors.create('UPDATES_NOT_FOUND');
    reply.header('accept-ranges', 'bytes').header('etag', `"${release.sha256}"`).header('content-type', 'application/octet-stream');
    const range = request.headers.range;
    if (range) {
      const [start, end] = parseRange(range, size);
      reply.code(206).header('content-range', `bytes ${start}-${end}/${size}`).header('content-length', String(end - start + 1));
      return reply.send(createReadStream(blobs.pathOf(release.sha256), { start, end }));
    }
    reply.header('content-length', String(size));
    return reply.send(createReadStream(blobs.pathOf(release.sha256)));
  });

  app.post('/updates/v1/report', async (request) => {
    const parsed = validate(UpdateReport, request.body);
    if (!parsed.ok) throw updateErrors.create('UPDATES_INVALID_REQUEST', { details: { field: parsed.issues[0]!.path, issues: parsed.issues } });
    const report = parsed.value;
    const boxId = request.updateBoxId!;
    return db.transaction(async (tx) => {
      const at = new Date(now()).toISOString();
      const { rows } = await tx.query<{ state: string }>('SELECT state FROM update_campaign_boxes WHERE campaign_id = $1 AND box_id = $2 FOR UPDATE', [report.campaignId, boxId]);
      if (!rows[0]) throw updateErrors.create('UPDATES_NOT_FOUND', { details: { field: '/campaignId' } });
      await tx.query('UPDATE box_software SET version = $2, reported_at = $3 WHERE box_id = $1', [boxId, report.version, at]);
      // A finished box stays finished (a late or repeated report changes nothing).
      if (!['succeeded', 'failed', 'rolled_back', 'refused', 'cancelled'].includes(rows[0].state)) {
        await tx.query('UPDATE update_campaign_boxes SET state = $3, reason = $4, version = $5, updated_at = $6 WHERE campaign_id = $1 AND box_id = $2', [
          report.campaignId, boxId, report.state, report.reason ?? null, report.version, at,
        ]);
        if (report.state !== 'succeeded' && report.state !== 'downloading' && report.state !== 'installing' && report.state !== 'rebooting') {
          options.log?.warn({ boxId, campaignId: report.campaignId, state: report.state, reason: report.reason }, 'box update did not succeed');
        }
      }
      const campaign = await evaluateCampaign(tx, report.campaignId, now());
      return { ok: true, campaign };
    });
  });
};
