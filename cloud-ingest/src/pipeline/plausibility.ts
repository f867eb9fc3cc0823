import type { Reading } from '@vigie/protocol';
import type { Queryable } from '@vigie/cloud-store';

/**
 * Why a reading was refused. Stored in `rejected_readings.reason`; documented in
 * cloud-ingest/README.md. Never reuse a reason for another meaning.
 */
export type RejectReason =
  | 'heart_rate_out_of_range'
  | 'spo2_out_of_range'
  | 'steps_out_of_range'
  | 'battery_out_of_range'
  | 'ts_in_future'
  | 'ts_too_old'
  | 'ts_before_provisioning'
  | 'no_assignment'
  // The reading does not match the wire schema (a field missing or out of its bounds, e.g. a ts
  // after year 9999); `rejected_readings.field` names the failing field, and only the fields that
  // were valid are kept. The rest of its batch is stored (issue 10, finding 5).
  | 'invalid_reading';

/** Steps are bounded per 30 minutes; a reading's bound scales with its period. */
const STEPS_REFERENCE_PERIOD_S = 1_800;
const MAX_STEPS_PER_REFERENCE_PERIOD = 20_000;

/** Physiologically possible ranges (inclusive), in the metric's unit (METRIC_UNITS). */
export const PLAUSIBLE_RANGES = {
  heart_rate: { min: 20, max: 250, reason: 'heart_rate_out_of_range' },
  spo2: { min: 50, max: 100, reason: 'spo2_out_of_range' },
  bracelet_battery: { min: 0, max: 100, reason: 'battery_out_of_range' },
} as const satisfies Record<string, { min: number; max: number; reason: RejectReason }>;

/** A reading more than this ahead of the cloud's clock comes from a box whose clock is wrong. */
export const MAX_FUTURE_SKEW_MS = 60 * 60_000;

/** Vigie did not exist before this date: an earlier timestamp is a box clock that lost its time. */
export const EARLIEST_PLAUSIBLE_TS = Date.UTC(2020, 0, 1);

/**
 * A box's clock may run this much behind the cloud's: a timestamp earlier than the box's
 * provisioning by more than this comes from a clock that lost its time (or from another life of
 * the box), never from this installation.
 */
export const PROVISIONING_SKEW_MS = 60 * 60_000;

/** What the filter knows of the box a message comes from. */
export interface BoxContext {
  /** When the box entered service (epoch ms): `boxes.provisioned_at`, or its first assignment if earlier. */
  readonly provisionedAt?: number | null;
}

/** Why a timestamp cannot be this box's, or null: too far ahead of `now`, or before provisioning. */
export function timestampProblem(ts: number, now: number, box: BoxContext = {}): 'ts_in_future' | 'ts_too_old' | 'ts_before_provisioning' | null {
  if (ts > now + MAX_FUTURE_SKEW_MS) return 'ts_in_future';
  if (ts < EARLIEST_PLAUSIBLE_TS) return 'ts_too_old';
  if (box.provisionedAt !== undefined && box.provisionedAt !== null && ts < box.provisionedAt - PROVISIONING_SKEW_MS) {
    return 'ts_before_provisioning';
  }
  return null;
}

/**
 * When `boxId` entered service, epoch ms: its `provisioned_at`, or its first assignment when that
 * is earlier (a box registered in the cloud after it was installed). Null for an unknown box.
 */
export async function boxProvisionedAt(q: Queryable, boxId: string): Promise<number | null> {
  const { rows } = await q.query<{ at: Date | null }>(
    `SELECT least(b.provisioned_at, (SELECT min(a.valid_from) FROM box_assignments a WHERE a.box_id = b.id)) AS at
     FROM boxes b WHERE b.id = $1`,
    [boxId],
  );
  return rows[0]?.at?.getTime() ?? null;
}

/** How long a box's provisioning time is reused before it is read again. */
const PROVISIONING_CACHE_MS = 5 * 60_000;
const provisioningCache = new WeakMap<Queryable, Map<string, { at: number | null; until: number }>>();

/**
 * {@link boxProvisionedAt}, remembered for 5 minutes per database handle: the filter stage asks it
 * for every batch, and at Kafka rates one query per batch would cost more than the filter itself.
 */
export async function cachedBoxProvisionedAt(q: Queryable, boxId: string, now: number = Date.now()): Promise<number | null> {
  let byBox = provisioningCache.get(q);
  if (!byBox) provisioningCache.set(q, (byBox = new Map()));
  const hit = byBox.get(boxId);
  if (hit && hit.until > now) return hit.at;
  const at = await boxProvisionedAt(q, boxId);
  if (byBox.size > 100_000) byBox.clear();
  byBox.set(boxId, { at, until: now + PROVISIONING_CACHE_MS });
  return at;
}

/**
 * The `filter` stage for one reading: null when plausible, else why not. Values outside these
 * bounds are sensor faults (a loose bracelet reads 0 bpm), not medical events; emergencies come
 * as alerts, never through this path. `box` adds the checks that need the box (provisioning time).
 */
export function implausibility(reading: Reading, now: number, box: BoxContext = {}): RejectReason | null {
  const tsProblem = timestampProblem(reading.ts, now, box);
  if (tsProblem) return tsProblem;
  const { value } = reading;
  switch (reading.metric) {
    case 'heart_rate':
    case 'spo2':
    case 'bracelet_battery': {
      const range = PLAUSIBLE_RANGES[reading.metric];
      return value >= range.min && value <= range.max ? null : range.reason;
    }
    case 'steps': {
      const periodS = reading.periodS ?? STEPS_REFERENCE_PERIOD_S;
      const max = (MAX_STEPS_PER_REFERENCE_PERIOD * periodS) / STEPS_REFERENCE_PERIOD_S;
      return value >= 0 && value <= max ? null : 'steps_out_of_range';
    }
    default:
      reading.metric satisfies never;
      return null;
  }
}
