import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import type { Reading } from '@vigie/protocol';
import { openBoxDatabase } from '../../store/database.ts';
import { EVICTION_STEP_MAX_ROWS, ReadingBuffer, readingBytes } from './reading-buffer.ts';
import { AlertStore } from '../../safety-core/alert-store.ts';
import { DESIGN_SEND_CADENCES, parseSendCadences } from './send-cadence.ts';

const MIN = 60_000;
const hr = (ts: number, value = 70): Reading => ({ metric: 'heart_rate', ts, value, periodS: 120 });
const spo2 = (ts: number): Reading => ({ metric: 'spo2', ts, value: 97, periodS: 300 });
const steps = (ts: number): Reading => ({ metric: 'steps', ts, value: 120, periodS: 1_800 });
const BIG = 1 << 30;

/** Every reading still in the buffer, oldest id first, drained through confirmed batches. */
function drain(buffer: ReadingBuffer): number[] {
  const out: number[] = [];
  for (let b = buffer.nextBatch(1_000, 0); b; b = buffer.nextBatch(1_000, 0)) {
    out.push(...b.readings.map((r) => r.ts));
    buffer.confirm(b.seq);
  }
  return out;
}

test('evicts the oldest unsent readings at the row limit, never the batch in flight, and keeps its count across a reopen', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'box.db');
    const limits = { maxRows: 200, maxBytes: BIG };
    let db = openBoxDatabase(path);
    let buffer = new ReadingBuffer(db, { limits });
    buffer.appendMany('BR-1', Array.from({ length: 150 }, (_, i) => hr(i + 1)));
    const inFlight = buffer.nextBatch(50, 0)!;
    assert.deepEqual([inFlight.readings[0]!.ts, inFlight.readings.at(-1)!.ts], [1, 50]);
    for (let ts = 151; ts <= 400; ts++) {
      buffer.append('BR-1', hr(ts));
      assert.ok(buffer.usage().rows <= 200, `never above the row limit (at ${ts})`);
    }
    const { rows, evictedTotal } = buffer.usage();
    assert.equal(evictedTotal, 400 - rows, 'every reading is either held or counted as evicted');
    assert.ok(evictedTotal >= 200);
    db.close();

    db = openBoxDatabase(path);
    buffer = new ReadingBuffer(db, { limits });
    assert.deepEqual(buffer.usage().rows, rows, 'usage is derived again from the table');
    assert.equal(buffer.usage().evictedTotal, evictedTotal, 'the eviction count is durable');
    assert.deepEqual(buffer.nextBatch(1_000, 0), inFlight, 'the batch in flight is resent identically');
    buffer.confirm(inFlight.seq);
    const rest = drain(buffer);
    const firstKept = 400 - rest.length + 1;
    assert.deepEqual(rest, Array.from({ length: rest.length }, (_, i) => firstKept + i), 'the newest readings survive, in order');
    assert.equal(rest.length + 50, rows);
    db.close();
  } finally {
    dir.cleanup();
  }
});

test('evicts by estimated bytes too, long bracelet ids filling it sooner', () => {
  const db = openBoxDatabase(':memory:');
  const longId = 'BR-' + 'x'.repeat(61);
  const perReading = readingBytes(longId, 'heart_rate');
  const buffer = new ReadingBuffer(db, { limits: { maxRows: 1_000_000, maxBytes: perReading * 100 } });
  for (let ts = 1; ts <= 300; ts++) buffer.append(longId, hr(ts));
  const usage = buffer.usage();
  assert.ok(usage.bytes <= perReading * 100);
  assert.ok(usage.rows <= 100 && usage.rows >= 98, `rows ${usage.rows}`);
  assert.equal(usage.evictedTotal, 300 - usage.rows);
  assert.equal(drain(buffer)[0], 300 - usage.rows + 1, 'the oldest went first');
});

test('evicts set-aside batches before any reading that can still be sent', () => {
  const db = openBoxDatabase(':memory:');
  const buffer = new ReadingBuffer(db, { limits: { maxRows: 100, maxBytes: BIG } });
  buffer.appendMany('BR-1', Array.from({ length: 10 }, (_, i) => hr(i + 1)));
  buffer.reject(buffer.nextBatch(10, 0)!.seq);
  buffer.appendMany('BR-1', Array.from({ length: 91 }, (_, i) => hr(100 + i)));
  assert.equal(buffer.usage().evictedTotal, 10, 'the refused batch went, whole');
  assert.equal(drain(buffer).length, 91, 'no sendable reading was lost');
});

test('evicts the batch in flight, whole, only when it alone exceeds limits lowered at restart; its seq is never reused', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'box.db');
    let db = openBoxDatabase(path);
    let buffer = new ReadingBuffer(db);
    buffer.appendMany('BR-1', Array.from({ length: 150 }, (_, i) => hr(i + 1)));
    const inFlight = buffer.nextBatch(150, 0)!;
    db.close();

    db = openBoxDatabase(path);
    buffer = new ReadingBuffer(db, { limits: { maxRows: 100, maxBytes: BIG } });
    assert.deepEqual(buffer.usage(), { rows: 0, bytes: 0, evictedTotal: 150 });
    assert.equal(buffer.nextBatch(10, 0), null);
    buffer.append('BR-1', hr(500));
    const next = buffer.nextBatch(10, 0)!;
    assert.equal(next.seq, inFlight.seq + 1);
    assert.deepEqual(next.readings.map((r) => r.ts), [500]);
    db.close();
  } finally {
    dir.cleanup();
  }
});

test('a full buffer never touches alerts, and each eviction step is bounded', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'box.db');
    // Two connections on one file, as on the box: the safety core's (FULL) and the telemetry one's.
    const safetyDb = openBoxDatabase(path, { synchronous: 'FULL' });
    const telemetryDb = openBoxDatabase(path);
    const alerts = new AlertStore(safetyDb);
    const raise = (n: number) =>
      alerts.raise({ kind: 'fall', severity: 'critical', sourceKey: `fall:${n}`, now: n, recipients: [{ name: 'Sophie', phone: '+33639980001' }], text: () => 'ALERTE' });
    const first = raise(1);
    const buffer = new ReadingBuffer(telemetryDb, { limits: { maxRows: 5_000, maxBytes: BIG } });
    buffer.appendMany('BR-1', Array.from({ length: 5_000 }, (_, i) => hr(i + 1)));
    for (let i = 0; i < 3_000; i++) {
      const before = buffer.usage().evictedTotal;
      buffer.append('BR-1', hr(10_000 + i));
      assert.ok(buffer.usage().evictedTotal - before <= EVICTION_STEP_MAX_ROWS, 'one append evicts a bounded number of rows');
      if (i === 1_500) raise(2);
    }
    assert.ok(buffer.usage().evictedTotal >= 3_000);
    const stored = safetyDb.prepare<[], { alert_id: string }>('SELECT alert_id FROM alerts ORDER BY raised_at').all();
    assert.equal(stored.length, 2, 'both alerts are there, one raised while the buffer was full');
    assert.equal(stored[0]!.alert_id, first.alertId);
    assert.equal(new AlertStore(telemetryDb).pendingUploads('VB-TEST-0001').length, 2, 'and both wait for the cloud');
    telemetryDb.close();
    safetyDb.close();
  } finally {
    dir.cleanup();
  }
});

test('holds readings until a metric is due by its cadence, then sends everything waiting; a backlog goes in full batches', () => {
  const db = openBoxDatabase(':memory:');
  const buffer = new ReadingBuffer(db);
  const t0 = Date.UTC(2026, 10, 25, 8, 0);
  buffer.appendMany('BR-1', [hr(t0), hr(t0 + 2 * MIN), hr(t0 + 4 * MIN), spo2(t0 + 5 * MIN)]);
  assert.equal(buffer.nextBatch(1_000, t0 + 6 * MIN, DESIGN_SEND_CADENCES), null, '3 heart rates, 6 minutes old: not yet');
  buffer.appendMany('BR-1', [hr(t0 + 6 * MIN), hr(t0 + 8 * MIN)]);
  const batch = buffer.nextBatch(1_000, t0 + 8 * MIN, DESIGN_SEND_CADENCES)!;
  assert.deepEqual(batch.readings.map((r) => r.metric), ['heart_rate', 'heart_rate', 'heart_rate', 'spo2', 'heart_rate', 'heart_rate'], 'the fifth heart rate takes everything along');
  buffer.confirm(batch.seq);

  buffer.append('BR-1', steps(t0 + 30 * MIN));
  assert.equal(buffer.nextBatch(1_000, t0 + 5 * 60 * MIN, DESIGN_SEND_CADENCES), null, 'steps wait up to 6 hours');
  assert.equal(buffer.nextBatch(1_000, t0 + 6 * 60 * MIN + 30 * MIN, DESIGN_SEND_CADENCES)!.readings.length, 1);
  buffer.confirm(batch.seq + 1);

  buffer.appendMany('BR-1', Array.from({ length: 2_500 }, (_, i) => hr(t0 + i * 2 * MIN)));
  const now = t0 + 2_500 * 2 * MIN;
  const sizes: number[] = [];
  for (let b = buffer.nextBatch(1_000, now, DESIGN_SEND_CADENCES); b; b = buffer.nextBatch(1_000, now, DESIGN_SEND_CADENCES)) {
    sizes.push(b.readings.length);
    buffer.confirm(b.seq);
  }
  assert.deepEqual(sizes, [1_000, 1_000, 500], 'the backlog drains in full batches back to back');
});

test('reads cadences from the environment, overriding the design per metric, and names every bad entry', () => {
  const parsed = parseSendCadences('heart_rate:3/5m, steps:1h');
  assert.ok(parsed.ok);
  assert.deepEqual(parsed.value.heart_rate, { count: 3, maxAgeMs: 5 * MIN });
  assert.deepEqual(parsed.value.steps, { count: null, maxAgeMs: 60 * MIN });
  assert.deepEqual(parsed.value.spo2, DESIGN_SEND_CADENCES.spo2);
  const bad = parseSendCadences('pulse:3/5m,spo2:0/1m');
  assert.equal(bad.ok, false);
  assert.equal(bad.ok === false && bad.problems.length, 2);
});

test('migrates a buffer written before the bounds, keeping its readings, frozen batch and id order', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'box.db');
    // Recreate the previous schema's readings table (AUTOINCREMENT) with a frozen batch and a tail.
    let db = openBoxDatabase(path);
    db.exec(`
      DROP TABLE readings;
      CREATE TABLE readings (id INTEGER PRIMARY KEY AUTOINCREMENT, bracelet_id TEXT NOT NULL, metric TEXT NOT NULL,
                             ts INTEGER NOT NULL, value REAL NOT NULL, period_s INTEGER);
      DELETE FROM sync_state WHERE name = 'evicted_total';
    `);
    const insert = db.prepare("INSERT INTO readings (bracelet_id, metric, ts, value, period_s) VALUES ('BR-1', 'heart_rate', ?, 70, 120)");
    for (let ts = 1; ts <= 20; ts++) insert.run(ts);
    db.exec(`
      INSERT INTO outgoing_batches (seq, first_id, last_id, created_at, state) VALUES (0, 1, 10, 0, 'pending');
      UPDATE sync_state SET value = 10 WHERE name = 'last_frozen_id';
      UPDATE sync_state SET value = 1 WHERE name = 'next_batch_seq';
      -- What migrations after v2 add, so that they run again on a true v2 schema (the alert stage
      -- times and process starts of the metrics migration).
      ALTER TABLE alerts DROP COLUMN detected_at;
      ALTER TABLE alerts DROP COLUMN received_at;
      ALTER TABLE sms_outbox DROP COLUMN stored_at;
      DROP TABLE process_starts;
      PRAGMA user_version = 2;
    `);
    db.close();

    db = openBoxDatabase(path);
    const sql = db.prepare<[], { sql: string }>("SELECT sql FROM sqlite_master WHERE name = 'readings'").get()!.sql;
    assert.doesNotMatch(sql, /AUTOINCREMENT/i);
    const buffer = new ReadingBuffer(db);
    assert.deepEqual(buffer.usage(), { rows: 20, bytes: 20 * readingBytes('BR-1', 'heart_rate'), evictedTotal: 0 });
    const frozen = buffer.nextBatch(100, 0)!;
    assert.deepEqual([frozen.seq, frozen.firstId, frozen.lastId], [0, 1, 10]);
    buffer.confirm(0);
    buffer.append('BR-1', hr(21));
    assert.deepEqual(drain(buffer), Array.from({ length: 11 }, (_, i) => 11 + i), 'new readings after the old tail, in order');
    buffer.append('BR-1', hr(22));
    const last = buffer.nextBatch(100, 0)!;
    assert.equal(last.firstId, 22, 'an emptied table still hands out ids above the cursor');
    db.close();
  } finally {
    dir.cleanup();
  }
});
