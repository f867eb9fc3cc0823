/**
 * Server-side downsampling of the doctor's charts: bucket width and alignment, min/mean/max (sum
 * for steps) per bucket, gaps as null points, never more than 1,000 points — on the real SQL
 * (PGlite, or PostgreSQL with DATABASE_URL).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { insertMeasurements, type MeasurementRow } from '@vigie/cloud-store';
import { createBox, createPatient, openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import type { BucketPoint } from '../src/api-types.ts';
import { bucketsToPoints, bucketWidthMs, loadBucketedSeries, MAX_POINTS, type BucketRow } from '../src/patients/measurement-series.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

describe('bucketWidthMs', () => {
  test('keeps every window within 1,000 epoch-aligned buckets, whatever its alignment', () => {
    for (const span of [HOUR, DAY, 7 * DAY, 30 * DAY, 31 * DAY + 17_777, 365 * DAY]) {
      for (const from of [T0, T0 + 1, T0 + 12_345_678]) {
        for (const metric of ['heart_rate', 'spo2', 'steps'] as const) {
          const w = bucketWidthMs(metric, from, from + span);
          const buckets = Math.floor((from + span) / w) - Math.floor(from / w) + 1;
          assert.ok(buckets <= MAX_POINTS, `${metric} ${span}: ${buckets} buckets`);
        }
      }
    }
  });

  test('gives steps whole multiples of their 30-minute cadence', () => {
    assert.equal(bucketWidthMs('steps', T0 - 30 * DAY, T0) % (30 * MIN), 0);
    assert.equal(bucketWidthMs('steps', T0 - 30 * DAY, T0), HOUR);
    assert.equal(bucketWidthMs('heart_rate', T0 - 30 * DAY, T0), Math.ceil((30 * DAY) / 999));
  });
});

describe('bucketsToPoints', () => {
  const row = (bucket: number, firstTs: number, lastTs: number, v: number): BucketRow => ({ bucket, mean: v, min: v - 1, max: v + 1, sum: v * 2, count: 2, firstTs, lastTs });

  test('marks a gap at the first empty bucket after a silence longer than the threshold', () => {
    const w = 10 * MIN;
    const rows = [row(0, 0, 9 * MIN, 60), row(1, 10 * MIN, 19 * MIN, 61), row(5, 50 * MIN, 59 * MIN, 62)];
    assert.deepEqual(bucketsToPoints(rows, w, 0, 15 * MIN, false), [
      [0, 60, 59, 61],
      [10 * MIN, 61, 60, 62],
      [20 * MIN, null, null, null],
      [50 * MIN, 62, 61, 63],
    ]);
  });

  test('draws no gap for a silence shorter than the threshold, nor between neighbouring buckets', () => {
    const w = 10 * MIN;
    // 21 min of silence but only one empty bucket and a 30-min threshold; then adjacent buckets 9 min apart.
    const rows = [row(0, 0, 9 * MIN, 60), row(2, 30 * MIN, 30 * MIN, 61), row(3, 39 * MIN, 39 * MIN, 62)];
    assert.ok(bucketsToPoints(rows, w, 0, 30 * MIN, false).every((p) => p[1] !== null));
  });

  test('sums for steps and clamps the first bucket to the window start', () => {
    const points = bucketsToPoints([row(3, 35 * MIN, 38 * MIN, 10)], 10 * MIN, 33 * MIN, HOUR, true);
    assert.deepEqual(points, [[33 * MIN, 20, 9, 11]]);
  });
});

describe('loadBucketedSeries on the database', () => {
  let db: TestDb;
  let patient: string;
  let boxId: string;
  // Heart rate every 2 min over 30 days (21,600 readings) with a 6-hour outage 10 days ago.
  const hr: { ts: number; value: number }[] = [];
  const outageFrom = T0 - 10 * DAY;
  const outageTo = outageFrom + 6 * HOUR;

  before(async () => {
    db = await openTestDb();
    patient = await createPatient(db, 'Series Patient');
    ({ boxId } = await createBox(db, { patientId: patient, since: T0 - 40 * DAY }));
    const rows: MeasurementRow[] = [];
    for (let i = 0; i < 21_600; i++) {
      const ts = T0 - 30 * DAY + i * 2 * MIN;
      if (ts >= outageFrom && ts < outageTo) continue;
      const value = 55 + ((i * 7) % 40);
      hr.push({ ts, value });
      rows.push({ patientId: patient, boxId, metric: 'heart_rate', ts, value, periodS: 120 });
    }
    for (let i = 0; i < 30 * 48; i++) {
      rows.push({ patientId: patient, boxId, metric: 'steps', ts: T0 - 30 * DAY + i * 30 * MIN, value: i % 50, periodS: 1800 });
    }
    for (let i = 0; i < rows.length; i += 5_000) await insertMeasurements(db, rows.slice(i, i + 5_000));
  });
  after(() => db.close());

  test('a month of heart rate: at most 1,000 points, each the exact min/mean/max of its bucket', async () => {
    const from = T0 - 30 * DAY;
    const series = await loadBucketedSeries(db, patient, 'heart_rate', from, T0);
    assert.ok(series.points.length <= MAX_POINTS, `${series.points.length} points`);
    assert.ok(series.points.length > 900);
    assert.equal(series.readings, hr.length);
    assert.equal(series.aggregate, 'mean');
    const w = series.bucketMs;
    // Recompute every bucket in JS from the raw readings.
    const expected = new Map<number, number[]>();
    for (const r of hr) {
      if (r.ts < from || r.ts > T0) continue;
      const b = Math.floor(r.ts / w);
      expected.set(b, [...(expected.get(b) ?? []), r.value]);
    }
    const real = series.points.filter((p) => p[1] !== null);
    assert.equal(real.length, expected.size);
    for (const [ts, mean, min, max] of real) {
      const values = expected.get(Math.floor(Math.max(ts, from) / w))!;
      assert.ok(values, `bucket at ${ts}`);
      assert.equal(min, Math.min(...values));
      assert.equal(max, Math.max(...values));
      assert.ok(Math.abs(mean! - values.reduce((a, b) => a + b, 0) / values.length) < 1e-9);
    }
    assert.ok(series.points.every((p, i) => i === 0 || p[0] > series.points[i - 1]![0]), 'sorted, no duplicate time');
  });

  test('the outage is one gap (a null point inside it); nothing else is', async () => {
    const series = await loadBucketedSeries(db, patient, 'heart_rate', T0 - 30 * DAY, T0);
    const gaps = series.points.filter((p) => p[1] === null);
    assert.equal(gaps.length, 1);
    const [gapTs] = gaps[0]!;
    assert.ok(gapTs >= outageFrom - series.bucketMs && gapTs < outageTo, `gap at ${new Date(gapTs).toISOString()}`);
  });

  test('a day at full resolution: one point per reading, gaps only for real silences', async () => {
    const series = await loadBucketedSeries(db, patient, 'heart_rate', T0 - DAY, T0);
    const real = series.points.filter((p) => p[1] !== null);
    assert.equal(real.length, 720);
    assert.ok(real.every((p: BucketPoint) => p[1] === p[2] && p[2] === p[3]));
    assert.equal(series.points.length, 720);
  });

  test('steps: the bucket sums keep the total', async () => {
    const series = await loadBucketedSeries(db, patient, 'steps', T0 - 30 * DAY, T0);
    assert.equal(series.aggregate, 'sum');
    const total = series.points.reduce((s, p) => s + (p[1] ?? 0), 0);
    const expected = Array.from({ length: 30 * 48 }, (_, i) => i % 50).reduce((a, b) => a + b, 0);
    assert.equal(total, expected);
    assert.ok(series.points.length <= MAX_POINTS);
  });

  test('an empty range gives no point', async () => {
    const series = await loadBucketedSeries(db, patient, 'spo2', T0 - 30 * DAY, T0);
    assert.deepEqual(series.points, []);
    assert.equal(series.readings, 0);
  });
});
