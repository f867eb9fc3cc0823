/**
 * The cloud → box path end to end: a real cloud-ingest over HTTP on PGlite (or PostgreSQL when
 * DATABASE_URL is set), a box (safety core + telemetry service) whose modem is the emulator on a
 * real pty pair, and the portal-side functions the portal calls.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { dataPaths, silentLogger } from '@vigie/common';
import { skipUnlessTool, tempDir, waitUntil } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import { addContact, readBoxFile, writeBoxFile } from '@vigie/provisioning';
import { commandPublicKeyOf, ingestRoutes } from '@vigie/cloud-ingest';
import { BOX_CONFIG_DEFAULTS, requestAlertAcknowledgement, saveBoxConfig } from '@vigie/cloud-store';
import { createBox as createCloudBox, createPatient, openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { loadBoxEnv } from '../src/config.ts';
import { createBox, type Box } from '../src/box.ts';
import type { ModemEmulator } from '../src/modem/index.ts';
import { NURSE, provisionTestBox, ptyModem, SON } from './fixtures.ts';

const DOCTOR = { name: 'Dr Martin', phone: '+33639980003', role: 'doctor', tier: 2 } as const;
const BOX_ID = 'VB-TEST-0003';

interface Ctx {
  db: TestDb;
  box: Box;
  emulator: ModemEmulator;
  patientId: string;
  boxFilePath: string;
  /** Run a fall until its first SMS are accepted; returns its alert id. */
  fall(expectedSms: number): Promise<string>;
}

async function withCloudAndBox(env: Record<string, string>, run: (ctx: Ctx) => Promise<void>): Promise<void> {
  const db = await openTestDb();
  const cloud = Fastify();
  // The cloud signs its commands; the box is provisioned with the public half (issue 10).
  const commandKey = generateKeyPairSync('ed25519').privateKey;
  await cloud.register(ingestRoutes, { db, commandKey });
  await cloud.listen({ port: 0, host: '127.0.0.1' });
  const dir = tempDir('vigie-downlink-');
  const paths = dataPaths(dir.path);
  const modem = await ptyModem(dir.path);
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0003', speed: 600, radioSocketPath: paths.braceletRadioSocket });
  let box: Box | undefined;
  try {
    const patientId = await createPatient(db, 'Jeanne Dupont');
    const { token } = await createCloudBox(db, { boxId: BOX_ID, patientId, since: Date.now() - 86_400_000 });
    provisionTestBox(dir.path, { boxId: BOX_ID, contacts: [NURSE, SON, DOCTOR] });
    // The test fixture provisions an unreachable cloud: point this box at the real one.
    const file = readBoxFile(paths.boxConfig);
    const { port } = cloud.server.address() as AddressInfo;
    writeBoxFile(paths.boxConfig, { ...file, cloudUrl: `http://127.0.0.1:${port}`, token, commandKey: commandPublicKeyOf(commandKey) });
    box = createBox({
      env: loadBoxEnv({ VIGIE_DATA_DIR: dir.path, VIGIE_MQTT_PORT: '0', VIGIE_MODEM_DEVICE: modem.device, ...env }),
      boxFile: readBoxFile(paths.boxConfig),
      log: silentLogger(),
    });
    await bracelet.start();
    await box.start();
    const started = box;
    const fall = async (expectedSms: number) => {
      const before = new Set(started.alerts.pendingUploads(BOX_ID).map((a) => a.alertId));
      const sent = modem.emulator.sent.length;
      bracelet.injectFall();
      await waitUntil(() => modem.emulator.sent.length >= sent + expectedSms, 'the first round of SMS', 15_000);
      await started.dispatcher.idle();
      const { rows } = await db.query<{ alert_id: string }>("SELECT alert_id FROM alerts WHERE box_id = $1 AND kind = 'fall' ORDER BY raised_at DESC", [BOX_ID]);
      const fresh = rows.find((r) => !before.has(r.alert_id));
      if (fresh) return fresh.alert_id;
      const local = started.alerts.pendingUploads(BOX_ID).find((a) => !before.has(a.alertId) && a.kind === 'fall');
      return local!.alertId;
    };
    await run({ db, box, emulator: modem.emulator, patientId, boxFilePath: paths.boxConfig, fall });
  } finally {
    await box?.stop();
    await bracelet.stop();
    await modem.close();
    await cloud.close();
    await db.close();
    dir.cleanup();
  }
}

const skip = skipUnlessTool('socat');

test('an acknowledgement made in the portal reaches the box: alert acknowledged, contacts told who is on it, once', { skip }, async () => {
  // Readings every 10 minutes: only the open alert makes the box poll the cloud every 2 seconds.
  await withCloudAndBox({ VIGIE_SYNC_INTERVAL_MS: '600000' }, async ({ db, box, emulator, fall }) => {
    const alertId = await fall(2);
    const cloudState = async () => (await db.query<{ state: string }>('SELECT state FROM alerts WHERE alert_id = $1', [alertId])).rows[0]?.state;
    await waitUntil(async () => (await cloudState()) === 'notified', 'the alert mirrored in the cloud', 15_000);
    const sentBefore = emulator.sent.length;

    // The portal side: a nurse clicks "I'm on it".
    assert.deepEqual(await requestAlertAcknowledgement(db, { alertId, accountId: randomUUID(), displayName: 'Sophie Bernard', at: Date.now() }), { queued: true });

    const notices = () => emulator.sent.slice(sentBefore).filter((s) => /Sophie Bernard \(portail\) s'occupe de l'alerte/.test(s.text));
    await waitUntil(() => notices().length === 2, 'the contacts told who is on it', 15_000);
    assert.deepEqual(notices().map((s) => s.to).sort(), [NURSE.phone, SON.phone], 'everyone who received the alert, nobody else');
    assert.match(notices()[0]!.text, /^Vigie \d+ : Sophie Bernard \(portail\) s'occupe de l'alerte \(chute détectée chez Jeanne Dupont\)\.$/);
    const event = box.alerts.event(alertId, BOX_ID)!;
    assert.equal(event.state, 'acknowledged');
    assert.deepEqual({ by: event.acknowledgement?.by, via: event.acknowledgement?.via }, { by: 'Sophie Bernard (portail)', via: 'portal' });

    // The change flows back to the cloud as usual, and the command is reported done.
    await waitUntil(async () => (await cloudState()) === 'acknowledged', 'the acknowledgement mirrored in the cloud', 15_000);
    await waitUntil(
      async () => (await db.query<{ outcome: string | null }>('SELECT outcome FROM box_commands WHERE alert_id = $1', [alertId])).rows[0]?.outcome === 'acknowledged',
      'the command reported done',
      15_000,
    );

    // Once: asking again queues nothing; the same command applied again changes nothing.
    assert.deepEqual(await requestAlertAcknowledgement(db, { alertId, accountId: randomUUID(), displayName: 'Paul', at: Date.now() }), { queued: false });
    assert.equal(box.followUp.acknowledgeFromPortal({ alertId, by: 'Sophie Bernard' }), 'already_acknowledged');
    box.followUp.sweep();
    await box.dispatcher.idle();
    assert.equal(emulator.sent.length, sentBefore + 2, 'no further SMS: no second notice, no escalation');
  });
});

test('a configuration saved in the cloud is validated, applied whole, reported, and used by the safety core; a bad one is refused', { skip }, async () => {
  await withCloudAndBox({ VIGIE_SYNC_INTERVAL_MS: '300', VIGIE_HEARTBEAT_INTERVAL_MS: '1000' }, async ({ db, emulator, patientId, boxFilePath, fall }) => {
    const status = async () =>
      (await db.query<{ config_version: number | null; config_local_changes: boolean; config_fetched_at: Date | null }>(
        'SELECT config_version, config_local_changes, config_fetched_at FROM box_status WHERE box_id = $1',
        [BOX_ID],
      )).rows[0];
    // Version 1 drops the son and texts the doctor at once.
    const saved = await saveBoxConfig(db, {
      patientId,
      config: {
        ...structuredClone(BOX_CONFIG_DEFAULTS),
        contacts: [
          { name: NURSE.name, phone: NURSE.phone, role: 'nurse', tier: 1 },
          { name: DOCTOR.name, phone: DOCTOR.phone, role: 'doctor', tier: 1 },
        ],
        alerting: { ...BOX_CONFIG_DEFAULTS.alerting, fallCancelSeconds: 0 },
      },
      changedBy: 'Dr Martin',
    });
    assert.equal(saved.version, 1);
    await waitUntil(() => readBoxFile(boxFilePath).cloudConfig?.version === 1, 'the box file at version 1', 15_000);
    await waitUntil(async () => (await status())?.config_version === 1, 'version 1 reported in heartbeats', 15_000);

    // The safety core reloaded it: the next fall texts the nurse and the doctor, not the son.
    const sent = emulator.sent.length;
    await fall(2);
    assert.deepEqual(emulator.sent.slice(sent).map((s) => s.to).sort(), [NURSE.phone, DOCTOR.phone]);

    // A version that does not validate (written behind the portal's back) is refused whole.
    const before = readBoxFile(boxFilePath);
    await db.query(
      `INSERT INTO box_config_versions (box_id, version, config, changed_by) VALUES ($1, 2, $2::jsonb, 'corrupted')`,
      [BOX_ID, JSON.stringify({ ...BOX_CONFIG_DEFAULTS, contacts: [{ name: 'Nobody', phone: '0612', role: 'other', tier: 1 }] })],
    );
    const askedAt = Date.now();
    await waitUntil(async () => ((await status())?.config_fetched_at?.getTime() ?? 0) > askedAt + 500, 'the box fetched again', 15_000);
    assert.deepEqual(readBoxFile(boxFilePath), before, 'nothing of version 2 applied');

    // A technician's local edit is reported to the cloud.
    addContact(boxFilePath, { name: 'Marie Voisine', phone: '+33639980004', role: 'other', tier: 3 });
    await waitUntil(async () => (await status())?.config_local_changes === true, 'the local change reported', 15_000);
  });
});
