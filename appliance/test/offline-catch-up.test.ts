/**
 * Acceptance (issue 4): a box offline for a simulated 7 days catches up after reconnecting —
 * every reading in the cloud exactly once, in order, alerts first.
 *
 * The box side is the telemetry service's store and uplink (ReadingBuffer, AlertStore, Uplink)
 * on a file-backed SQLite store, with the safety core's alerts written through a second
 * connection (synchronous=FULL) as on a real box; time is an injected clock. The cloud is the
 * real cloud-ingest Fastify app over HTTP, on PGlite (or PostgreSQL when DATABASE_URL is set).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import Fastify from 'fastify';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import type { AlertEvent, BatchReceipt, Heartbeat, Reading, TelemetryBatch } from '@vigie/protocol';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { countRows, createBox, createPatient, openTestDb } from '@vigie/cloud-store/testing';
import type { Clock } from '../src/clock.ts';
import { boxErrors } from '../src/errors.ts';
import { openBoxDatabase } from '../src/store/database.ts';
import { ReadingBuffer } from '../src/telemetry/buffer/reading-buffer.ts';
import { AlertStore } from '../src/safety-core/alert-store.ts';
import { DESIGN_SEND_CADENCES } from '../src/telemetry/buffer/send-cadence.ts';
import { HttpCloudClient, type CloudClient } from '../src/telemetry/cloud-client.ts';
import { Uplink } from '../src/telemetry/uplink.ts';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
const BRACELET = 'BR-TEST-0001';

/** A clock the test moves by hand. */
class ManualClock implements Clock {
  constructor(public time: number) {}
  now(): number {
    return this.time;
  }
}

/** The box's network: down, every send fails as unreachable (and is recorded); up, it goes through. */
class SwitchableLink implements CloudClient {
  up = false;
  readonly attempted: TelemetryBatch[] = [];
  constructor(readonly inner: CloudClient) {}
  async sendTelemetry(batch: TelemetryBatch): Promise<BatchReceipt> {
    this.attempted.push(batch);
    this.#check();
    return this.inner.sendTelemetry(batch);
  }
  async sendAlert(event: AlertEvent): Promise<void> {
    this.#check();
    return this.inner.sendAlert(event);
  }
  async sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
    this.#check();
    return this.inner.sendHeartbeat(heartbeat);
  }
  #check(): void {
    if (!this.up) throw boxErrors.create('BOX_CLOUD_UNREACHABLE', { details: { path: 'network down (test)' } });
  }
}

/** Readings at the design's bracelet → box cadences over [from, to): HR every 2 min, SpO2 every 5, steps every 30. */
function readingsAtDesignCadence(from: number, to: number): Reading[] {
  const out: Reading[] = [];
  for (let t = from; t < to; t += MIN) {
    const k = (t - from) / MIN;
    if (k % 2 === 0) out.push({ metric: 'heart_rate', ts: t, value: 60 + (k % 37), periodS: 120 });
    if (k % 5 === 0) out.push({ metric: 'spo2', ts: t, value: 94 + (k % 5), periodS: 300 });
    if (k % 30 === 0) out.push({ metric: 'steps', ts: t, value: k % 400, periodS: 1_800 });
  }
  return out;
}

test('a box offline for 7 days catches up: every reading in the cloud exactly once, in order, alerts first', { timeout: 120_000 }, async (t) => {
  const dir = tempDir('vigie-offline-');
  t.after(() => dir.cleanup());
  // Real time minus 7 days and a half, so every reading is in the past for the cloud too.
  const start = Math.floor((Date.now() - 7.5 * DAY) / MIN) * MIN;
  const end = start + 7 * DAY;
  const clock = new ManualClock(start);

  // The cloud: cloud-ingest's routes on a migrated database, over real HTTP. A hook records the
  // order in which deliveries were accepted.
  const db = await openTestDb();
  t.after(() => db.close());
  const patientId = await createPatient(db);
  const cloudBox = await createBox(db, { patientId, since: start - DAY });
  const app = Fastify();
  t.after(() => app.close());
  const accepted: Array<{ kind: 'telemetry' | 'alert' | 'heartbeat'; seq?: number; readings?: Reading[]; heartbeat?: Heartbeat }> = [];
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode >= 300) return;
    const body = request.body as Record<string, unknown>;
    if (request.url.endsWith('/telemetry')) accepted.push({ kind: 'telemetry', seq: body.seq as number, readings: body.readings as Reading[] });
    else if (request.url.endsWith('/alerts')) accepted.push({ kind: 'alert' });
    else if (request.url.endsWith('/heartbeats')) accepted.push({ kind: 'heartbeat', heartbeat: body as unknown as Heartbeat });
  });
  await app.register(ingestRoutes, { db, now: () => clock.now() });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });

  // The box: the telemetry side's store and uplink, and the safety core's own connection for alerts.
  const path = join(dir.path, 'box.db');
  const telemetryDb = openBoxDatabase(path, { synchronous: 'NORMAL' });
  const safetyDb = openBoxDatabase(path, { synchronous: 'FULL' });
  t.after(() => {
    telemetryDb.close();
    safetyDb.close();
  });
  const readings = new ReadingBuffer(telemetryDb);
  const safetyAlerts = new AlertStore(safetyDb);
  const http = new HttpCloudClient({ baseUrl: address, token: cloudBox.token });
  t.after(() => (http as { close?: () => void }).close?.());
  const link = new SwitchableLink(http);
  const uplink = new Uplink({
    boxId: cloudBox.boxId,
    readings,
    alerts: new AlertStore(telemetryDb),
    cloud: link,
    clock,
    log: silentLogger(),
    // The test drives every cycle itself (kick + idle): no timer may fire meanwhile.
    intervalMs: 3_600_000,
    heartbeatMs: 5 * MIN,
    batchSize: 1_000,
    cadences: () => DESIGN_SEND_CADENCES,
    heartbeat: () => ({
      software: { box: 'test' },
      lastBraceletContactAt: clock.now(),
      braceletBattery: 80,
      modem: { registered: true, signal: 20 },
      diskFreeBytes: 1_000_000,
    }),
  });
  await uplink.start();
  t.after(() => uplink.stop());
  const cycle = async () => {
    uplink.kick();
    await uplink.idle();
  };

  // Offline for 7 days: readings arrive one by one as from the bus, the uplink tries every 10
  // minutes and fails, and three alerts are raised (by the safety core) and pushed at once.
  const generated = readingsAtDesignCadence(start, end);
  assert.ok(generated.length > 7_300, `${generated.length} readings`);
  const alertTimes = [1.5, 3.5, 5.5].map((d) => start + d * DAY);
  let nextTry = start + 10 * MIN;
  for (const reading of generated) {
    clock.time = reading.ts;
    readings.append(BRACELET, reading);
    if (alertTimes.length > 0 && reading.ts >= alertTimes[0]!) {
      alertTimes.shift();
      safetyAlerts.raise({ kind: 'fall', severity: 'critical', sourceKey: `fall:${reading.ts}`, now: reading.ts, recipients: [], text: () => 'ALERTE' });
      await cycle();
    }
    if (reading.ts >= nextTry) {
      nextTry += 10 * MIN;
      await cycle();
    }
  }
  assert.equal(accepted.length, 0, 'nothing reached the cloud while offline');
  assert.equal(readings.depth().depth, generated.length, 'every reading is kept');
  assert.ok(link.attempted.length > 0 && link.attempted.every((b) => b.seq === 0), 'one batch frozen while offline, retried under the same seq');

  // The network comes back.
  link.up = true;
  clock.time = end;
  await cycle();
  // One cycle drained it all: the tail left after the last full batch holds readings days old,
  // due by their cadence, and takes the newest along.
  assert.equal(readings.depth().depth, 0, 'the buffer is empty');
  clock.time = end + 10 * MIN;
  await cycle();

  // Alerts first: every alert before the first batch.
  const kinds = accepted.map((a) => a.kind);
  const firstBatch = kinds.indexOf('telemetry');
  assert.deepEqual(kinds.slice(0, firstBatch), ['alert', 'alert', 'alert'], 'the three alerts arrived before any backlog batch');
  assert.equal(await countRows(db, 'alerts', 'box_id = $1', [cloudBox.boxId]), 3);

  // In order: batches in increasing seq, from the one frozen offline (same content), readings in
  // time order within the box's stream and exactly the ones generated.
  const batches = accepted.filter((a) => a.kind === 'telemetry');
  const seqs = batches.map((b) => b.seq!);
  assert.deepEqual(seqs, seqs.map((_, i) => i), 'batch seqs 0, 1, 2… in order, none twice');
  assert.deepEqual(batches[0]!.readings, link.attempted[0]!.readings, 'the batch frozen offline was sent as frozen');
  assert.ok(batches.slice(1, -1).every((b) => b.readings!.length === 1_000), 'the backlog went in full batches');
  const stream = batches.flatMap((b) => b.readings!);
  assert.ok(stream.every((r, i) => i === 0 || stream[i - 1]!.ts <= r.ts), 'readings in time order across the box\'s batches');
  assert.deepEqual(stream, generated, 'the stream is every reading once, in order');

  // Exactly once in the database.
  assert.equal(await countRows(db, 'measurements', 'box_id = $1', [cloudBox.boxId]), generated.length);
  assert.equal(await countRows(db, 'rejected_readings'), 0);
  const { rows } = await db.query<{ n: number }>(
    'SELECT count(*)::int AS n FROM (SELECT DISTINCT metric, ts FROM measurements WHERE box_id = $1) d',
    [cloudBox.boxId],
  );
  assert.equal(rows[0]!.n, generated.length, 'no reading twice');
  const stored = await db.query<{ metric: string; ts: Date; value: number }>(
    'SELECT metric, ts, value FROM measurements WHERE box_id = $1 AND patient_id = $2 ORDER BY ts, metric',
    [cloudBox.boxId, patientId],
  );
  const key = (metric: string, ts: number, value: number) => `${metric}@${ts}=${value}`;
  assert.deepEqual(
    stored.rows.map((r) => key(r.metric, r.ts.getTime(), r.value)),
    [...generated].sort((a, b) => a.ts - b.ts || a.metric.localeCompare(b.metric)).map((r) => key(r.metric, r.ts, r.value)),
    'the patient\'s measurements are exactly the readings taken',
  );

  // The heartbeats say how it went.
  const heartbeats = accepted.filter((a) => a.kind === 'heartbeat').map((a) => a.heartbeat!);
  assert.ok(heartbeats.length >= 2);
  assert.equal(heartbeats.at(-1)!.bufferDepth, 0);
  assert.equal(heartbeats.at(-1)!.evictedReadings, 0);
  assert.equal(heartbeats.at(-1)!.configVersion, null);
  assert.ok(heartbeats.every((h) => h.bufferDepth === 0 && h.oldestUnsentAt === null));
  assert.ok(heartbeats.every((h) => h.software.box === 'test' && h.diskFreeBytes === 1_000_000));
});
