/**
 * `npm run bench:reports`: monthly reports for 1,000 patients with a month of data each (heart
 * rate every 10 minutes, SpO2 and steps every 30, battery hourly: 7,920 readings per patient per
 * month, 7.9 M rows), rendered and stored by the reports service exactly as in production:
 * requests in the database queue, one worker (one report at a time), PDFs into an embedded
 * s3rver. Prints and records reports/s per worker, render and read times, and peak memory (RSS).
 *
 * Options: `--patients N` (default 1,000). PostgreSQL when DATABASE_URL is set (recommended),
 * else PGlite.
 */
import { parseArgs } from 'node:util';
import { countRows, openTestDb } from '@vigie/cloud-store/testing';
import { tempDir, waitUntil } from '@vigie/common/testing';
import { DbReportQueue, publishPending, ReportObjectStore, ReportsService, startEmbeddedS3 } from '@vigie/cloud-reports';
import { recordResults } from './lib/results.ts';

const { values } = parseArgs({ options: { patients: { type: 'string', default: '1000' } } });
const PATIENTS = Number(values.patients);
const NOW = Date.UTC(2026, 11, 8, 1, 0, 0);
const NIGHT_SECONDS = 8 * 3_600;

const db = await openTestDb();
const dir = tempDir('vigie-bench-reports-');
const s3 = await startEmbeddedS3({ directory: dir.path, bucket: 'vigie-reports' });
const objects = new ReportObjectStore(s3.config);
try {
  const seedStart = performance.now();
  await db.query(`SELECT setseed(0.42)`);
  await db.query(`INSERT INTO patients (display_name, birth_year) SELECT 'Patient ' || i, 1930 + i % 20 FROM generate_series(1, $1) AS i`, [PATIENTS]);
  await db.query(`INSERT INTO accounts (email, display_name, role, password_hash) VALUES ('bench.doctor@bench.example', 'Dr Bench', 'doctor', 'x')`);
  await db.query(`INSERT INTO care_links (patient_id, account_id, relation) SELECT p.id, a.id, 'doctor' FROM patients p, accounts a`);
  // Readings of November 2026 (Paris), per metric, straight in SQL: the bench measures reports, not seeding.
  const start = `'2026-11-01'::timestamp AT TIME ZONE 'Europe/Paris'`;
  for (const [metric, everyMin, expr, period] of [
    ['heart_rate', 10, `60 + floor(random() * 35) + CASE WHEN random() < 0.007 THEN 70 ELSE 0 END`, 600],
    ['spo2', 30, `93 + floor(random() * 5) - CASE WHEN random() < 0.01 THEN 7 ELSE 0 END`, 300],
    ['steps', 30, `floor(random() * 300)`, 1800],
    ['bracelet_battery', 60, `20 + floor(random() * 80)`, null],
  ] as const) {
    await db.query(
      `INSERT INTO measurements (patient_id, box_id, metric, ts, value, period_s)
       SELECT p.id, 'VB-BENCH', $1, ${start} + (m * interval '1 minute'), ${expr}, $3 FROM patients p, generate_series(0, 30 * 1440 - 1, $2) AS m`,
      [metric, everyMin, period],
    );
  }
  await db.exec('ANALYZE measurements');
  const rows = await countRows(db, 'measurements');
  const seedSeconds = (performance.now() - seedStart) / 1000;
  console.log(`seeded ${PATIENTS} patients, ${rows} readings in ${seedSeconds.toFixed(1)} s`);

  await db.query(`INSERT INTO report_requests (patient_id, period_from, period_to, kind, requested_at) SELECT id, '2026-11-01', '2026-12-01', 'scheduled', $1 FROM patients`, [
    new Date(NOW).toISOString(),
  ]);
  const queue = new DbReportQueue({ db, workers: 1, idleMs: 20 });
  await publishPending(db, queue, NOW);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  const service = new ReportsService({ db, objects, transport: queue, now: () => NOW, deletionSweepMs: 0 });
  const t0 = performance.now();
  await service.start();
  await waitUntil(async () => (await countRows(db, 'reports')) === PATIENTS, 'every report stored', 24 * 3_600_000, 200);
  const seconds = (performance.now() - t0) / 1000;
  await service.stop();
  clearInterval(sampler);
  const sizes = await db.query<{ avg: number; pages: number }>('SELECT avg(size_bytes)::float8 AS avg, avg(pages)::float8 AS pages FROM reports');
  const perSecond = PATIENTS / seconds;
  const weeklyPerNightTwoWorkers = Math.round(perSecond * 2 * NIGHT_SECONDS);
  const figures = {
    database: db.kind,
    patients: PATIENTS,
    readings: rows,
    readingsPerPatient: rows / PATIENTS,
    seconds: Number(seconds.toFixed(1)),
    reportsPerSecondPerWorker: Number(perSecond.toFixed(2)),
    msPerReport: Math.round((seconds * 1000) / PATIENTS),
    peakRssMiB: Math.round(peakRss / 2 ** 20),
    avgPdfBytes: Math.round(sizes.rows[0]!.avg),
    avgPages: Number(sizes.rows[0]!.pages.toFixed(1)),
    // Monthly reports read 4× the rows of a weekly one: the monthly rate is a floor for weekly ones.
    weeklyReportsIn8hOnTwoWorkersAtLeast: weeklyPerNightTwoWorkers,
    target: '100,000 weekly reports in one night (8 h) on two workers',
    meetsTarget: weeklyPerNightTwoWorkers >= 100_000,
  };
  console.log(figures);
  console.log(`recorded in ${recordResults(`reports-${db.kind}`, figures)}`);
} finally {
  objects.close();
  await s3.stop();
  dir.cleanup();
  await db.close();
}
