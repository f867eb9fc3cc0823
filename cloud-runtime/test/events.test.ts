/**
 * Live events end to end over real sockets: a box posts to the ingest, a browser-like client
 * reads `GET /api/events`. On PostgreSQL the ingest and the portal are two apps with two
 * connection pools (as two processes would be); on PGlite they are one app.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { openPgDb, type Db } from '@vigie/cloud-store';
import { createBox, openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { buildCloudApp, loadCloudConfig } from '@vigie/cloud-portal';
import { silentLogger } from '@vigie/common';
import type { AlertEvent, TelemetryBatch } from '@vigie/protocol';
import { openEventStream, portalFixture, T0, type PortalFixture } from '@vigie/cloud-portal/testing';

const MIN = 60_000;
let db: TestDb;
let f: PortalFixture;
let ingestApp: FastifyInstance | null = null;
let ingestDb: Db | null = null;
let portalUrl: string;
let ingestUrl: string;

const openStream = (cookie: string) => openEventStream(portalUrl, cookie);

function postIngest(path: string, token: string, body: unknown) {
  return fetch(`${ingestUrl}/ingest/v1/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

before(async () => {
  db = await openTestDb();
  const split = db.databaseUrl !== null;
  f = await portalFixture({ db, app: { roles: { ingest: !split, portal: true }, ingestRoutes, keepAliveMs: 200 } });
  portalUrl = await f.app.listen({ port: 0, host: '127.0.0.1' });
  ingestUrl = portalUrl;
  if (split) {
    ingestDb = await openPgDb({ connectionString: db.databaseUrl! });
    ingestApp = await buildCloudApp({
      db: ingestDb,
      config: loadCloudConfig({}),
      log: silentLogger(),
      roles: { ingest: true, portal: false },
      ingestRoutes,
      now: () => T0,
    });
    ingestUrl = await ingestApp.listen({ port: 0, host: '127.0.0.1' });
  }
});

after(async () => {
  await ingestApp?.close();
  await ingestDb?.close();
  await f.close();
});

test("delivers a reading and an alert of the account's patient after ingest, and nothing of others'", async () => {
  const streamA = await openStream(await f.login(f.doctorA));
  const streamB = await openStream(await f.login(f.doctorB));
  const batch: TelemetryBatch = {
    v: 1,
    boxId: f.boxA.boxId,
    seq: 1,
    createdAt: T0,
    readings: [
      { metric: 'heart_rate', ts: T0 - 4 * MIN, value: 71 },
      { metric: 'spo2', ts: T0 - 2 * MIN, value: 97 },
    ],
  };
  assert.equal((await postIngest('telemetry', f.boxA.token, batch)).status, 200);
  await streamA.waitFor(() => streamA.messages.length >= 2, 'two readings');
  assert.deepEqual(streamA.messages, [
    { event: 'reading', data: { patientId: f.patientA, metric: 'heart_rate', ts: T0 - 4 * MIN, value: 71 } },
    { event: 'reading', data: { patientId: f.patientA, metric: 'spo2', ts: T0 - 2 * MIN, value: 97 } },
  ]);

  const alert: AlertEvent = {
    v: 1,
    boxId: f.boxA.boxId,
    alertId: randomUUID(),
    number: 3,
    revision: 0,
    kind: 'fall',
    severity: 'critical',
    state: 'raised',
    raisedAt: T0 - MIN,
    updatedAt: T0 - MIN,
    notifications: [],
  };
  assert.equal((await postIngest('alerts', f.boxA.token, alert)).status, 200);
  await streamA.waitFor(() => streamA.messages.length >= 3, 'the alert');
  assert.deepEqual(streamA.messages[2], {
    event: 'alert',
    data: {
      patientId: f.patientA,
      alert: {
        alertId: alert.alertId,
        number: 3,
        kind: 'fall',
        severity: 'critical',
        state: 'raised',
        raisedAt: T0 - MIN,
        updatedAt: T0 - MIN,
        notifications: [],
        acknowledgement: null,
      },
    },
  });

  // Events are handled in order: once B has its own patient's reading, A's would have arrived before.
  const boxB = await createBox(f.db, { patientId: f.patientB, since: T0 - 86_400_000 });
  await postIngest('telemetry', boxB.token, { ...batch, boxId: boxB.boxId, seq: 0 });
  await streamB.waitFor(() => streamB.messages.length >= 2, "B's readings");
  assert.ok(streamB.messages.every((m) => (m.data as { patientId: string }).patientId === f.patientB));
  assert.equal(streamA.messages.length, 3);
  streamA.close();
  streamB.close();
});

test('sends keep-alive comments and ends the stream after logout', async () => {
  const cookie = await f.login(f.doctorA);
  const stream = await openStream(cookie);
  await stream.waitFor(() => stream.comments.includes('keep-alive'), 'a keep-alive');
  await fetch(`${portalUrl}/api/auth/logout`, { method: 'POST', headers: { cookie, 'x-vigie-csrf': '1' } });
  await stream.waitFor(() => stream.isEnded(), 'the end of the stream');
});

test('removes the listener when the client disconnects', async () => {
  const live = f.app.liveEvents!;
  const before = live.size;
  const stream = await openStream(await f.login(f.doctorA));
  assert.equal(live.size, before + 1);
  stream.close();
  // The server learns of the disconnect from its socket's 'close', which the test cannot await.
  const deadline = Date.now() + 5_000;
  while (live.size > before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  assert.equal(live.size, before);
});

test('refuses the stream without a session', async () => {
  const res = await fetch(`${portalUrl}/api/events`);
  assert.equal(res.status, 401);
});
