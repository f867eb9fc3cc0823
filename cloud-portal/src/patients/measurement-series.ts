import { METRIC_UNITS } from '@vigie/protocol';
import type { Queryable } from '@vigie/cloud-store';
import type { BucketedSeries, BucketPoint, ChartMetric } from '../api-types.ts';

/** Most points one series answer carries: enough for any chart width, small enough for a phone. */
export const MAX_POINTS = 1_000;

/** How often each charted metric is measured (the box's reading cadence, docs/architecture.md, "Cadences"). */
export const METRIC_CADENCE_MS: Readonly<Record<ChartMetric, number>> = {
  heart_rate: 2 * 60_000,
  spo2: 5 * 60_000,
  steps: 30 * 60_000,
};

/**
 * A silence drawn as a gap: longer than this many cadences (one or two missed readings are
 * noise, not an outage) and longer than one bucket (a shorter one cannot be seen at that scale).
 */
export const GAP_CADENCES = 3;

/**
 * Bucket width (ms) for `[from, to]`: buckets are aligned on multiples of the width since the
 * epoch (the same bucket for the same data whatever the window), and `[from, to]` spans at most
 * MAX_POINTS of them. Steps buckets are whole multiples of their 30-minute cadence, so each
 * bucket sums whole counts (no bucket with one count next to one with two).
 */
export function bucketWidthMs(metric: ChartMetric, from: number, to: number): number {
  // floor(to/w) - floor(from/w) + 1 <= (to - from)/w + 2 - ... <= MAX_POINTS when w >= (to - from)/(MAX_POINTS - 1).
  const width = Math.max(1_000, Math.ceil((to - from) / (MAX_POINTS - 1)));
  if (metric !== 'steps') return width;
  const cadence = METRIC_CADENCE_MS.steps;
  return Math.ceil(width / cadence) * cadence;
}

/** One aggregated bucket as read from the database. */
export interface BucketRow {
  /** Bucket index: floor(epoch ms / width). */
  readonly bucket: number;
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly sum: number;
  readonly count: number;
  /** Epoch ms of the bucket's first and last reading. */
  readonly firstTs: number;
  readonly lastTs: number;
}

/**
 * The chart points of sorted, non-empty buckets: one `[start, value, min, max]` per bucket
 * (value = mean, or sum for steps; start clamped to `from`), and a `[ts, null, null, null]` gap
 * marker at the start of the first empty bucket after a silence longer than `gapMs` — only where
 * at least one whole bucket is empty, so markers never push the count past the number of
 * buckets (≤ MAX_POINTS).
 */
export function bucketsToPoints(rows: readonly BucketRow[], widthMs: number, from: number, gapMs: number, sum: boolean): BucketPoint[] {
  const points: BucketPoint[] = [];
  let previous: BucketRow | undefined;
  for (const row of rows) {
    if (previous && row.bucket > previous.bucket + 1 && row.firstTs - previous.lastTs > gapMs) {
      points.push([(previous.bucket + 1) * widthMs, null, null, null]);
    }
    points.push([Math.max(from, row.bucket * widthMs), sum ? row.sum : row.mean, row.min, row.max]);
    previous = row;
  }
  return points;
}

/**
 * The `[from, to]` (inclusive, epoch ms) series of one metric, always downsampled on the server
 * to at most MAX_POINTS buckets with min, mean (steps: sum) and max, gaps marked by null points.
 * One aggregate over the `(patient_id, metric, ts)` index; plain PostgreSQL 15 arithmetic (no
 * date_bin/time_bucket), so PGlite runs it too.
 */
export async function loadBucketedSeries(q: Queryable, patientId: string, metric: ChartMetric, from: number, to: number): Promise<BucketedSeries> {
  const widthMs = bucketWidthMs(metric, from, to);
  const { rows } = await q.query<{ bucket: number; mean: number; min: number; max: number; sum: number; count: number; first_ts: Date; last_ts: Date }>(
    // date_part() returns float8 where extract() returns numeric (PostgreSQL 14+): twice as fast
    // here, and exact to well under a millisecond for today's epoch.
    `SELECT floor(date_part('epoch', ts) * 1000 / $5::float8) AS bucket,
            avg(value) AS mean, min(value) AS min, max(value) AS max, sum(value) AS sum,
            count(*)::int AS count, min(ts) AS first_ts, max(ts) AS last_ts
       FROM measurements
      WHERE patient_id = $1 AND metric = $2 AND ts >= $3 AND ts <= $4
      GROUP BY 1 ORDER BY 1`,
    [patientId, metric, new Date(from).toISOString(), new Date(to).toISOString(), widthMs],
  );
  const buckets: BucketRow[] = rows.map((r) => ({
    bucket: r.bucket,
    mean: r.mean,
    min: r.min,
    max: r.max,
    sum: r.sum,
    count: r.count,
    firstTs: r.first_ts.getTime(),
    lastTs: r.last_ts.getTime(),
  }));
  const gapMs = Math.max(GAP_CADENCES * METRIC_CADENCE_MS[metric], widthMs);
  const sum = metric === 'steps';
  return {
    metric,
    unit: METRIC_UNITS[metric],
    bucketMs: widthMs,
    aggregate: sum ? 'sum' : 'mean',
    readings: buckets.reduce((n, b) => n + b.count, 0),
    points: bucketsToPoints(buckets, widthMs, from, gapMs, sum),
  };
}
