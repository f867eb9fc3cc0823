/**
 * `npm run bench:erasure`: how long the erasure of one patient takes (issue 10, build 8), and how
 * long it holds the event loop on the embedded database (PGlite runs queries on the caller's
 * thread). The patient has a year of readings at the design's rate (1,056 a day: 385,440 rows over
 * 13 monthly partitions) next to another patient with as many, who must keep all of theirs.
 * No target: the figure says whether a request-time erasure (the admin's route) stays reasonable
 * and how long the hourly job may block a PGlite portal.
 *
 *     npm run bench:erasure                         # PGlite, in memory
 *     DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:erasure
 *
 * On PostgreSQL a database `vigie_t_<random>` is created on that server and dropped at the end.
 */
import { createBox, createPatient, openTestDb, countRows } from '@vigie/cloud-store/testing';
import { claimErasure, runErasure } from '../cloud-portal/src/privacy/erasure.ts';
import { recordResults } from './lib/results.ts';

const READINGS_PER_DAY = 1_056;
const DAYS = 365;
const rows = READINGS_PER_DAY * DAYS;
const spacingMs = Math.floor(86_400_000 / READINGS_PER_DAY);
const firstReading = Date.UTC(2025, 11, 1);

const db = await openTestDb();
try {
  const erased = await createPatient(db, 'Bench Erased');
  const kept = await createPatient(db, 'Bench Kept');
  const box = await createBox(db, { patientId: erased, since: firstReading - 86_400_000 });
  for (const patient of [erased, kept]) {
    await db.query(
      `INSERT INTO measurements (patient_id, box_id, metric, ts, value, period_s)
       SELECT $1, $2, (ARRAY['heart_rate', 'spo2', 'steps'])[1 + g % 3], to_timestamp(($3::bigint + g::bigint * $4) / 1000.0), 70, 120
         FROM generate_series(0, $5 - 1) g`,
      [patient, box.boxId, firstReading, spacingMs, rows],
    );
  }
  await db.exec('ANALYZE measurements');
  await claimErasure(db, erased, { reason: 'admin_request', requestedBy: null, now: Date.now() });
  // The longest time a 5 ms timer waited past its due time: how long the loop was held at once.
  let lastTick = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - lastTick - 5);
    lastTick = now;
  }, 5);
  const started = performance.now();
  const record = await runErasure(db, erased, { now: Date.now() });
  const elapsedMs = performance.now() - started;
  clearInterval(ticker);
  maxGapMs = Math.max(maxGapMs, performance.now() - lastTick - 5);
  const keptRows = await countRows(db, 'measurements', 'patient_id = $1', [kept]);
  if (record.counts.measurements !== rows || keptRows !== rows) throw new Error(`wrong counts: erased ${record.counts.measurements}, kept ${keptRows}`);
  const figures = {
    database: db.databaseUrl ? 'postgresql' : 'pglite',
    readingsErased: rows,
    readingsKeptOfOtherPatient: keptRows,
    erasureMs: Math.round(elapsedMs),
    readingsPerSecond: Math.round(rows / (elapsedMs / 1000)),
    eventLoopMaxBlockMs: Math.round(maxGapMs),
  };
  console.log(figures);
  console.log(`recorded in ${recordResults(`erasure-${figures.database}`, figures)}`);
} finally {
  await db.close();
}
