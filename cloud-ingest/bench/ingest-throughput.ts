/**
 * Ingest and chart-query figures on this machine: `npx tsx cloud-ingest/bench/ingest-throughput.ts`
 * (PGlite in memory), or with DATABASE_URL set (a scratch database on that server).
 *
 * Prints: telemetry batches through the whole HTTP path (auth, validate, filter, write, notify),
 * the cost of a replayed batch, and a set-based insert of one patient's 30 days of heart rate.
 * With `--out`, records them in bench/results/ingest-throughput-<date>.json (clean tree only, or
 * `--allow-dirty`: bench/lib/results.ts).
 */
import { hostname, cpus } from 'node:os';
import { recordResults } from '../../bench/lib/results.ts';
import Fastify from 'fastify';
import type { Reading } from '@vigie/protocol';
import { ingestRoutes } from '../src/index.ts';
import { insertMeasurements } from '@vigie/cloud-store';
import { createBox, createPatient, openTestDb } from '@vigie/cloud-store/testing';

const BATCH = Number(process.env.BENCH_BATCH ?? 5_000);
const BATCHES = Number(process.env.BENCH_BATCHES ?? 20);
const MIN = 60_000;

const db = await openTestDb();
const app = Fastify();
await app.register(ingestRoutes, { db });
await app.ready();
const now = Date.now();
const patientId = await createPatient(db);
const box = await createBox(db, { patientId, since: now - 40 * 86_400_000 });

function batch(seq: number) {
  const start = now - 30 * 86_400_000 + seq * BATCH * 1_000;
  const readings: Reading[] = Array.from({ length: BATCH }, (_, i) => ({ metric: 'heart_rate', ts: start + i * 1_000, value: 60 + (i % 40), periodS: 120 }));
  return { v: 1, boxId: box.boxId, seq, createdAt: now, readings };
}

const bodies = Array.from({ length: BATCHES }, (_, i) => batch(i));
let t = performance.now();
for (const body of bodies) {
  const res = await app.inject({ method: 'POST', url: '/ingest/v1/telemetry', headers: { authorization: `Bearer ${box.token}` }, payload: body });
  if (res.statusCode !== 200) throw new Error(res.body);
}
const ingestMs = performance.now() - t;

t = performance.now();
for (const body of bodies.slice(0, 10)) {
  await app.inject({ method: 'POST', url: '/ingest/v1/telemetry', headers: { authorization: `Bearer ${box.token}` }, payload: body });
}
const replayMs = (performance.now() - t) / 10;

// One patient's 30 days of 2-minute heart rate (21,600 rows).
const chartPatient = await createPatient(db);
const rows = Array.from({ length: 21_600 }, (_, i) => ({
  patientId: chartPatient,
  boxId: box.boxId,
  metric: 'heart_rate',
  ts: now - 30 * 86_400_000 + i * 2 * MIN,
  value: 70,
  periodS: 120,
}));
t = performance.now();
await insertMeasurements(db, rows);
const insertMs = performance.now() - t;
const total = BATCH * BATCHES;
console.log(`machine: ${hostname()}, ${cpus().length} × ${cpus()[0]?.model}; ${new Date().toISOString()}; db: ${db.kind}`);
console.log(`HTTP ingest: ${BATCHES} batches × ${BATCH} readings in ${ingestMs.toFixed(0)} ms → ${Math.round(total / (ingestMs / 1000))} readings/s (${(ingestMs / BATCHES).toFixed(1)} ms/batch)`);
console.log(`replayed batch (duplicate): ${replayMs.toFixed(1)} ms`);
console.log(`insertMeasurements 21,600 rows: ${insertMs.toFixed(0)} ms → ${Math.round(21_600 / (insertMs / 1000))} rows/s`);
if (process.argv.includes('--out')) {
  const figures = { db: db.kind, batch: BATCH, batches: BATCHES, ingestMs: Math.round(ingestMs), replayMs: Number(replayMs.toFixed(1)), insert21600Ms: Math.round(insertMs) };
  console.log(`recorded in ${recordResults('ingest-throughput', figures)}`);
}
await app.close();
await db.close();
