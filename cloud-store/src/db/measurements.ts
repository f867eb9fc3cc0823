import { isoTimestamp } from './copy-text.ts';
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
 * or to `measurements_default` when its month has none. Rows are loaded with COPY, never one
 * INSERT per row: a Kafka chunk of 25,000 readings loads in one stream inside the caller's
 * transaction. Returns the number of rows written.
 */
export async function insertMeasurements(q: Queryable, rows: readonly MeasurementRow[]): Promise<number> {
  if (rows.length === 0) return 0;
  return q.copyIn(
    'measurements',
    ['patient_id', 'box_id', 'metric', 'ts', 'value', 'period_s'],
    // ISO strings in UTC: the same instant whatever the process or session time zone.
    rows.map((r) => [r.patientId, r.boxId, r.metric, isoTimestamp(r.ts), r.value, r.periodS]),
  );
}
