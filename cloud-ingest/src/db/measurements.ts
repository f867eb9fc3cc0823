import type { Queryable } from './types.ts';

/** One row of `measurements`. */
export interface MeasurementRow {
  readonly patientId: string;
  readonly boxId: string;
  readonly metric: string;
  /** Epoch milliseconds, UTC. */
  readonly ts: number;
  readonly value: number;
  readonly periodS: number | null;
}

/**
 * The one way rows enter `measurements` (ingest and demo seeder alike). The table is
 * range-partitioned on `ts` (migration 0002): PostgreSQL routes each row to its monthly partition,
 * or to `measurements_default` when its month has none. One set-based statement whatever the number of rows:
 * arrays bound as parameters and expanded by `unnest`, never one INSERT per row.
 * Returns the number of rows written.
 */
export async function insertMeasurements(q: Queryable, rows: readonly MeasurementRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  const { rowCount } = await q.query(
    `INSERT INTO measurements (patient_id, box_id, metric, ts, value, period_s)
     SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::timestamptz[], $5::float8[], $6::int[])`,
    [
      rows.map((r) => r.patientId),
      rows.map((r) => r.boxId),
      rows.map((r) => r.metric),
      // ISO strings: both drivers bind them identically, whatever the process time zone.
      rows.map((r) => new Date(r.ts).toISOString()),
      rows.map((r) => r.value),
      rows.map((r) => r.periodS),
    ],
  );
  return rowCount;
}
