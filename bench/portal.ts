/**
 * `npm run bench:portal`: the doctor's month view for one patient — heart rate every 2 minutes
 * (21,600 points), SpO2 every 5 minutes and steps every 30 minutes over 30 days — served by the
 * real Fastify app (app.inject, a logged-in doctor, the real authorization and access log) from
 * PostgreSQL 15 also holding a day of data for many other patients (1,056 readings per patient:
 * 720 heart rate, 288 SpO2, 48 steps), loaded with COPY. Target (issue 5): p95 ≤ 100 ms, at most
 * 1,000 points per series sent to the browser.
 *
 * Loading 100,000 patients (~105.6 M rows) may not fit the time budget on a small machine: the
 * load stops at the budget and the figures say how many patients were actually loaded. Nothing is
 * extrapolated. (A smoke run here loaded ~260,000 rows/s with the indexes in place: the full day
 * takes ~7 minutes if that rate holds as the indexes grow.)
 *
 * What this measures, and what not: the requests repeat one patient's month, so after the first
 * one its pages are in PostgreSQL's cache (a doctor re-opening a page, or paging through ranges);
 * and the patient's month was loaded in one piece, so its rows sit together on disk. In production
 * a patient's readings are interleaved with everyone else's (one heap page per few readings): a
 * cold month then costs up to ~30,000 page reads, which an index carrying the value
 * (`INCLUDE (value)`, for index-only scans) would avoid.
 *
 *     DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres npm run bench:portal \
 *       [-- --patients 100000 --budget-s 600 --requests 300 --keep]
 *
 * A fresh database `vigie_bench_portal_<random>` is created on that server and dropped at the end
 * (`--keep` keeps it and prints its name).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { silentLogger } from '@vigie/common';
import { migrate, openPgDb } from '@vigie/cloud-store';
import { buildCloudApp } from '../cloud-portal/src/app.ts';
import { ensureAccount, linkCare } from '../cloud-portal/src/auth/accounts.ts';
import { loadCloudConfig } from '../cloud-portal/src/config.ts';
import { SESSION_COOKIE } from '../cloud-portal/src/auth/guards.ts';
import { MAX_POINTS } from '../cloud-portal/src/patients/measurement-series.ts';
import { percentile, recordResults } from './lib/results.ts';

const { values } = parseArgs({
  options: {
    patients: { type: 'string', default: '100000' },
    'budget-s': { type: 'string', default: '600' },
    requests: { type: 'string', default: '300' },
    chunk: { type: 'string', default: '1000' },
    keep: { type: 'boolean', default: false },
  },
});
const targetPatients = Number(values.patients);
const budgetMs = Number(values['budget-s']) * 1000;
const requests = Number(values.requests);
const chunk = Number(values.chunk);
if (![targetPatients, budgetMs, requests, chunk].every((n) => Number.isInteger(n) && n > 0) || requests < 200) {
  console.error('usage: --patients N --budget-s S --requests N (≥ 200) --chunk N (positive integers)');
  process.exit(2);
}
const serverUrl = process.env.DATABASE_URL;
if (!serverUrl) {
  console.error('bench:portal needs DATABASE_URL (a PostgreSQL 15 server; a fresh database is created on it)');
  process.exit(2);
}

const MIN = 60_000;
const DAY = 86_400_000;
const now = Date.now();
const dayStart = now - DAY;

// A fresh database.
const dbName = `vigie_bench_portal_${randomBytes(4).toString('hex')}`;
const admin = new pg.Client({ connectionString: serverUrl });
await admin.connect();
const version = (await admin.query<{ server_version: string }>('SHOW server_version')).rows[0]!.server_version;
await admin.query(`CREATE DATABASE ${dbName}`);
await admin.end();
const url = new URL(serverUrl);
url.pathname = `/${dbName}`;
const db = await openPgDb({ connectionString: url.toString(), max: 5 });
await migrate(db);

// The benchmarked patient and their doctor.
const patientId = randomUUID();
await db.query('INSERT INTO patients (id, display_name, birth_year) VALUES ($1, $2, 1938)', [patientId, 'Bench Patient']);
const doctor = await ensureAccount(db, { email: 'bench.doctor@vigie.test', displayName: 'Dr Bench', role: 'doctor', password: 'bench-doctor-password' });
await linkCare(db, patientId, doctor.id, 'doctor');

/** COPY rows (text format) produced by `lines` into measurements. */
async function copyRows(lines: () => Generator<string>): Promise<void> {
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const stream = client.query(copyFrom('COPY measurements (patient_id, box_id, metric, ts, value, period_s) FROM STDIN'));
    await pipeline(Readable.from(lines()), stream);
  } finally {
    await client.end();
  }
}

/** Time stamps (ISO) of one metric from `start` for `span`, every `step`. */
function stamps(start: number, span: number, step: number): string[] {
  const out: string[] = [];
  for (let ts = start; ts < start + span; ts += step) out.push(new Date(ts).toISOString());
  return out;
}

// 30 days for the benchmarked patient.
const monthStart = now - 30 * DAY;
const month = { heart_rate: stamps(monthStart, 30 * DAY, 2 * MIN), spo2: stamps(monthStart, 30 * DAY, 5 * MIN), steps: stamps(monthStart, 30 * DAY, 30 * MIN) };
await copyRows(function* () {
  let i = 0;
  for (const ts of month.heart_rate) yield `${patientId}\tVB-BENCH-0\theart_rate\t${ts}\t${60 + (i++ % 40)}\t120\n`;
  for (const ts of month.spo2) yield `${patientId}\tVB-BENCH-0\tspo2\t${ts}\t${92 + (i++ % 7)}\t300\n`;
  for (const ts of month.steps) yield `${patientId}\tVB-BENCH-0\tsteps\t${ts}\t${i++ % 400}\t1800\n`;
});

// A day for the other patients, in chunks, until the target or the time budget.
const day = { heart_rate: stamps(dayStart, DAY, 2 * MIN), spo2: stamps(dayStart, DAY, 5 * MIN), steps: stamps(dayStart, DAY, 30 * MIN) };
const perPatient = day.heart_rate.length + day.spo2.length + day.steps.length;
const loadStart = performance.now();
let loaded = 0;
while (loaded < targetPatients && performance.now() - loadStart < budgetMs) {
  const n = Math.min(chunk, targetPatients - loaded);
  const first = loaded;
  await copyRows(function* () {
    for (let p = 0; p < n; p++) {
      const id = randomUUID();
      const box = `VB-B-${first + p}`;
      const parts: string[] = [];
      let v = p;
      for (const ts of day.heart_rate) parts.push(`${id}\t${box}\theart_rate\t${ts}\t${55 + (v++ % 50)}\t120\n`);
      for (const ts of day.spo2) parts.push(`${id}\t${box}\tspo2\t${ts}\t${90 + (v++ % 9)}\t300\n`);
      for (const ts of day.steps) parts.push(`${id}\t${box}\tsteps\t${ts}\t${v++ % 500}\t1800\n`);
      yield parts.join('');
    }
  });
  loaded += n;
  const elapsed = (performance.now() - loadStart) / 1000;
  process.stdout.write(`\rloaded ${loaded.toLocaleString('en')} patients (${(loaded * perPatient).toLocaleString('en')} rows) in ${elapsed.toFixed(0)} s`);
}
process.stdout.write('\n');
const loadSeconds = (performance.now() - loadStart) / 1000;
await db.query('ANALYZE measurements');
const totalRows = Number((await db.query<{ n: number }>('SELECT count(*)::int8 AS n FROM measurements')).rows[0]!.n);

// The real app, a logged-in doctor.
const config = loadCloudConfig({ DATABASE_URL: url.toString(), VIGIE_DATA_DIR: '/nonexistent-vigie-bench', VIGIE_STAFF_TOTP: 'optional', LOG_LEVEL: 'silent' });
const app = await buildCloudApp({ db, config, log: silentLogger(), roles: { ingest: false, portal: true }, webDistDir: '/nonexistent-vigie-web' });
await app.ready();
const login = await app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-vigie-csrf': '1' }, payload: { email: 'bench.doctor@vigie.test', password: 'bench-doctor-password' } });
const cookie = login.cookies.find((c) => c.name === SESSION_COOKIE);
if (login.statusCode !== 200 || !cookie) throw new Error(`login failed: ${login.statusCode} ${login.body}`);
const headers = { cookie: `${cookie.name}=${cookie.value}` };

const latencies: number[] = [];
let maxPoints = 0;
let bytes = 0;
for (let i = 0; i < requests + 20; i++) {
  // The month ending now, as the page asks it (a slightly different window each time: no cache).
  const to = Date.now();
  const t0 = performance.now();
  const res = await app.inject({ method: 'GET', url: `/api/patients/${patientId}/dashboard?from=${to - 30 * DAY}&to=${to}`, headers });
  const body = res.json() as { series: Record<string, { points: unknown[]; readings: number }> };
  const t1 = performance.now();
  if (res.statusCode !== 200) throw new Error(`dashboard answered ${res.statusCode}: ${res.body}`);
  for (const [metric, s] of Object.entries(body.series)) {
    if (s.points.length > MAX_POINTS) throw new Error(`${metric}: ${s.points.length} points > ${MAX_POINTS}`);
    maxPoints = Math.max(maxPoints, s.points.length);
  }
  if (i === 0 && body.series.heart_rate!.readings < 21_000) throw new Error(`only ${body.series.heart_rate!.readings} heart-rate readings in the month`);
  if (i >= 20) {
    latencies.push(t1 - t0);
    bytes = res.body.length;
  }
}
await app.close();
await db.close();
if (!values.keep) {
  const dropper = new pg.Client({ connectionString: serverUrl });
  await dropper.connect();
  await dropper.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await dropper.end();
}

latencies.sort((a, b) => a - b);
const round = (ms: number) => Math.round(ms * 100) / 100;
const figures = {
  postgres: version,
  patientsRequested: targetPatients,
  patientsLoaded: loaded,
  readingsPerPatientDay: perPatient,
  measurementRows: totalRows,
  loadSeconds: Math.round(loadSeconds),
  loadBudgetSeconds: budgetMs / 1000,
  fullSizeLoaded: loaded === targetPatients,
  benchmarkedPatient: { heartRate: month.heart_rate.length, spo2: month.spo2.length, steps: month.steps.length, days: 30 },
  requests,
  warmup: 20,
  maxPointsPerSeries: maxPoints,
  maxPointsAllowed: MAX_POINTS,
  responseBytes: bytes,
  p50Ms: round(percentile(latencies, 50)),
  p95Ms: round(percentile(latencies, 95)),
  p99Ms: round(percentile(latencies, 99)),
  maxMs: round(latencies.at(-1)!),
  targetP95Ms: 100,
};
console.log("Doctor's month view (3 series, downsampled on the server) through the Fastify app:");
console.table(figures);
console.log(`points per series: at most ${maxPoints} (limit ${MAX_POINTS}) — ${maxPoints <= MAX_POINTS ? 'OK' : 'FAILED'}`);
if (!figures.fullSizeLoaded) {
  console.log(`NOTE: ${loaded.toLocaleString('en')} of ${targetPatients.toLocaleString('en')} patients loaded within the ${budgetMs / 1000} s budget (${totalRows.toLocaleString('en')} rows); the figures are for that size.`);
}
console.log(figures.p95Ms <= 100 ? 'target met: p95 ≤ 100 ms' : `TARGET MISSED: p95 ${figures.p95Ms} ms > 100 ms`);
if (values.keep) console.log(`database kept: ${dbName}`);
console.log(`recorded in ${recordResults('portal', figures)}`);
