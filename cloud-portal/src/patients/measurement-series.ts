import { METRIC_UNITS } from '@vigie/protocol';
import type { Queryable } from '@vigie/cloud-ingest/db';
import type { ChartMetric, MeasurementSeries } from '../api-types.ts';

/** Most points one series answer carries: enough for any chart width, small enough for a phone. */
export const MAX_POINTS = 1_000;

/**
 * The `[from, to]` (inclusive, epoch ms) series of one metric of one patient, sorted by time.
 * Up to MAX_POINTS readings come back as they are; beyond, the range is cut into equal buckets
 * (fewer than MAX_POINTS of them) and each non-empty bucket gives one point at its start: the
 * mean for rates and percentages, the sum for steps (a count of steps is additive, a mean of
 * 30-minute counts would mean nothing on a weekly chart).
 */
export async function loadSeries(q: Queryable, patientId: string, metric: ChartMetric, from: number, to: number): Promise<MeasurementSeries> {
  const unit = METRIC_UNITS[metric];
  const range = [patientId, metric, new Date(from).toISOString(), new Date(to).toISOString()];
  // One more than the cap: reading it tells whether to bucket, without a separate count(*).
  const raw = await q.query<{ ts: Date; value: number }>(
    `SELECT ts, value FROM measurements
      WHERE patient_id = $1 AND metric = $2 AND ts >= $3 AND ts <= $4
      ORDER BY ts LIMIT ${MAX_POINTS + 1}`,
    range,
  );
  if (raw.rows.length <= MAX_POINTS) {
    return { metric, unit, bucketMs: null, points: raw.rows.map((r) => [r.ts.getTime(), r.value] as const) };
  }
  // (to - from) / width < MAX_POINTS, so bucket indexes stay in [0, MAX_POINTS).
  const width = Math.floor((to - from) / MAX_POINTS) + 1;
  const aggregate = metric === 'steps' ? 'sum' : 'avg';
  const { rows } = await q.query<{ bucket: number; value: number }>(
    `SELECT floor((extract(epoch FROM ts) * 1000 - $5::float8) / $6::float8)::int8 AS bucket, ${aggregate}(value) AS value
       FROM measurements
      WHERE patient_id = $1 AND metric = $2 AND ts >= $3 AND ts <= $4
      GROUP BY 1 ORDER BY 1`,
    [...range, from, width],
  );
  return { metric, unit, bucketMs: width, points: rows.map((r) => [from + r.bucket * width, r.value] as const) };
}
