import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import type { AlertEvent, BatchReceipt, Heartbeat, Reading, TelemetryBatch } from '@vigie/protocol';
import { openBoxDatabase, type BoxDatabase } from '../store/database.ts';
import { ReadingBuffer } from './buffer/reading-buffer.ts';
import { AlertStore } from '../safety-core/alert-store.ts';
import { Uplink, type HeartbeatExtras, type UplinkDeps } from './uplink.ts';
import { DESIGN_SEND_CADENCES } from './buffer/send-cadence.ts';
import type { CloudClient } from './cloud-client.ts';
import { diskFreeBytes } from './box-health.ts';
import { boxErrors } from '../errors.ts';

const BOX = 'VB-TEST-0001';
const hr = (ts: number): Reading => ({ metric: 'heart_rate', ts, value: 70, periodS: 120 });

/** Records what reaches it, in order; `onTelemetry` runs inside a delivery (to raise an alert meanwhile). */
class OrderedCloud implements CloudClient {
  readonly log: string[] = [];
  readonly heartbeats: Heartbeat[] = [];
  receipt: (batch: TelemetryBatch) => BatchReceipt = (b) => ({ v: 1, boxId: b.boxId, seq: b.seq, accepted: b.readings.length, duplicate: false });
  onTelemetry: (batch: TelemetryBatch) => void = () => {};
  async sendTelemetry(batch: TelemetryBatch): Promise<BatchReceipt> {
    this.log.push(`batch ${batch.seq}`);
    this.onTelemetry(batch);
    return this.receipt(batch);
  }
  async sendAlert(event: AlertEvent): Promise<void> {
    this.log.push(`alert ${event.number}`);
  }
  async sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
    this.log.push('heartbeat');
    this.heartbeats.push(heartbeat);
  }
}

function uplinkOn(
  db: BoxDatabase,
  readings: ReadingBuffer,
  cloud: CloudClient,
  extras: Partial<HeartbeatExtras> = {},
  options: Partial<UplinkDeps> = {},
): Uplink {
  return new Uplink({
    boxId: BOX,
    readings,
    alerts: new AlertStore(db),
    cloud,
    clock: { now: () => 1_000_000 },
    log: silentLogger(),
    intervalMs: 3_600_000,
    heartbeatMs: 3_600_000,
    batchSize: 10,
    heartbeat: () => ({ software: { box: 't' }, lastBraceletContactAt: null, braceletBattery: null, modem: { registered: false, signal: null }, diskFreeBytes: null, ...extras }),
    ...options,
  });
}

test('an alert raised while a backlog replays goes before the next batch', async () => {
  const db = openBoxDatabase(':memory:');
  const readings = new ReadingBuffer(db);
  readings.appendMany('BR-1', Array.from({ length: 30 }, (_, i) => hr(i + 1)));
  const cloud = new OrderedCloud();
  const store = new AlertStore(db);
  cloud.onTelemetry = (b) => {
    if (b.seq === 0) store.raise({ kind: 'fall', severity: 'critical', sourceKey: 'fall:1', now: 5, recipients: [], text: () => 'ALERTE' });
  };
  const uplink = uplinkOn(db, readings, cloud);
  await uplink.start();
  await uplink.idle();
  await uplink.stop();
  assert.deepEqual(cloud.log, ['batch 0', 'alert 1', 'batch 1', 'batch 2', 'heartbeat']);
});

test('does not move the cursor on a receipt for another batch, and resends the same batch', async () => {
  const db = openBoxDatabase(':memory:');
  const readings = new ReadingBuffer(db);
  readings.appendMany('BR-1', Array.from({ length: 5 }, (_, i) => hr(i + 1)));
  const cloud = new OrderedCloud();
  cloud.receipt = (b) => ({ v: 1, boxId: b.boxId, seq: b.seq + 7, accepted: 5, duplicate: false });
  const uplink = uplinkOn(db, readings, cloud);
  await uplink.start();
  await uplink.idle();
  assert.equal(readings.depth().depth, 5, 'nothing confirmed');
  cloud.receipt = (b) => ({ v: 1, boxId: b.boxId, seq: b.seq, accepted: 5, duplicate: false });
  uplink.kick();
  await uplink.idle();
  await uplink.stop();
  assert.deepEqual(cloud.log, ['batch 0', 'batch 0', 'heartbeat']);
  assert.equal(readings.depth().depth, 0);
});

test('reports the buffer in the heartbeat: depth, oldest, estimated bytes, evictions, and a null configuration version by default', async () => {
  const dir = tempDir();
  try {
    const db = openBoxDatabase(':memory:');
    const readings = new ReadingBuffer(db, { limits: { maxRows: 100, maxBytes: 1 << 30 } });
    // Battery readings from just now: not due before 6 hours, so they stay while the heartbeat goes.
    readings.appendMany('BR-1', Array.from({ length: 120 }, (_, i): Reading => ({ metric: 'bracelet_battery', ts: 999_000 + i, value: 80 })));
    const cloud = new OrderedCloud();
    const disk = await diskFreeBytes(dir.path);
    assert.ok(disk !== null && disk > 0);
    const uplink = uplinkOn(db, readings, cloud, { diskFreeBytes: disk }, { batchSize: 1_000, cadences: () => DESIGN_SEND_CADENCES });
    await uplink.start();
    await uplink.idle();
    await uplink.stop();
    assert.deepEqual(cloud.log, ['heartbeat']);
    const beat = cloud.heartbeats[0]!;
    const usage = readings.usage();
    assert.ok(usage.rows <= 100 && usage.evictedTotal === 120 - usage.rows);
    assert.equal(beat.bufferDepth, usage.rows);
    assert.equal(beat.oldestUnsentAt, 999_000 + usage.evictedTotal, 'the oldest kept reading (older ones were evicted)');
    assert.equal(beat.bufferBytes, usage.bytes);
    assert.equal(beat.evictedReadings, usage.evictedTotal);
    assert.equal(beat.configVersion, null);
    assert.equal(beat.diskFreeBytes, disk);
  } finally {
    dir.cleanup();
  }
});

test('a heartbeat the cloud refuses (4xx) is logged and dropped: the box stays online, no backoff, later telemetry still goes', async () => {
  const db = openBoxDatabase(':memory:');
  const readings = new ReadingBuffer(db);
  class RefusingCloud extends OrderedCloud {
    override async sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
      await super.sendHeartbeat(heartbeat);
      throw boxErrors.create('BOX_CLOUD_REJECTED', { details: { status: 400, code: 'INGEST_INVALID_BODY', field: '/at' } });
    }
  }
  const cloud = new RefusingCloud();
  const cycles: boolean[] = [];
  const errors: unknown[] = [];
  const log = Object.assign(silentLogger(), { error: (o: unknown) => void errors.push(o) });
  const uplink = uplinkOn(db, readings, cloud, {}, { onCycle: (online) => cycles.push(online), log });
  await uplink.start();
  await uplink.idle();
  readings.appendMany('BR-1', [hr(10), hr(11)]);
  uplink.kick();
  await uplink.idle();
  await uplink.stop();
  assert.deepEqual(cycles, [true, true], 'a refused heartbeat is not an unreachable cloud');
  assert.deepEqual(cloud.log, ['heartbeat', 'batch 0'], 'refused once, not resent at every cycle');
  assert.equal(readings.depth().depth, 0);
  assert.equal(errors.length, 1, 'the refusal is logged with its reason');
});
