/**
 * Monthly partitions of `measurements` and retention, on PGlite (and PostgreSQL when DATABASE_URL
 * is set). The injected clock is in 2022, before the partitions migration 0002 creates around the
 * real date: those are "future" here and must survive every retention run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { createPatient, openTestDb, countRows, type TestDb } from '../testing.ts';
import { insertMeasurements, type MeasurementRow } from './measurements.ts';
import { migrate, MIGRATIONS_DIR } from './migrate.ts';
import { dropExpiredPartitions, ensurePartitions, maintainPartitions } from './partitions.ts';
import type { Queryable } from './types.ts';

const NOW = Date.UTC(2022, 2, 15, 12, 0, 0);

async function withDb(t: { after(fn: () => Promise<void>): void }): Promise<TestDb> {
  const db = await openTestDb();
  t.after(() => db.close());
  return db;
}

function reading(patientId: string, iso: string, value = 70): MeasurementRow {
  return { patientId, boxId: 'VB-P-1', metric: 'heart_rate', ts: Date.parse(iso), value, periodS: 120 };
}

async function partitions(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = 'measurements'::regclass ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

async function whereRowsAre(q: Queryable): Promise<Record<string, number>> {
  const { rows } = await q.query<{ part: string; n: number }>(
    'SELECT tableoid::regclass::text AS part, count(*)::int AS n FROM measurements GROUP BY 1 ORDER BY 1',
  );
  return Object.fromEntries(rows.map((r) => [r.part, r.n]));
}

test('creates the previous month, the current one and the next two, and nothing on a second or concurrent run', async (t) => {
  const db = await withDb(t);
  assert.deepEqual(await ensurePartitions(db, { now: NOW }), {
    created: ['measurements_2022_02', 'measurements_2022_03', 'measurements_2022_04', 'measurements_2022_05'],
    movedFromDefault: 0,
  });
  assert.deepEqual(await ensurePartitions(db, { now: NOW }), { created: [], movedFromDefault: 0 });
  const later = Date.UTC(2022, 11, 31, 23, 59);
  const [a, b] = await Promise.all([ensurePartitions(db, { now: later, monthsAhead: 1, monthsBehind: 0 }), ensurePartitions(db, { now: later, monthsAhead: 1, monthsBehind: 0 })]);
  assert.deepEqual([...a.created, ...b.created].sort(), ['measurements_2022_12', 'measurements_2023_01']);
  const names = await partitions(db);
  assert.ok(names.includes('measurements_default'));
  // Indexes of the parent are built on partitions the job creates.
  const { rows } = await db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'measurements_2022_04' ORDER BY 1`);
  assert.equal(rows.length, 2);
  assert.ok(rows.some((r) => /USING brin \(ts\)/.test(r.indexdef)));
  assert.ok(rows.some((r) => /\(patient_id, metric, ts\)/.test(r.indexdef)));
});

test('writes a batch spanning two months into the two monthly partitions', async (t) => {
  const db = await withDb(t);
  await ensurePartitions(db, { now: NOW });
  const patientId = await createPatient(db);
  const rows = [
    reading(patientId, '2022-03-31T23:58:00Z'),
    reading(patientId, '2022-03-31T23:59:59.999Z'),
    reading(patientId, '2022-04-01T00:00:00Z'),
    reading(patientId, '2022-04-01T00:02:00Z'),
    reading(patientId, '2022-04-01T00:04:00Z'),
  ];
  assert.equal(await insertMeasurements(db, rows), 5);
  assert.deepEqual(await whereRowsAre(db), { measurements_2022_03: 2, measurements_2022_04: 3 });
});

test('moves readings that fell into the default partition into their own monthly partition', async (t) => {
  const db = await withDb(t);
  await ensurePartitions(db, { now: NOW });
  const patientId = await createPatient(db);
  // A box whose clock is months behind: no partition for June 2021, the write still succeeds.
  await insertMeasurements(db, [reading(patientId, '2021-06-10T08:00:00Z'), reading(patientId, '2021-06-10T08:02:00Z')]);
  assert.deepEqual(await whereRowsAre(db), { measurements_default: 2 });
  const result = await maintainPartitions(db, { now: NOW, retentionMonths: 12 });
  assert.deepEqual(result, { created: ['measurements_2021_06'], movedFromDefault: 2, dropped: [], refusalsDeleted: 0 });
  assert.deepEqual(await whereRowsAre(db), { measurements_2021_06: 2 });
});

test('drops only the partitions entirely older than the retention, with their rows', async (t) => {
  const db = await withDb(t);
  const patientId = await createPatient(db);
  await insertMeasurements(db, [
    reading(patientId, '2021-01-15T10:00:00Z'),
    reading(patientId, '2021-02-28T23:59:00Z'),
    reading(patientId, '2021-03-01T00:00:00Z'),
    reading(patientId, '2021-04-02T10:00:00Z'),
    reading(patientId, '2022-03-14T10:00:00Z'),
    reading(patientId, '2022-03-14T10:02:00Z'),
  ]);
  await ensurePartitions(db, { now: NOW });
  const before = await partitions(db);

  // Retention 12 months at 2022-03-15: everything before 2021-03-15 may go, but March 2021 still
  // holds rows after that instant, so only January and February go.
  assert.deepEqual(await dropExpiredPartitions(db, { now: NOW, retentionMonths: 12 }), ['measurements_2021_01', 'measurements_2021_02']);
  assert.deepEqual(await dropExpiredPartitions(db, { now: NOW, retentionMonths: 12 }), []);
  assert.deepEqual(await partitions(db), before.filter((n) => n !== 'measurements_2021_01' && n !== 'measurements_2021_02'));
  assert.deepEqual(await whereRowsAre(db), { measurements_2021_03: 1, measurements_2021_04: 1, measurements_2022_03: 2 });

  // Recent data is still read through the parent, as the portal does.
  const { rows } = await db.query<{ ts: Date }>(
    `SELECT ts FROM measurements WHERE patient_id = $1 AND metric = 'heart_rate' AND ts >= $2 AND ts <= $3 ORDER BY ts`,
    [patientId, '2022-03-01T00:00:00Z', '2022-03-15T12:00:00Z'],
  );
  assert.deepEqual(rows.map((r) => r.ts.toISOString()), ['2022-03-14T10:00:00.000Z', '2022-03-14T10:02:00.000Z']);
});

test('never drops the current month, a future one or the default partition', async (t) => {
  const db = await withDb(t);
  await ensurePartitions(db, { now: NOW });
  const patientId = await createPatient(db);
  await insertMeasurements(db, [reading(patientId, '2022-03-01T00:00:00Z'), reading(patientId, '2019-12-31T00:00:00Z')]);
  const before = await partitions(db);
  assert.deepEqual(await dropExpiredPartitions(db, { now: NOW, retentionMonths: 1 }), []);
  assert.deepEqual(await partitions(db), before);
  assert.equal(await countRows(db, 'measurements'), 2);
  await assert.rejects(dropExpiredPartitions(db, { now: NOW, retentionMonths: 0 }), RangeError);
});

test('migration 0002 moves existing readings into monthly partitions and keeps the indexes', async (t) => {
  const dir = tempDir();
  const db = await openTestDb({ fresh: true });
  t.after(async () => {
    await db.close();
    dir.cleanup();
  });
  copyFileSync(join(MIGRATIONS_DIR, '0001_initial.sql'), join(dir.path, '0001_initial.sql'));
  await migrate(db, { dir: dir.path });
  const patientId = await createPatient(db);
  await insertMeasurements(db, [
    reading(patientId, '2021-11-30T23:59:00Z', 61),
    reading(patientId, '2021-12-01T00:00:00Z', 62),
    reading(patientId, '2021-12-31T12:00:00Z', 63),
  ]);
  // 0002 first; later migrations follow it.
  assert.equal((await migrate(db))[0], '0002_partitioned_measurements.sql');
  assert.deepEqual(await whereRowsAre(db), { measurements_2021_11: 1, measurements_2021_12: 2 });
  // The migration's clock is the database's: the real current month has a partition already.
  const today = new Date();
  const currentMonth = `measurements_${today.getUTCFullYear()}_${String(today.getUTCMonth() + 1).padStart(2, '0')}`;
  assert.ok((await partitions(db)).includes(currentMonth));
  const { rows } = await db.query<{ value: number }>('SELECT value FROM measurements WHERE patient_id = $1 ORDER BY ts', [patientId]);
  assert.deepEqual(rows.map((r) => r.value), [61, 62, 63]);
  const indexes = await db.query<{ indexname: string }>(`SELECT indexname FROM pg_indexes WHERE tablename = 'measurements' ORDER BY 1`);
  assert.deepEqual(indexes.rows.map((r) => r.indexname), ['measurements_patient_metric_ts_idx', 'measurements_ts_brin']);
  assert.equal(await countRows(db, 'pg_class', `relname = 'measurements_unpartitioned'`), 0);
});
