import { FLEET_EVENT_COLUMNS, notifyFleetChanges, toFleetEvent, type Db, type FleetEvent, type FleetEventRow, type Queryable } from '@vigie/cloud-store';
import type { RejectReason } from '../pipeline/plausibility.ts';

/**
 * Refusals that point at the bracelet's sensors. Timestamp refusals point at the box's clock and
 * `no_assignment` at the registry: neither is a faulty sensor.
 */
export const SENSOR_REASONS = [
  'heart_rate_out_of_range',
  'spo2_out_of_range',
  'steps_out_of_range',
  'battery_out_of_range',
] as const satisfies readonly RejectReason[];

/** When a box's share of implausible values means a faulty sensor. */
export interface ImplausibleThresholds {
  /** The sliding window, by time of receipt (default 60 minutes). */
  readonly windowMinutes: number;
  /** Fewest implausible values in the window (default 10): one odd reading is not a fault. */
  readonly minCount: number;
  /** Least share of the window's readings, in percent (default 5). */
  readonly ratePercent: number;
}

export const DEFAULT_IMPLAUSIBLE_THRESHOLDS: ImplausibleThresholds = { windowMinutes: 60, minCount: 10, ratePercent: 5 };

/** Boxes over the thresholds in the window: `$1` cutoff, `$2` reasons, `$3` min count, `$4` rate. */
const FLAGGED = `
  flagged AS (
    SELECT r.box_id, r.first_at
    FROM (SELECT box_id, count(*) AS bad, min(received_at) AS first_at FROM rejected_readings
          WHERE received_at >= $1 AND reason = ANY($2::text[]) GROUP BY box_id) r
    JOIN (SELECT box_id, sum(reading_count) AS readings FROM telemetry_batches
          WHERE received_at >= $1 GROUP BY box_id) w ON w.box_id = r.box_id
    WHERE r.bad >= $3 AND r.bad * 100 >= $4 * w.readings)`;

/**
 * One pass at `now`: a box whose implausible values (out of the plausible range of their metric,
 * see `PLAUSIBLE_RANGES`) reach `minCount` and `ratePercent` % of the readings it sent in the last
 * `windowMinutes` gets an `implausible_values` fleet event: its bracelet needs maintenance (the
 * FMEA's faulty-sensor row). Resolved by the first pass that finds the box under the thresholds.
 * At most one open event per box (the partial unique index), so concurrent passes raise it once.
 * The readings themselves stay in `rejected_readings` with their reason.
 */
export async function detectImplausibleValues(
  db: Db,
  options: { now: number; thresholds?: Partial<ImplausibleThresholds> },
): Promise<{ raised: FleetEvent[]; resolved: FleetEvent[] }> {
  const t = { ...DEFAULT_IMPLAUSIBLE_THRESHOLDS, ...options.thresholds };
  const now = new Date(options.now).toISOString();
  const params = [new Date(options.now - t.windowMinutes * 60_000).toISOString(), SENSOR_REASONS, t.minCount, t.ratePercent, now];
  return db.transaction(async (tx) => {
    const resolved = await resolve(tx, params);
    const raised = await raise(tx, params);
    await notifyFleetChanges(tx, { raised, resolved });
    return { raised, resolved };
  });
}

async function resolve(tx: Queryable, params: readonly unknown[]): Promise<FleetEvent[]> {
  const { rows } = await tx.query<FleetEventRow>(
    `WITH ${FLAGGED}
     UPDATE fleet_events e SET resolved_at = $5
     WHERE e.kind = 'implausible_values' AND e.resolved_at IS NULL AND NOT EXISTS (SELECT 1 FROM flagged f WHERE f.box_id = e.box_id)
     RETURNING ${FLEET_EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')}`,
    params,
  );
  return rows.map(toFleetEvent);
}

async function raise(tx: Queryable, params: readonly unknown[]): Promise<FleetEvent[]> {
  const { rows } = await tx.query<FleetEventRow>(
    `WITH ${FLAGGED}
     INSERT INTO fleet_events (kind, box_id, patient_id, since, raised_at)
     SELECT 'implausible_values', f.box_id, a.patient_id, f.first_at, $5
     FROM flagged f
     JOIN boxes b ON b.id = f.box_id AND b.revoked_at IS NULL
     LEFT JOIN box_assignments a ON a.box_id = f.box_id AND a.valid_to IS NULL
     ON CONFLICT (box_id, kind) WHERE resolved_at IS NULL DO NOTHING
     RETURNING ${FLEET_EVENT_COLUMNS}`,
    params,
  );
  return rows.map(toFleetEvent);
}
