/**
 * Issue 10, finding 5: one out-of-range integer used to fail a whole ingest message with 500, which
 * the box retries forever, blocking all its later telemetry. Each finding, reproduced as the box
 * (or an attacker holding a box token) would send it: raw JSON text, so that numbers past 2^53 reach
 * the server as written.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { ingestRoutes } from '../src/index.ts';
import { countRows, createBox, createPatient, openTestDb, type BoxFixture, type TestDb } from '@vigie/cloud-store/testing';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const MIN = 60_000;
const YEAR_10000 = Date.UTC(10_000, 0, 1);

let db: TestDb;
let app: FastifyInstance;
let box: BoxFixture;
let seq = 1;

function post(path: string, json: string) {
  return app.inject({
    method: 'POST',
    url: `/ingest/v1/${path}`,
    headers: { authorization: `Bearer ${box.token}`, 'content-type': 'application/json' },
    payload: json,
  });
}

const reading = (ts: number, value = 70) => ({ metric: 'heart_rate', ts, value, periodS: 120 });
const batchJson = (seqText: string, readings: unknown[]) =>
  `{"v":1,"boxId":"${box.boxId}","seq":${seqText},"createdAt":${NOW},"readings":${JSON.stringify(readings)}}`;

const heartbeat = (overrides: Record<string, unknown> = {}) => ({
  v: 1,
  boxId: box.boxId,
  at: NOW - MIN,
  software: { box: '1.0.0' },
  configVersion: null,
  bufferDepth: 0,
  oldestUnsentAt: null,
  lastBraceletContactAt: null,
  braceletBattery: null,
  modem: { registered: true, signal: 20 },
  diskFreeBytes: null,
  ...overrides,
});

const alertJson = (revisionText: string) =>
  `{"v":1,"boxId":"${box.boxId}","alertId":"${randomUUID()}","number":1,"revision":${revisionText},"kind":"fall","severity":"critical",` +
  `"state":"raised","raisedAt":${NOW - MIN},"updatedAt":${NOW - MIN},"notifications":[]}`;

/** The box goes on: its next, valid batch is stored. */
async function nextBatchIsStored(): Promise<void> {
  const res = await post('telemetry', batchJson(String(seq++), [reading(NOW - 5 * MIN)]));
  assert.equal(res.statusCode, 200);
  assert.equal(res.json().accepted, 1);
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

describe('ingest bounds (issue 10, finding 5)', () => {
  test('a reading dated in year 10000 is refused alone with its field, and the rest of its batch is stored', async () => {
    const s = seq++;
    const res = await post('telemetry', batchJson(String(s), [reading(NOW - 3 * MIN), reading(YEAR_10000), reading(NOW - 2 * MIN)]));
    assert.equal(res.statusCode, 200);
    assert.equal(res.json().accepted, 2);
    assert.equal(await countRows(db, 'measurements', 'box_id = $1 AND ts = $2', [box.boxId, new Date(NOW - 3 * MIN).toISOString()]), 1);
    const { rows } = await db.query<{ position: number; reason: string; field: string; ts: Date | null }>(
      'SELECT position, reason, field, ts FROM rejected_readings WHERE box_id = $1 AND seq = $2',
      [box.boxId, s],
    );
    assert.deepEqual(rows, [{ position: 1, reason: 'invalid_reading', field: '/readings/1/ts', ts: null }]);
  });

  test('a batch with seq = 2^63 is refused 400 naming /seq and dead-lettered, never 500', async () => {
    const res = await post('telemetry', batchJson('9223372036854775808', [reading(NOW - MIN)]));
    assert.equal(res.statusCode, 400);
    assert.deepEqual([res.json().error.code, res.json().error.field], ['INGEST_INVALID_BODY', '/seq']);
    assert.equal(await countRows(db, 'dead_letters', `box_id = $1 AND field = '/seq'`, [box.boxId]), 1);
    await nextBatchIsStored();
  });

  test('a batch with seq = 2^53 + 1 is refused, not silently rounded to 2^53', async () => {
    const res = await post('telemetry', batchJson('9007199254740993', [reading(NOW - 4 * MIN)]));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, '/seq');
    assert.equal(await countRows(db, 'telemetry_batches', 'box_id = $1 AND seq >= 9007199254740992', [box.boxId]), 0);
  });

  test('an alert with revision = 2^63 is refused 400 naming /revision, never 500', async () => {
    const res = await post('alerts', alertJson('9223372036854775808'));
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, '/revision');
    // 2^31 fits a JSON number exactly but not the alerts.revision integer column.
    const int32 = await post('alerts', alertJson('2147483648'));
    assert.equal(int32.statusCode, 400);
    assert.equal(int32.json().error.field, '/revision');
    assert.equal(await countRows(db, 'dead_letters', `box_id = $1 AND topic = 'https:/ingest/v1/alerts'`, [box.boxId]), 2);
  });

  test('a heartbeat at 8.64e15 (year 275760) or with a buffer depth past 2^31 is refused 400, never 500', async () => {
    const far = await post('heartbeats', JSON.stringify(heartbeat({ at: 8.64e15 })));
    assert.equal(far.statusCode, 400);
    assert.equal(far.json().error.field, '/at');
    const deep = await post('heartbeats', JSON.stringify(heartbeat({ bufferDepth: 2 ** 31 })));
    assert.equal(deep.statusCode, 400);
    assert.equal(deep.json().error.field, '/bufferDepth');
    await nextBatchIsStored();
  });

  test('a heartbeat dated years ahead is refused as implausible: it would freeze the box health row and make a live box look silent', async () => {
    const res = await post('heartbeats', JSON.stringify(heartbeat({ at: Date.UTC(9999, 0, 1) })));
    assert.equal(res.statusCode, 400);
    assert.deepEqual([res.json().error.code, res.json().error.field], ['INGEST_TIMESTAMP_IMPLAUSIBLE', '/at']);
    assert.equal(await countRows(db, 'heartbeats', 'box_id = $1', [box.boxId]), 0);
  });
});
