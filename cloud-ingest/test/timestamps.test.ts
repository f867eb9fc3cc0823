/**
 * Timestamps a box cannot have produced: before it was provisioned, or too far ahead of the
 * cloud's clock. Readings are refused one by one with a reason; an alert is refused whole (400).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AlertEvent, Reading } from '@vigie/protocol';
import { ingestRoutes, MAX_FUTURE_SKEW_MS, PROVISIONING_SKEW_MS, timestampProblem } from '../src/index.ts';
import { createBox, createPatient, openTestDb, type BoxFixture, type TestDb } from '@vigie/cloud-store/testing';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);
const PROVISIONED = NOW - 2 * 86_400_000;
const MIN = 60_000;
const HOUR = 60 * MIN;

let db: TestDb;
let app: FastifyInstance;
let box: BoxFixture;
let seq = 0;

const post = (path: string, body: object) =>
  app.inject({ method: 'POST', url: `/ingest/v1/${path}`, headers: { authorization: `Bearer ${box.token}` }, payload: body });

before(async () => {
  db = await openTestDb();
  app = Fastify();
  await app.register(ingestRoutes, { db, now: () => NOW });
  await app.ready();
  const patientId = await createPatient(db);
  box = await createBox(db, { patientId, since: PROVISIONED, provisionedAt: PROVISIONED });
});

after(async () => {
  await app.close();
  await db.close();
});

test('timestampProblem names each reason, with the tolerances documented', () => {
  const box = { provisionedAt: PROVISIONED };
  assert.equal(timestampProblem(NOW, NOW, box), null);
  assert.equal(timestampProblem(NOW + MAX_FUTURE_SKEW_MS, NOW, box), null);
  assert.equal(timestampProblem(NOW + MAX_FUTURE_SKEW_MS + 1, NOW, box), 'ts_in_future');
  assert.equal(timestampProblem(PROVISIONED - PROVISIONING_SKEW_MS, NOW, box), null);
  assert.equal(timestampProblem(PROVISIONED - PROVISIONING_SKEW_MS - 1, NOW, box), 'ts_before_provisioning');
  assert.equal(timestampProblem(Date.UTC(2019, 0, 1), NOW, box), 'ts_too_old');
  assert.equal(timestampProblem(PROVISIONED - 10 * HOUR, NOW, {}), null, 'no provisioning time known: no such check');
});

test('refuses readings dated before the box was provisioned or too far ahead, each with its reason', async () => {
  const readings: Reading[] = [
    { metric: 'heart_rate', ts: PROVISIONED - 3 * HOUR, value: 70 },
    { metric: 'heart_rate', ts: PROVISIONED + MIN, value: 71 },
    { metric: 'heart_rate', ts: NOW - MIN, value: 72 },
    { metric: 'spo2', ts: NOW + 2 * HOUR, value: 97 },
  ];
  const thisSeq = seq++;
  const res = await post('telemetry', { v: 1, boxId: box.boxId, seq: thisSeq, createdAt: NOW, readings });
  assert.equal(res.statusCode, 200, res.body);
  assert.equal(res.json().accepted, 2);
  const { rows } = await db.query<{ position: number; reason: string }>(
    'SELECT position, reason FROM rejected_readings WHERE box_id = $1 AND seq = $2 ORDER BY position',
    [box.boxId, thisSeq],
  );
  assert.deepEqual(rows, [
    { position: 0, reason: 'ts_before_provisioning' },
    { position: 3, reason: 'ts_in_future' },
  ]);
});

test('refuses an alert raised before the box was provisioned or too far ahead, naming the field and reason', async () => {
  const alert = (raisedAt: number, updatedAt = raisedAt): AlertEvent => ({
    v: 1, boxId: box.boxId, alertId: randomUUID(), number: 1, revision: 1, kind: 'fall', severity: 'critical', state: 'raised',
    raisedAt, updatedAt, notifications: [],
  });
  const before = await post('alerts', alert(PROVISIONED - 3 * HOUR));
  assert.equal(before.statusCode, 400);
  assert.deepEqual(before.json().error.field, '/raisedAt');
  assert.equal(before.json().error.code, 'INGEST_TIMESTAMP_IMPLAUSIBLE');
  assert.match(before.json().error.message, /ts_before_provisioning/);
  const ahead = await post('alerts', alert(NOW - MIN, NOW + 2 * HOUR));
  assert.equal(ahead.statusCode, 400);
  assert.equal(ahead.json().error.field, '/updatedAt');
  assert.match(ahead.json().error.message, /ts_in_future/);
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM alerts WHERE box_id = $1', [box.boxId]);
  assert.equal(rows[0]!.n, 0, 'nothing written');
  assert.equal((await post('alerts', alert(NOW - MIN))).statusCode, 200);
});
