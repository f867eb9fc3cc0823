import { createHash, randomUUID } from 'node:crypto';
import { Type, type Static } from '@sinclair/typebox';
import type { Queryable } from '@vigie/cloud-store';
import { ReleaseVersion } from '@vigie/protocol';
import { updateErrors } from './errors.ts';
import { loadRelease } from './release-store.ts';

const BoxSerial = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9_-]{2,63}$' });
const UUID = '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';

/** Which boxes a campaign aims at: every condition given must hold (at least one given). */
export const CampaignTarget = Type.Object(
  {
    cohort: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,31}$' })),
    /** Boxes that last reported one of these versions. */
    versions: Type.Optional(Type.Array(ReleaseVersion, { minItems: 1, maxItems: 50 })),
    /** These boxes, by serial. */
    boxes: Type.Optional(Type.Array(BoxSerial, { minItems: 1, maxItems: 100_000 })),
  },
  { additionalProperties: false },
);
export type CampaignTarget = Static<typeof CampaignTarget>;

/** The admin's request for a campaign. */
export const NewCampaignBody = Type.Object(
  {
    releaseId: Type.String({ pattern: UUID }),
    target: CampaignTarget,
    /** Cumulative percentages, ascending, ending at 100 (default 1 → 10 → 100). */
    stages: Type.Optional(Type.Array(Type.Integer({ minimum: 1, maximum: 100 }), { minItems: 1, maxItems: 10 })),
    /** Failed or rolled-back share of released boxes that halts the campaign (default 0.05). */
    failureThreshold: Type.Optional(Type.Number({ minimum: 0, maximum: 1 })),
  },
  { additionalProperties: false },
);
export type NewCampaignBody = Static<typeof NewCampaignBody>;

export const DEFAULT_STAGES = [1, 10, 100] as const;
export const DEFAULT_FAILURE_THRESHOLD = 0.05;

/** Box states that end a box's part in a campaign. */
export const TERMINAL_BOX_STATES = ['succeeded', 'failed', 'rolled_back', 'refused', 'cancelled'] as const;
/** Box states that count against the release. */
export const FAILED_BOX_STATES = ['failed', 'rolled_back', 'refused'] as const;

/** A campaign as admins and support see it. */
export interface CampaignView {
  readonly id: string;
  readonly releaseId: string;
  readonly version: string;
  readonly kind: string;
  readonly state: 'running' | 'paused' | 'halted' | 'cancelled' | 'completed';
  readonly stages: readonly number[];
  readonly stage: number;
  readonly failureThreshold: number;
  readonly target: CampaignTarget;
  readonly haltedReason: string | null;
  readonly createdAt: number;
  readonly updatedAt: number;
  /** Boxes per state, and how many are released so far (their stage is open). */
  readonly counts: Readonly<Record<string, number>> & { readonly total: number; readonly released: number };
}

/** One box of a campaign. */
export interface CampaignBoxView {
  readonly boxId: string;
  readonly stage: number;
  readonly state: string;
  readonly reason: string | null;
  readonly version: string | null;
  readonly updatedAt: number;
}

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && new RegExp(UUID).test(value);
}

function checkStages(stages: readonly number[]): void {
  for (let i = 1; i < stages.length; i++) {
    if (stages[i]! <= stages[i - 1]!) throw updateErrors.create('UPDATES_INVALID_REQUEST', { message: 'stages must be ascending', details: { field: '/stages' } });
  }
  if (stages.at(-1) !== 100) throw updateErrors.create('UPDATES_INVALID_REQUEST', { message: 'the last stage must be 100 (%)', details: { field: '/stages' } });
}

/**
 * The stage (0-based) of the box at position `i` of `n` (positions in a per-campaign shuffled
 * order): the first stage whose cumulative share covers it. Stage 0 always holds at least one box.
 */
export function stageOf(i: number, n: number, stages: readonly number[]): number {
  for (let s = 0; s < stages.length; s++) {
    if (i < Math.max(1, Math.ceil((stages[s]! * n) / 100))) return s;
  }
  return stages.length - 1;
}

/** Resolve a target to box serials; 422 when it names retired/unknown boxes or matches none. */
async function resolveTarget(q: Queryable, target: CampaignTarget): Promise<string[]> {
  if (target.cohort === undefined && target.versions === undefined && target.boxes === undefined) {
    throw updateErrors.create('UPDATES_NO_TARGET', { message: 'Give a cohort, versions or a list of boxes', details: { field: '/target' } });
  }
  if (target.boxes) {
    const { rows } = await q.query<{ id: string }>('SELECT id FROM boxes WHERE id = ANY($1::text[]) AND deleted_at IS NULL AND revoked_at IS NULL', [target.boxes]);
    const live = new Set(rows.map((r) => r.id));
    const retired = target.boxes.filter((b) => !live.has(b));
    if (retired.length > 0) {
      throw updateErrors.create('UPDATES_RETIRED_BOXES', {
        message: `Retired, revoked or unknown boxes cannot be updated: ${retired.slice(0, 20).join(', ')}${retired.length > 20 ? ', …' : ''}`,
        details: { field: '/target/boxes', boxes: retired.slice(0, 20) },
      });
    }
  }
  const { rows } = await q.query<{ id: string }>(
    `SELECT b.id FROM boxes b LEFT JOIN box_software s ON s.box_id = b.id
      WHERE b.deleted_at IS NULL AND b.revoked_at IS NULL
        AND ($1::text IS NULL OR b.update_cohort = $1)
        AND ($2::text[] IS NULL OR s.version = ANY($2::text[]))
        AND ($3::text[] IS NULL OR b.id = ANY($3::text[]))
      ORDER BY b.id`,
    [target.cohort ?? null, target.versions ?? null, target.boxes ?? null],
  );
  if (rows.length === 0) throw updateErrors.create('UPDATES_NO_TARGET', { details: { field: '/target' } });
  return rows.map((r) => r.id);
}

/**
 * Create a running campaign: target resolved, overlap refused (a box is in one active campaign at
 * a time), boxes shuffled per campaign and spread over the stages. Call inside a transaction.
 */
export async function createCampaign(q: Queryable, body: NewCampaignBody, by: string | null, now: number): Promise<CampaignView> {
  const release = await loadRelease(q, body.releaseId);
  const stages = body.stages ?? [...DEFAULT_STAGES];
  checkStages(stages);
  // One campaign created at a time: two admins cannot both pass the overlap check.
  await q.query("SELECT pg_advisory_xact_lock(hashtext('vigie.update_campaigns'))");
  const boxes = await resolveTarget(q, body.target);
  const { rows: busy } = await q.query<{ box_id: string }>(
    `SELECT cb.box_id FROM update_campaign_boxes cb JOIN update_campaigns c ON c.id = cb.campaign_id
      WHERE cb.box_id = ANY($1::text[]) AND c.state IN ('running', 'paused', 'halted')
        AND cb.state NOT IN ('succeeded', 'failed', 'rolled_back', 'refused', 'cancelled') LIMIT 20`,
    [boxes],
  );
  if (busy.length > 0) {
    throw updateErrors.create('UPDATES_CAMPAIGN_OVERLAP', {
      message: `These boxes are already in an active campaign (pause does not free them; cancel it first): ${busy.map((r) => r.box_id).join(', ')}`,
      details: { field: '/target', boxes: busy.map((r) => r.box_id) },
    });
  }
  const id = randomUUID();
  const at = new Date(now).toISOString();
  await q.query(
    `INSERT INTO update_campaigns (id, release_id, state, stages, stage, failure_threshold, target, created_by, created_at, updated_at)
     VALUES ($1, $2, 'running', $3::integer[], 0, $4, $5, $6, $7, $7)`,
    [id, release.id, stages, body.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD, JSON.stringify(body.target), by, at],
  );
  // A stable shuffle per campaign: the first stage is not always the same boxes.
  const order = boxes
    .map((box) => ({ box, key: createHash('sha256').update(`${id}:${box}`).digest('hex') }))
    .sort((a, b) => (a.key < b.key ? -1 : 1));
  const serials = order.map((o) => o.box);
  const stageOfBox = order.map((_, i) => stageOf(i, order.length, stages));
  await q.query(
    `INSERT INTO update_campaign_boxes (campaign_id, box_id, stage, state, updated_at)
     SELECT $1, b, s, 'pending', $4 FROM unnest($2::text[], $3::integer[]) AS t(b, s)`,
    [id, serials, stageOfBox, at],
  );
  return loadCampaign(q, id);
}

interface CampaignRow {
  id: string; release_id: string; signed: { manifest: { version: string; kind: string } }; state: CampaignView['state']; stages: number[]; stage: number;
  failure_threshold: number; target: CampaignTarget; halted_reason: string | null; created_at: Date; updated_at: Date;
}

async function counts(q: Queryable, id: string, stage: number): Promise<CampaignView['counts']> {
  const { rows } = await q.query<{ state: string; n: number; released: number }>(
    `SELECT state, count(*)::int AS n, count(*) FILTER (WHERE stage <= $2)::int AS released FROM update_campaign_boxes WHERE campaign_id = $1 GROUP BY state`,
    [id, stage],
  );
  const out: Record<string, number> = {};
  let total = 0;
  let released = 0;
  for (const r of rows) {
    out[r.state] = Number(r.n);
    total += Number(r.n);
    released += Number(r.released);
  }
  return { ...out, total, released };
}

const CAMPAIGN_SELECT = `SELECT c.id, c.release_id, r.signed, c.state, c.stages, c.stage, c.failure_threshold, c.target, c.halted_reason, c.created_at, c.updated_at
  FROM update_campaigns c JOIN releases r ON r.id = c.release_id`;

async function toView(q: Queryable, r: CampaignRow): Promise<CampaignView> {
  return {
    id: r.id, releaseId: r.release_id, version: r.signed.manifest.version, kind: r.signed.manifest.kind, state: r.state,
    stages: r.stages.map(Number), stage: Number(r.stage), failureThreshold: Number(r.failure_threshold), target: r.target,
    haltedReason: r.halted_reason, createdAt: r.created_at.getTime(), updatedAt: r.updated_at.getTime(),
    counts: await counts(q, r.id, Number(r.stage)),
  };
}

/** One campaign with its counts, or 404. */
export async function loadCampaign(q: Queryable, id: string): Promise<CampaignView> {
  if (!isUuid(id)) throw updateErrors.create('UPDATES_NOT_FOUND');
  const { rows } = await q.query<CampaignRow>(`${CAMPAIGN_SELECT} WHERE c.id = $1`, [id]);
  if (!rows[0]) throw updateErrors.create('UPDATES_NOT_FOUND');
  return toView(q, rows[0]);
}

/** Every campaign, newest first. */
export async function listCampaigns(q: Queryable): Promise<CampaignView[]> {
  const { rows } = await q.query<CampaignRow>(`${CAMPAIGN_SELECT} ORDER BY c.created_at DESC, c.id LIMIT 200`);
  const out: CampaignView[] = [];
  for (const r of rows) out.push(await toView(q, r));
  return out;
}

/** The boxes of a campaign (per-box state for support). */
export async function campaignBoxes(q: Queryable, id: string): Promise<CampaignBoxView[]> {
  const { rows } = await q.query<{ box_id: string; stage: number; state: string; reason: string | null; version: string | null; updated_at: Date }>(
    'SELECT box_id, stage, state, reason, version, updated_at FROM update_campaign_boxes WHERE campaign_id = $1 ORDER BY stage, box_id LIMIT 5000',
    [id],
  );
  return rows.map((r) => ({ boxId: r.box_id, stage: Number(r.stage), state: r.state, reason: r.reason, version: r.version, updatedAt: r.updated_at.getTime() }));
}

/** A box's part in every campaign, newest first, and the software it last reported (support's view). */
export async function boxUpdateHistory(q: Queryable, boxId: string): Promise<{ software: { version: string; hardware: string; reportedAt: number } | null; campaigns: (CampaignBoxView & { campaignId: string; targetVersion: string })[] }> {
  const sw = await q.query<{ version: string; hardware: string; reported_at: Date }>('SELECT version, hardware, reported_at FROM box_software WHERE box_id = $1', [boxId]);
  const { rows } = await q.query<{ campaign_id: string; target_version: string; box_id: string; stage: number; state: string; reason: string | null; version: string | null; updated_at: Date }>(
    `SELECT cb.campaign_id, r.version AS target_version, cb.box_id, cb.stage, cb.state, cb.reason, cb.version, cb.updated_at
       FROM update_campaign_boxes cb JOIN update_campaigns c ON c.id = cb.campaign_id JOIN releases r ON r.id = c.release_id
      WHERE cb.box_id = $1 ORDER BY c.created_at DESC LIMIT 50`,
    [boxId],
  );
  return {
    software: sw.rows[0] ? { version: sw.rows[0].version, hardware: sw.rows[0].hardware, reportedAt: sw.rows[0].reported_at.getTime() } : null,
    campaigns: rows.map((r) => ({ campaignId: r.campaign_id, targetVersion: r.target_version, boxId: r.box_id, stage: Number(r.stage), state: r.state, reason: r.reason, version: r.version, updatedAt: r.updated_at.getTime() })),
  };
}

/** Admin actions on a campaign and the states they start from. */
const TRANSITIONS = {
  pause: { from: ['running'], to: 'paused' },
  resume: { from: ['paused', 'halted'], to: 'running' },
  cancel: { from: ['running', 'paused', 'halted'], to: 'cancelled' },
} as const;
export type CampaignAction = keyof typeof TRANSITIONS;

/**
 * Pause, resume (also a halted campaign, once the admin has looked) or cancel (boxes not yet
 * finished are marked cancelled; a box mid-install finishes and reports). Returns before/after.
 */
export async function changeCampaign(q: Queryable, id: string, action: CampaignAction, now: number): Promise<{ before: CampaignView; after: CampaignView }> {
  const before = await loadCampaign(q, id);
  const t = TRANSITIONS[action];
  if (!(t.from as readonly string[]).includes(before.state)) {
    throw updateErrors.create('UPDATES_CAMPAIGN_STATE', { message: `A ${before.state} campaign cannot be ${action}d`, details: { state: before.state } });
  }
  const at = new Date(now).toISOString();
  await q.query('UPDATE update_campaigns SET state = $2, halted_reason = CASE WHEN $2 = \'running\' THEN NULL ELSE halted_reason END, updated_at = $3 WHERE id = $1', [id, t.to, at]);
  if (action === 'cancel') {
    await q.query("UPDATE update_campaign_boxes SET state = 'cancelled', updated_at = $2 WHERE campaign_id = $1 AND state = 'pending'", [id, at]);
  }
  if (action === 'resume') await evaluateCampaign(q, id, now);
  return { before, after: await loadCampaign(q, id) };
}

/**
 * The rollout rule, run after every box report and by the ticker: among the boxes released so
 * far (stage ≤ the open stage), when the failed + rolled back + refused share exceeds the
 * threshold the campaign halts itself; when every released box has finished, the next stage opens;
 * after the last, the campaign is completed. Returns the campaign's state afterwards.
 */
export async function evaluateCampaign(q: Queryable, id: string, now: number): Promise<CampaignView['state']> {
  const { rows } = await q.query<{ state: CampaignView['state']; stages: number[]; stage: number; failure_threshold: number }>(
    'SELECT state, stages, stage, failure_threshold FROM update_campaigns WHERE id = $1 FOR UPDATE',
    [id],
  );
  const c = rows[0];
  if (!c || c.state !== 'running') return c?.state ?? 'cancelled';
  const stage = Number(c.stage);
  const { rows: tally } = await q.query<{ released: number; failed: number; open: number }>(
    `SELECT count(*)::int AS released,
            count(*) FILTER (WHERE state IN ('failed', 'rolled_back', 'refused'))::int AS failed,
            count(*) FILTER (WHERE state NOT IN ('succeeded', 'failed', 'rolled_back', 'refused', 'cancelled'))::int AS open
       FROM update_campaign_boxes WHERE campaign_id = $1 AND stage <= $2`,
    [id, stage],
  );
  const { released, failed, open } = { released: Number(tally[0]!.released), failed: Number(tally[0]!.failed), open: Number(tally[0]!.open) };
  const at = new Date(now).toISOString();
  if (failed > 0 && failed / Math.max(1, released) > Number(c.failure_threshold)) {
    const reason = `${failed} of ${released} released boxes failed or rolled back (threshold ${Math.round(Number(c.failure_threshold) * 100)} %)`;
    await q.query("UPDATE update_campaigns SET state = 'halted', halted_reason = $2, updated_at = $3 WHERE id = $1", [id, reason, at]);
    return 'halted';
  }
  if (open > 0) return 'running';
  if (stage + 1 < c.stages.length) {
    await q.query('UPDATE update_campaigns SET stage = stage + 1, updated_at = $2 WHERE id = $1', [id, at]);
    // The next stage may be empty (few boxes): evaluate it at once.
    return evaluateCampaign(q, id, now);
  }
  await q.query("UPDATE update_campaigns SET state = 'completed', updated_at = $2 WHERE id = $1", [id, at]);
  return 'completed';
}
