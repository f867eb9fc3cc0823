/**
 * The configuration downlink and the commands to boxes, as the portal and a box see them: the
 * portal-side functions on a migrated database, the box-side routes through `ingestRoutes`.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { BoxCommandList, BoxConfig, commandPublicKeyOf, validate, verifyBoxCommand, type AlertEvent, type BoxConfigDocument } from '@vigie/protocol';
import { VigieError } from '@vigie/common';
import { BOX_CONFIG_DEFAULTS, currentBoxConfig, listBoxConfigVersions, requestAlertAcknowledgement, saveBoxConfig } from '@vigie/cloud-store';
import { ingestRoutes } from '../src/index.ts';
import { countRows, createBox, createPatient, openTestDb, type BoxFixture, type TestDb } from '@vigie/cloud-store/testing';

const NOW = Date.UTC(2026, 5, 1, 12, 0, 0);

let db: TestDb;
let app: FastifyInstance;
let box: BoxFixture;

const doc = (overrides: Partial<BoxConfigDocument> = {}): BoxConfigDocument => ({
  contacts: [
    { name: 'Sophie Bernard', phone: '+33639980001', role: 'nurse', tier: 1 },
    { name: 'Paul Dupont', phone: '+33639980002', role: 'relative', tier: 2 },
  ],
  ...structuredClone(BOX_CONFIG_DEFAULTS),
  ...overrides,
});

const get = (url: string, headers: Record<string, string> = {}, token = box.token) =>
  app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}`, ...headers } });

async function rejection(promise: Promise<unknown>): Promise<VigieError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof VigieError, String(err));
    return err;
  }
  assert.fail('expected a rejection');
}

const commandKey = generateKeyPairSync('ed25519').privateKey;

before(async () => {
  db = await openTestDb();
  app = Fastify();
  await app.register(ingestRoutes, { db, now: () => NOW, commandKey });
  await app.ready();
  const patientId = await createPatient(db);
  box = await createBox(db, { patientId, since: NOW - 86_400_000 });
});

after(async () => {
  await app.close();
  await db.close();
});

describe('box configuration versions', () => {
  test('answers 204 to a box that has no configuration yet', async () => {
    const other = await createBox(db);
    const res = await get('/ingest/v1/config', {}, other.token);
    assert.equal(res.statusCode, 204);
  });

  test('saves each change as a new version with who and when, and serves the current one', async () => {
    const first = await saveBoxConfig(db, { patientId: box.patientId, config: doc(), changedBy: 'Dr Martin', now: NOW });
    assert.deepEqual(first, { version: 1, boxId: box.boxId, changed: true, previousVersion: null });
    const second = await saveBoxConfig(db, {
      boxId: box.boxId,
      config: doc({ thresholds: { ...BOX_CONFIG_DEFAULTS.thresholds, spo2Min: 88 } }),
      changedBy: 'Sophie Bernard',
      now: NOW + 1_000,
    });
    assert.equal(second.version, 2);
    const versions = await listBoxConfigVersions(db, box.boxId);
    assert.deepEqual(versions.map((v) => [v.version, v.changedBy, v.changedAt, v.config.thresholds.spo2Min]), [
      [2, 'Sophie Bernard', NOW + 1_000, 88],
      [1, 'Dr Martin', NOW, 90],
    ]);
    assert.equal(versions[0]!.patientId, box.patientId);
    const res = await get('/ingest/v1/config');
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers.etag, '"cfg-2"');
    const served = res.json();
    assert.ok(validate(BoxConfig, served).ok);
    assert.equal(served.version, 2);
    assert.equal(served.boxId, box.boxId);
    assert.equal(served.config.thresholds.spo2Min, 88);
  });

  test('saving the same document again creates no version', async () => {
    const current = (await currentBoxConfig(db, box.boxId))!;
    const again = await saveBoxConfig(db, { boxId: box.boxId, config: structuredClone(current.config), changedBy: 'Dr Martin' });
    assert.deepEqual(again, { version: current.version, boxId: box.boxId, changed: false, previousVersion: current.version });
  });

  test('answers 304 when the box already holds the current version (If-None-Match or since)', async () => {
    const current = (await currentBoxConfig(db, box.boxId))!;
    assert.equal((await get('/ingest/v1/config', { 'if-none-match': `"cfg-${current.version}"` })).statusCode, 304);
    assert.equal((await get(`/ingest/v1/config?since=${current.version}`)).statusCode, 304);
    assert.equal((await get(`/ingest/v1/config?since=${current.version - 1}`)).statusCode, 200);
    const bad = await get('/ingest/v1/config?since=abc');
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.json().error.field, 'since');
  });

  test('refuses a bad document naming the field, and saves nothing of it', async () => {
    const before = await countRows(db, 'box_config_versions', 'box_id = $1', [box.boxId]);
    const cases: Array<[unknown, string]> = [
      [doc({ contacts: [{ name: 'Sophie', phone: '0639980001', role: 'nurse', tier: 1 }] }), '/contacts/0/phone'],
      [doc({ contacts: [] }), '/contacts'],
      [{ ...doc(), thresholds: { ...BOX_CONFIG_DEFAULTS.thresholds, spo2Min: 30 } }, '/thresholds/spo2Min'],
      [{ ...doc(), alerting: { ...BOX_CONFIG_DEFAULTS.alerting, maxRounds: 0 } }, '/alerting/maxRounds'],
      [{ ...doc(), cadences: undefined }, '/cadences'],
      [{ ...doc(), surprise: true }, '/surprise'],
      [
        doc({
          contacts: [
            { name: 'A', phone: '+33639980001', role: 'nurse', tier: 1 },
            { name: 'B', phone: '+33639980001', role: 'other', tier: 1 },
          ],
        }),
        '/contacts/1/phone',
      ],
    ];
    for (const [config, field] of cases) {
      const err = await rejection(saveBoxConfig(db, { boxId: box.boxId, config, changedBy: 'Dr Martin' }));
      assert.equal(err.code, 'DOWNLINK_CONFIG_INVALID');
      assert.equal(err.httpStatus, 400);
      assert.equal(err.details.field, field, JSON.stringify(config));
    }
    assert.equal(await countRows(db, 'box_config_versions', 'box_id = $1', [box.boxId]), before);
  });

  test('refuses an unknown box or a patient without a box', async () => {
    assert.equal((await rejection(saveBoxConfig(db, { boxId: 'VB-NOPE-0000', config: doc(), changedBy: 'x' }))).code, 'DOWNLINK_BOX_NOT_FOUND');
    const lonely = await createPatient(db);
    const err = await rejection(saveBoxConfig(db, { patientId: lonely, config: doc(), changedBy: 'x' }));
    assert.equal(err.code, 'DOWNLINK_BOX_NOT_FOUND');
    assert.equal(err.details.field, 'patientId');
  });

  test('refuses a save started from a version that is no longer current, and writes nothing', async () => {
    const current = (await currentBoxConfig(db, box.boxId))!.version;
    const stale = doc({ thresholds: { ...BOX_CONFIG_DEFAULTS.thresholds, heartRateHigh: 150 } });
    const err = await rejection(saveBoxConfig(db, { boxId: box.boxId, config: stale, changedBy: 'Dr Martin', expectedVersion: current - 1 }));
    assert.equal(err.code, 'DOWNLINK_CONFIG_CONFLICT');
    assert.equal(err.httpStatus, 409);
    assert.deepEqual(err.details, { field: '/expectedVersion', currentVersion: current });
    assert.equal((await currentBoxConfig(db, box.boxId))!.version, current);
    const ok = await saveBoxConfig(db, { boxId: box.boxId, config: stale, changedBy: 'Dr Martin', expectedVersion: current });
    assert.deepEqual([ok.version, ok.previousVersion], [current + 1, current]);
  });

  test('numbers concurrent saves without a gap or a collision', async () => {
    const start = (await currentBoxConfig(db, box.boxId))!.version;
    const results = await Promise.all(
      [71, 72, 73].map((hr) => saveBoxConfig(db, { boxId: box.boxId, config: doc({ thresholds: { ...BOX_CONFIG_DEFAULTS.thresholds, heartRateLow: hr } }), changedBy: 'x' })),
    );
    assert.deepEqual(results.map((r) => r.version).sort(), [start + 1, start + 2, start + 3]);
  });
});

describe('portal acknowledgements as commands', () => {
  async function openAlert(state: AlertEvent['state'] = 'notified'): Promise<string> {
    const alertId = randomUUID();
    const event: AlertEvent = {
      v: 1, boxId: box.boxId, alertId, number: 7, revision: 1, kind: 'fall', severity: 'critical', state,
      raisedAt: NOW - 60_000, updatedAt: NOW - 50_000, notifications: [],
    };
    const res = await app.inject({ method: 'POST', url: '/ingest/v1/alerts', headers: { authorization: `Bearer ${box.token}` }, payload: event });
    assert.equal(res.statusCode, 200, res.body);
    return alertId;
  }

  test('queues one command per alert however often it is asked, and the box fetches then completes it', async () => {
    const alertId = await openAlert();
    const account = randomUUID();
    assert.deepEqual(await requestAlertAcknowledgement(db, { alertId, accountId: account, displayName: 'Sophie Bernard', at: NOW }), { queued: true });
    assert.deepEqual(await requestAlertAcknowledgement(db, { alertId, accountId: randomUUID(), displayName: 'Autre', at: NOW + 1 }), { queued: true });
    assert.equal(await countRows(db, 'box_commands', 'alert_id = $1', [alertId]), 1);
    const list = (await get('/ingest/v1/commands')).json();
    assert.ok(validate(BoxCommandList, list).ok);
    const command = list.commands.find((c: { alertId: string }) => c.alertId === alertId);
    assert.deepEqual({ kind: command.kind, by: command.by, at: command.at }, { kind: 'acknowledge_alert', by: 'Sophie Bernard', at: NOW });
    // Signed for this box with the cloud's command key (issue 10): the box acts on nothing else.
    assert.equal(verifyBoxCommand(commandPublicKeyOf(commandKey), box.boxId, command), null);
    assert.equal(verifyBoxCommand(commandPublicKeyOf(commandKey), 'VB-OTHER-0001', command), 'invalid');
    const done = (id: string, token = box.token) =>
      app.inject({
        method: 'POST',
        url: `/ingest/v1/commands/${id}/done`,
        headers: { authorization: `Bearer ${token}` },
        payload: { v: 1, boxId: box.boxId, commandId: id, outcome: 'acknowledged', at: NOW },
      });
    const other = await createBox(db);
    assert.equal((await app.inject({
      method: 'POST', url: `/ingest/v1/commands/${command.commandId}/done`, headers: { authorization: `Bearer ${other.token}` },
      payload: { v: 1, boxId: other.boxId, commandId: command.commandId, outcome: 'acknowledged', at: NOW },
    })).statusCode, 404, "another box cannot complete this box's command");
    assert.equal((await done(command.commandId)).statusCode, 204);
    assert.equal((await done(command.commandId)).statusCode, 204, 'reporting twice is harmless');
    const after = (await get('/ingest/v1/commands')).json();
    assert.equal(after.commands.some((c: { alertId: string }) => c.alertId === alertId), false);
    assert.deepEqual(await requestAlertAcknowledgement(db, { alertId, accountId: account, displayName: 'Sophie Bernard', at: NOW }), { queued: false });
  });

  test('queues nothing for an alert no longer open, and refuses an unknown alert', async () => {
    const acknowledged = await openAlert('acknowledged');
    assert.deepEqual(await requestAlertAcknowledgement(db, { alertId: acknowledged, accountId: randomUUID(), displayName: 'S', at: NOW }), { queued: false });
    assert.equal(await countRows(db, 'box_commands', 'alert_id = $1', [acknowledged]), 0);
    const err = await rejection(requestAlertAcknowledgement(db, { alertId: randomUUID(), accountId: randomUUID(), displayName: 'S', at: NOW }));
    assert.equal(err.code, 'DOWNLINK_ALERT_NOT_FOUND');
    assert.equal(err.httpStatus, 404);
  });
});
