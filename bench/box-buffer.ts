/**
 * Box side of `bench:ingest` (issue 4): the telemetry buffer on a file-backed SQLite store with the
 * box's settings (WAL, synchronous=NORMAL, as the telemetry service opens it).
 *
 * - insert: one reading per call (the real path: one bus message, one commit) and appendMany
 *   (1,000 per transaction); then single appends into a FULL buffer, where evictions run, with
 *   the slowest append (an eviction step holds the write lock the safety core's alerts share).
 *   Target ≥ 50,000 readings/s.
 * - replay: the Uplink draining a 100,000-reading backlog (nextBatch → send → confirm, alert lane
 *   checked between batches) against a no-op cloud; then 20,000 readings against the real
 *   cloud-ingest app over HTTP on in-memory PGlite. Target ≥ 5,000 readings/s.
 *
 * `npx tsx bench/box-buffer.ts` prints the figures (`--out` also records them under
 * bench/results/); `runBoxBufferBench()` returns them for `bench:ingest`.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import type { BatchReceipt, Reading, TelemetryBatch } from '@vigie/protocol';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { createBox, createPatient, openTestDb } from '@vigie/cloud-store/testing';
import { openBoxDatabase, type BoxDatabase } from '../appliance/src/store/database.ts';
import { ReadingBuffer } from '../appliance/src/telemetry/buffer/reading-buffer.ts';
import { AlertStore } from '../appliance/src/safety-core/alert-store.ts';
import { DESIGN_SEND_CADENCES } from '../appliance/src/telemetry/buffer/send-cadence.ts';
import { HttpCloudClient, type CloudClient } from '../appliance/src/telemetry/cloud-client.ts';
import { Uplink } from '../appliance/src/telemetry/uplink.ts';
import { recordResults } from './lib/results.ts';

const BRACELET = 'BR-BENCH-0001';
const MIN = 60_000;

/** Readings every 2 minutes (heart rate) with an SpO2 every fifth, ending about now. */
function readings(n: number, end = Date.now() - MIN): Reading[] {
  const start = end - n * 2 * MIN;
  return Array.from({ length: n }, (_, i) =>
    i % 5 === 4
      ? { metric: 'spo2' as const, ts: start + i * 2 * MIN, value: 95 + (i % 4), periodS: 300 }
      : { metric: 'heart_rate' as const, ts: start + i * 2 * MIN, value: 60 + (i % 37), periodS: 120 },
  );
}

const perSecond = (count: number, ms: number) => Math.round((count / ms) * 1_000);

/** A cloud that takes everything at once. */
const noopCloud: CloudClient = {
  async sendTelemetry(batch: TelemetryBatch): Promise<BatchReceipt> {
    return { v: 1, boxId: batch.boxId, seq: batch.seq, accepted: batch.readings.length, duplicate: false };
  },
  async sendAlert() {},
  async sendHeartbeat() {},
};

/** Drain `db`'s buffer through a real Uplink cycle; returns the milliseconds it took. */
async function replay(db: BoxDatabase, buffer: ReadingBuffer, cloud: CloudClient, boxId: string): Promise<number> {
  const uplink = new Uplink({
    boxId,
    readings: buffer,
    alerts: new AlertStore(db),
    cloud,
    clock: { now: () => Date.now() },
    log: silentLogger(),
    intervalMs: 3_600_000,
    heartbeatMs: 3_600_000,
    batchSize: 1_000,
    cadences: () => DESIGN_SEND_CADENCES,
    heartbeat: () => ({ software: { box: 'bench' }, lastBraceletContactAt: null, braceletBattery: null, modem: { registered: false, signal: null }, diskFreeBytes: null }),
  });
  const t0 = performance.now();
  await uplink.start();
  await uplink.idle();
  const ms = performance.now() - t0;
  await uplink.stop();
  if (buffer.depth().depth !== 0) throw new Error(`replay left ${buffer.depth().depth} readings`);
  return ms;
}

/** What {@link runBoxBufferBench} measured: readings per second, eviction steps and the slowest append in ms. */
export interface BoxBufferFigures {
  appendSingleReadingsPerSec: number;
  appendSingleFullBufferReadingsPerSec: number;
  evictionSteps: number;
  evictionStepMeanMs: number;
  evictionStepMaxMs: number;
  appendFullBufferSlowestMs: number;
  appendManyReadingsPerSec: number;
  replayNoopCloudReadingsPerSec: number;
  /** Absent when run with `http: false`. */
  replayHttpCloudIngestReadingsPerSec?: number;
}

/** Measure the box buffer. */
export async function runBoxBufferBench(options: { readings?: number; httpReadings?: number; http?: boolean } = {}): Promise<BoxBufferFigures> {
  const n = options.readings ?? 100_000;
  const figures = {} as BoxBufferFigures;
  const dir = tempDir('vigie-bench-box-');
  try {
    // (a) inserts, one commit per reading.
    const single = readings(n);
    let db = openBoxDatabase(join(dir.path, 'single.db'), { synchronous: 'NORMAL' });
    let buffer = new ReadingBuffer(db, { limits: { maxRows: n, maxBytes: 1 << 30 } });
    let t0 = performance.now();
    for (const r of single) buffer.append(BRACELET, r);
    figures.appendSingleReadingsPerSec = perSecond(n, performance.now() - t0);

    // The same buffer, now full: an append evicts a bounded step about every 1 % of the limit.
    // Eviction steps are timed apart from the other appends, whose rare slow ones are SQLite's
    // WAL auto-checkpoints (every ~1,000 commits, with or without eviction) and GC pauses.
    const extra = readings(n / 5);
    const steps: number[] = [];
    let slowest = 0;
    t0 = performance.now();
    for (const r of extra) {
      const before = buffer.usage().evictedTotal;
      const a = performance.now();
      buffer.append(BRACELET, r);
      const ms = performance.now() - a;
      if (buffer.usage().evictedTotal > before) steps.push(ms);
      slowest = Math.max(slowest, ms);
    }
    figures.appendSingleFullBufferReadingsPerSec = perSecond(extra.length, performance.now() - t0);
    figures.evictionSteps = steps.length;
    figures.evictionStepMeanMs = Math.round((steps.reduce((a, b) => a + b, 0) / Math.max(1, steps.length)) * 100) / 100;
    figures.evictionStepMaxMs = Math.round(Math.max(0, ...steps) * 100) / 100;
    figures.appendFullBufferSlowestMs = Math.round(slowest * 100) / 100;
    db.close();

    // appendMany, 1,000 per transaction.
    db = openBoxDatabase(join(dir.path, 'many.db'), { synchronous: 'NORMAL' });
    buffer = new ReadingBuffer(db, { limits: { maxRows: n, maxBytes: 1 << 30 } });
    t0 = performance.now();
    for (let i = 0; i < n; i += 1_000) buffer.appendMany(BRACELET, single.slice(i, i + 1_000));
    figures.appendManyReadingsPerSec = perSecond(n, performance.now() - t0);

    // (b) replay of that backlog against a no-op cloud.
    figures.replayNoopCloudReadingsPerSec = perSecond(n, await replay(db, buffer, noopCloud, 'VB-BENCH-0001'));
    db.close();

    // (b') replay against cloud-ingest over HTTP on in-memory PGlite (or DATABASE_URL).
    if (options.http !== false) {
      const m = options.httpReadings ?? 20_000;
      const cloudDb = await openTestDb();
      const app = Fastify();
      try {
        const patientId = await createPatient(cloudDb);
        const box = await createBox(cloudDb, { patientId, since: Date.now() - 365 * 24 * 60 * MIN });
        await app.register(ingestRoutes, { db: cloudDb });
        const address = await app.listen({ host: '127.0.0.1', port: 0 });
        db = openBoxDatabase(join(dir.path, 'http.db'), { synchronous: 'NORMAL' });
        buffer = new ReadingBuffer(db);
        buffer.appendMany(BRACELET, readings(m));
        const http = new HttpCloudClient({ baseUrl: address, token: box.token });
        figures.replayHttpCloudIngestReadingsPerSec = perSecond(m, await replay(db, buffer, http, box.boxId));
        (http as { close?: () => void }).close?.();
        db.close();
      } finally {
        await app.close();
        await cloudDb.close();
      }
    }
  } finally {
    dir.cleanup();
  }
  return figures;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const figures = await runBoxBufferBench();
  console.table(figures);
  console.log('targets: append ≥ 50,000 readings/s (single and appendMany), replay ≥ 5,000 readings/s');
  if (process.argv.includes('--out')) console.log(`recorded in ${recordResults('box-buffer', { ...figures })}`);
}
