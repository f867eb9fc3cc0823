/**
 * The HTTPS ingest as a box sees it: a Fastify app with only `ingestRoutes`, on a migrated
 * database (PGlite, or PostgreSQL when DATABASE_URL is set).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { BatchReceipt, validate, type AlertEvent, type Heartbeat, type Reading, type TelemetryBatch } from '@vigie/protocol';
import { ingestRoutes } from '../src/index.ts';
import { EVENTS_CHANNEL } from '@vigie/cloud-store';
import { assignBox, countRows, createBox, createPatient, openTestDb, type BoxFixture, type TestDb } from '@vigie/cloud-store/testing';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const MIN = 60_000;

let db: TestDb;
let app: FastifyInstance;
let box: BoxFixture;
let seq = 0;

function batch(readings: Reading[], overrides: Partial<TelemetryBatch> = {}): TelemetryBatch {
  return { v: 1, boxId: box.boxId, seq: seq++, createdAt: NOW, readings, ...overrides };
}

function heartRates(n: number, start = NOW - 60 * MIN): Reading[] {
  return Array.from({ length: n }, (_, i) => ({ metric: 'heart_rate', ts: start + i * 2 * MIN, value: 60 + (i % 20), periodS: 120 }));
}

function post(path: string, body: unknown, token = box.token) {
  return app.inject({ method: 'POST', url: `/ingest/v1/${path}`, headers: { authorization: `Bearer ${token}` }, payload: body as object });
}

before(async () => {
  db = await openTestDb();
  app = Fastify();
  await app.register(ingestRoutes, { db, now: () => NOW });
  await app.ready();
  const patientId = await createPatient(db);
  box = await createBox(db, { patientId, since: NOW - 7 * 24 * 60 * MIN });
});

after(async () => {
  await app.close();
  await db.close();
});

describe('POST /ingest/v1/telemetry', () => {
  test('writes a valid batch once and answers a receipt', async () => {
    const b = batch(heartRates(5));
    const res = await post('telemetry', b);
    assert.equal(res.statusCode, 200);
    const receipt = res.json();
    assert.ok(validate(BatchReceipt, receipt).ok);
    assert.deepEqual(receipt, { v: 1, boxId: box.boxId, seq: b.seq, accepted: 5, duplicate: false });
    assert.equal(await countRows(db, 'measurements', 'box_id = $1 AND patient_id = $2', [box.boxId, box.patientId]), 5);
  });

  test('answers a replayed batch as a duplicate and writes nothing more', async () => {
    const b = batch(heartRates(3, NOW - 30 * MIN));
    assert.equal((await post('telemetry', b)).json().duplicate, false);
    const before = await countRows(db, 'measurements');
    const replay = await post('telemetry', b);
    assert.equal(replay.statusCode, 200);
    assert.deepEqual(replay.json(), { v: 1, boxId: box.boxId, seq: b.seq, accepted: 0, duplicate: true });
    assert.equal(await countRows(db, 'measurements'), before);
    assert.equal(await countRows(db, 'telemetry_batches', 'box_id = $1 AND seq = $2', [box.boxId, b.seq]), 1);
  });

  test('writes concurrent deliveries of one batch once', async () => {
    const b = batch(heartRates(4, NOW - 20 * MIN));
    const before = await countRows(db, 'measurements');
    const answers = await Promise.all([post('telemetry', b), post('telemetry', b), post('telemetry', b)]);
    assert.deepEqual(answers.map((a) => a.json().duplicate).sort(), [false, true, true]);
    assert.equal(await countRows(db, 'measurements'), before + 4);
  });

  test('refuses a schema-violating reading alone, naming its field, and stores the rest of its batch', async () => {
    const readings = heartRates(5);
    (readings[3] as { value: unknown }).value = 'fast';
    const b = batch(readings);
    const before = await countRows(db, 'measurements');
    const res = await post('telemetry', b);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().accepted, 4);
    assert.equal(await countRows(db, 'measurements'), before + 4);
    const { rows } = await db.query<{ position: number; reason: string; field: string; value: number | null; metric: string }>(
      'SELECT position, reason, field, value, metric FROM rejected_readings WHERE box_id = $1 AND seq = $2',
      [box.boxId, b.seq],
    );
    assert.deepEqual(rows, [{ position: 3, reason: 'invalid_reading', field: '/readings/3/value', value: null, metric: 'heart_rate' }]);
  });

  test('refuses a batch whose envelope violates the schema naming the field, writing nothing but a dead letter', async () => {
    const b = { ...batch(heartRates(2)), seq: 'seven' };
    const before = await countRows(db, 'measurements');
    const res = await post('telemetry', b);
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.code, 'INGEST_INVALID_BODY');
    assert.equal(res.json().error.field, '/seq');
    assert.equal(await countRows(db, 'measurements'), before);
    assert.equal(
      await countRows(db, 'dead_letters', `box_id = $1 AND topic = 'https:/ingest/v1/telemetry' AND reason = 'INGEST_INVALID_BODY' AND field = '/seq'`, [box.boxId]),
      1,
    );
  });

  test('refuses an unknown schema version naming /v', async () => {
    const res = await post('telemetry', { ...batch(heartRates(1)), v: 2 });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(
      { code: res.json().error.code, field: res.json().error.field },
      { code: 'INGEST_SCHEMA_VERSION', field: '/v' },
    );
  });

  test('refuses malformed JSON and non-JSON bodies', async () => {
    const headers = { authorization: `Bearer ${box.token}`, 'content-type': 'application/json' };
    const bad = await app.inject({ method: 'POST', url: '/ingest/v1/telemetry', headers, payload: '{"v":1,' });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.code, 'CLOUD_BAD_REQUEST');
    const text = await app.inject({
      method: 'POST',
      url: '/ingest/v1/telemetry',
      headers: { ...headers, 'content-type': 'text/plain' },
      payload: 'hello',
    });
    assert.equal(text.statusCode, 415);
  });

  test('answers 401 with one body for a wrong token, an unknown box, a revoked box and a boxId mismatch', async () => {
    const other = await createBox(db, { patientId: box.patientId });
    const revoked = await createBox(db, { patientId: box.patientId });
    await db.query('UPDATE boxes SET revoked_at = now() WHERE id = $1', [revoked.boxId]);
    const answers = [
      await post('telemetry', batch(heartRates(1)), 'x'.repeat(43)),
      await app.inject({ method: 'POST', url: '/ingest/v1/telemetry', payload: batch(heartRates(1)) }),
      await post('telemetry', batch(heartRates(1), { boxId: revoked.boxId }), revoked.token),
      await post('telemetry', batch(heartRates(1), { boxId: other.boxId })),
      await post('alerts', { boxId: other.boxId }),
      await post('heartbeats', { boxId: 'VB-NOPE-0000' }, 'y'.repeat(43)),
    ];
    for (const res of answers) {
      assert.equal(res.statusCode, 401);
      assert.deepEqual(res.json(), answers[0]!.json());
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
    }
    assert.equal(answers[0]!.json().error.code, 'INGEST_UNAUTHORIZED');
  });

  test('answers 413 to a body over the limit and to a batch over the reading limit', async () => {
    const huge = await post('telemetry', { ...batch(heartRates(1)), padding: 'x'.repeat(3 * 1024 * 1024) });
    assert.equal(huge.statusCode, 413);
    assert.equal(huge.json().error.code, 'CLOUD_BODY_TOO_LARGE');
    const many = await post('telemetry', batch(heartRates(5_001)));
    assert.equal(many.statusCode, 413);
    assert.equal(many.json().error.code, 'INGEST_BATCH_TOO_LARGE');
  });

  test('rejects implausible values with a reason, counts them out of the receipt and keeps the rest', async () => {
    const ts = NOW - 10 * MIN;
    const b = batch([
      { metric: 'heart_rate', ts, value: 72 },
      { metric: 'heart_rate', ts, value: 0 },
      { metric: 'spo2', ts, value: 45 },
      { metric: 'steps', ts, value: -3, periodS: 1800 },
      { metric: 'steps', ts, value: 25_000, periodS: 1800 },
      { metric: 'bracelet_battery', ts, value: 140 },
      { metric: 'spo2', ts, value: 97 },
    ]);
    const res = await post('telemetry', b);
    assert.equal(res.json().accepted, 2);
    const { rows } = await db.query<{ position: number; reason: string }>(
      'SELECT position, reason FROM rejected_readings WHERE box_id = $1 AND seq = $2 ORDER BY position',
      [box.boxId, b.seq],
    );
    assert.deepEqual(rows, [
      { position: 1, reason: 'heart_rate_out_of_range' },
      { position: 2, reason: 'spo2_out_of_range' },
      { position: 3, reason: 'steps_out_of_range' },
      { position: 4, reason: 'steps_out_of_range' },
      { position: 5, reason: 'battery_out_of_range' },
    ]);
  });

  test('rejects readings from a box with no assignment at that time, never attaching them', async () => {
    const lone = await createBox(db);
    const b: TelemetryBatch = { v: 1, boxId: lone.boxId, seq: 0, createdAt: NOW, readings: heartRates(3) };
    const res = await post('telemetry', b, lone.token);
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().accepted, 0);
    assert.equal(await countRows(db, 'measurements', 'box_id = $1', [lone.boxId]), 0);
    assert.equal(await countRows(db, 'rejected_readings', `box_id = $1 AND reason = 'no_assignment'`, [lone.boxId]), 3);
  });

  test('attaches readings after a reassignment to the new patient and earlier ones to the old', async () => {
    const oldPatient = await createPatient(db, 'Old');
    const newPatient = await createPatient(db, 'New');
    const moved = await createBox(db, { patientId: oldPatient, since: NOW - 5 * 60 * MIN });
    await assignBox(db, moved.boxId, newPatient, NOW - 60 * MIN);
    const readings = [NOW - 90 * MIN, NOW - 61 * MIN, NOW - 60 * MIN, NOW - 5 * MIN].map(
      (ts): Reading => ({ metric: 'spo2', ts, value: 96 }),
    );
    const res = await post('telemetry', { v: 1, boxId: moved.boxId, seq: 0, createdAt: NOW, readings }, moved.token);
    assert.equal(res.json().accepted, 4);
    assert.equal(await countRows(db, 'measurements', 'box_id = $1 AND patient_id = $2', [moved.boxId, oldPatient]), 2);
    assert.equal(await countRows(db, 'measurements', 'box_id = $1 AND patient_id = $2', [moved.boxId, newPatient]), 2);
  });

  test('notifies listeners once per patient after commit', async () => {
    const events: unknown[] = [];
    let resolve!: () => void;
    const arrived = new Promise<void>((r) => (resolve = r));
    const unlisten = await db.listen(EVENTS_CHANNEL, (payload) => {
      events.push(JSON.parse(payload));
      resolve();
    });
    const readings = heartRates(3, NOW - 8 * MIN);
    await post('telemetry', batch(readings));
    await arrived;
    await unlisten();
    assert.deepEqual(events, [
      { type: 'readings', boxId: box.boxId, patientId: box.patientId, count: 3, firstTs: readings[0]!.ts, lastTs: readings[2]!.ts },
    ]);
  });
});

describe('POST /ingest/v1/alerts', () => {
  const alert = (revision: number, state: AlertEvent['state'], alertId: string): AlertEvent => ({
    v: 1,
    boxId: box.boxId,
    alertId,
    number: 7,
    revision,
    kind: 'fall',
    severity: 'critical',
    state,
    raisedAt: NOW - 5 * MIN,
    updatedAt: NOW - 5 * MIN + revision * 1000,
    notifications: [{ contact: 'Paul', channel: 'sms', status: 'sent', at: NOW - 4 * MIN }],
  });

  test('keeps the highest revision whatever the order of arrival', async () => {
    const id = randomUUID();
    assert.deepEqual((await post('alerts', alert(2, 'notified', id))).json(), { ok: true, alertId: id, revision: 2 });
    assert.deepEqual((await post('alerts', alert(1, 'notifying', id))).json(), { ok: true, alertId: id, revision: 2 });
    const { rows } = await db.query<{ state: string; revision: number; patient_id: string }>(
      'SELECT state, revision, patient_id FROM alerts WHERE alert_id = $1',
      [id],
    );
    assert.deepEqual(rows, [{ state: 'notified', revision: 2, patient_id: box.patientId }]);
    const ack = { ...alert(3, 'acknowledged', id), acknowledgement: { by: 'Paul', via: 'sms' as const, at: NOW } };
    assert.equal((await post('alerts', ack)).json().revision, 3);
    const stored = await db.query<{ acknowledgement: unknown }>('SELECT acknowledgement FROM alerts WHERE alert_id = $1', [id]);
    assert.deepEqual(stored.rows[0]!.acknowledgement, ack.acknowledgement);
  });

  test('refuses an alert id that belongs to another box', async () => {
    const id = randomUUID();
    await post('alerts', alert(1, 'raised', id));
    const other = await createBox(db, { patientId: box.patientId });
    const res = await post('alerts', { ...alert(5, 'raised', id), boxId: other.boxId }, other.token);
    assert.equal(res.statusCode, 409);
  });

  test('refuses an invalid alert naming the field', async () => {
    const res = await post('alerts', { ...alert(1, 'raised', randomUUID()), kind: 'meteor' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, '/kind');
  });
});

describe('POST /ingest/v1/heartbeats', () => {
  test('stores a heartbeat and answers 204', async () => {
    const hb: Heartbeat = {
      v: 1,
      boxId: box.boxId,
      at: NOW,
      software: { box: '0.1.0' },
      bufferDepth: 3,
      oldestUnsentAt: null,
      lastBraceletContactAt: NOW - MIN,
      braceletBattery: 80,
      modem: { registered: true, signal: 17 },
      diskFreeBytes: 1_000_000,
    };
    const res = await post('heartbeats', hb);
    assert.equal(res.statusCode, 204);
    const { rows } = await db.query<{ payload: unknown }>('SELECT payload FROM heartbeats WHERE box_id = $1', [box.boxId]);
    assert.deepEqual(rows.at(-1)!.payload, hb);
  });
});
