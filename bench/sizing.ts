/**
 * `npm run bench:sizing`: bytes per reading in PostgreSQL, measured, and what 100,000 patients cost.
 *
 * Loads 100 patients × 10 days at the design's cadences (1,056 readings per patient per day: heart
 * rate every 2 min, SpO2 every 5 min, steps every 30 min) into a fresh database on the machine's
 * PostgreSQL (DATABASE_URL, default the local server), through the same set-based insert ingest
 * uses, then reads the size of the measurement partitions with their indexes.
 */
import { insertMeasurements, type MeasurementRow } from '@vigie/cloud-store';
import { createBox, createPatient, openTestDb } from '@vigie/cloud-store/testing';
import { recordResults } from './lib/results.ts';

process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
const PATIENTS = 100;
const DAYS = 10;
const PER_DAY = 720 + 288 + 48;

const db = await openTestDb({});
try {
  const dayMs = 86_400_000;
  const start = Date.now() - DAYS * dayMs;
  let rows = 0;
  for (let p = 0; p < PATIENTS; p++) {
    const patientId = await createPatient(db, `Patient ${p}`);
    const { boxId } = await createBox(db, { patientId, since: start - dayMs });
    const batch: MeasurementRow[] = [];
    for (let t = start; t < start + DAYS * dayMs; t += 120_000) batch.push({ patientId, boxId, metric: 'heart_rate', ts: t, value: 60 + (t % 37), periodS: 120 });
    for (let t = start; t < start + DAYS * dayMs; t += 300_000) batch.push({ patientId, boxId, metric: 'spo2', ts: t, value: 94 + (t % 5), periodS: 300 });
    for (let t = start; t < start + DAYS * dayMs; t += 1_800_000) batch.push({ patientId, boxId, metric: 'steps', ts: t, value: t % 400, periodS: 1_800 });
    for (let i = 0; i < batch.length; i += 5_000) rows += await insertMeasurements(db, batch.slice(i, i + 5_000));
  }
  await db.query('ANALYZE measurements');
  const { rows: [size] } = await db.query<{ total: string; heap: string }>(
    `SELECT sum(pg_total_relation_size(inhrelid))::bigint AS total, sum(pg_relation_size(inhrelid))::bigint AS heap
       FROM pg_inherits WHERE inhparent = 'measurements'::regclass`,
  );
  const total = Number(size!.total);
  const heap = Number(size!.heap);
  const perReading = total / rows;
  const perDay100k = perReading * PER_DAY * 100_000;
  const gib = (b: number) => Math.round((b / 2 ** 30) * 10) / 10;
  const figures = {
    readings: rows,
    bytesPerReading: Math.round(perReading * 10) / 10,
    heapBytesPerReading: Math.round((heap / rows) * 10) / 10,
    indexBytesPerReading: Math.round(((total - heap) / rows) * 10) / 10,
    readingsPerPatientPerDay: PER_DAY,
    gibPerDayFor100kPatients: gib(perDay100k),
    gibPerYearFor100kPatients: gib(perDay100k * 365),
  };
  console.table(figures);
  console.log(`recorded in ${recordResults('sizing', figures)}`);
} finally {
  await db.close();
}
