/**
 * The box's local bus as an attacker on the box would try it (issue 10, finding 1): forged
 * bracelet emergencies and forged portal acknowledgements, from a client with no credentials and
 * from the screen's credentials, and unsigned or badly signed commands from the telemetry
 * process's own credentials. The safety core runs as in production, its modem the emulator on a
 * real pty pair (socat). Each forgery is followed by the genuine message, which must work: that
 * shows the forgery was refused, not lost.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, type KeyObject } from 'node:crypto';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import mqtt, { type MqttClient } from 'mqtt';
import { createLogger, dataPaths } from '@vigie/common';
import { skipUnlessTool, tempDir, waitUntil } from '@vigie/common/testing';
import { busCredentialsDir, readBoxFile, readBusCredential, updateBoxFile, type BusClientName } from '@vigie/provisioning';
import { commandPublicKeyOf, SCHEMA_VERSION, signBoxCommand, topics, type BoxCommand, type BraceletEvent } from '@vigie/protocol';
import { loadBoxEnv } from '../src/config.ts';
import { createSafetyCore, type SafetyCore } from '../src/safety-core/safety-core.ts';
import type { ModemEmulator } from '../src/modem/index.ts';
import { provisionTestBox, ptyModem } from './fixtures.ts';

const BOX_ID = 'VB-TEST-0010';
const BRACELET = 'BR-TEST-0010';

interface Ctx {
  core: SafetyCore;
  emulator: ModemEmulator;
  /** Log lines at warn and above, parsed. */
  logs: Record<string, unknown>[];
  cloudKey: KeyObject;
  connect(as: BusClientName | null, password?: string): Promise<MqttClient>;
  credential(as: BusClientName): string;
  boxDir: string;
}

async function withSafetyCore(run: (ctx: Ctx) => Promise<void>, options: { credentialsBeforeStart?: 'remove' } = {}): Promise<void> {
  const dir = tempDir('vigie-bus-sec-');
  const paths = dataPaths(dir.path);
  provisionTestBox(dir.path, { boxId: BOX_ID });
  const cloudKey = generateKeyPairSync('ed25519').privateKey;
  updateBoxFile(paths.boxConfig, (file) => ({ ...file, commandKey: commandPublicKeyOf(cloudKey) }));
  // A box provisioned before bus credentials existed (or a development data dir) has none.
  if (options.credentialsBeforeStart === 'remove') rmSync(busCredentialsDir(paths.box), { recursive: true });
  const modem = await ptyModem(dir.path);
  const logs: Record<string, unknown>[] = [];
  const log = createLogger('test', { level: 'warn' }, { write: (line: string) => void logs.push(JSON.parse(line) as Record<string, unknown>) });
  const env = loadBoxEnv({ VIGIE_DATA_DIR: dir.path, VIGIE_MQTT_PORT: '0', VIGIE_MODEM_DEVICE: modem.device });
  const core = createSafetyCore({ env, boxFile: readBoxFile(paths.boxConfig), log });
  const clients: MqttClient[] = [];
  await core.start();
  try {
    await run({
      core,
      emulator: modem.emulator,
      logs,
      cloudKey,
      boxDir: paths.box,
      credential: (as) => readBusCredential(paths.box, as),
      async connect(as, password) {
        const client = await mqtt.connectAsync(core.mqttUrl, {
          ...(as ? { username: as, password: password ?? readBusCredential(paths.box, as) } : {}),
          reconnectPeriod: 0,
          connectTimeout: 5_000,
        });
        client.on('error', () => {});
        clients.push(client);
        return client;
      },
    });
  } finally {
    for (const c of clients) c.end(true);
    await core.stop();
    await modem.close();
    dir.cleanup();
  }
}

const skip = skipUnlessTool('socat');

const cardiacArrest = (eventSeq: number): BraceletEvent => ({ v: SCHEMA_VERSION, braceletId: BRACELET, kind: 'cardiac_arrest', ts: Date.now(), eventSeq });

const refused = (logs: Ctx['logs'], match: Record<string, unknown>) => () =>
  logs.some((l) => Object.entries(match).every(([k, v]) => l[k] === v));

test('a forged cardiac arrest from an unauthenticated client or with the screen credentials sends no SMS, and is logged as refused', { skip }, async () => {
  await withSafetyCore(async ({ core, emulator, logs, connect, credential }) => {
    // No credentials at all, and a wrong password: the connection itself is refused.
    await assert.rejects(connect(null), /Bad username or password|Not authorized/i);
    await waitUntil(refused(logs, { code: 'BOX_BUS_REFUSED', reason: 'unknown_client' }), 'the unauthenticated client logged');
    await assert.rejects(connect('ble', credential('screen')), /Bad username or password|Not authorized/i);
    await waitUntil(refused(logs, { code: 'BOX_BUS_REFUSED', reason: 'bad_credentials', username: 'ble' }), 'the wrong password logged');

    // The screen may connect, but not listen to the commands (SUBACK 0x80)…
    const screen = await connect('screen');
    // mqtt.js turns the SUBACK failure code 0x80 into a rejection.
    await assert.rejects(screen.subscribeAsync(topics.command(randomUUID()), { qos: 1 }), /Subscribe error/);
    await waitUntil(refused(logs, { code: 'BOX_BUS_REFUSED', reason: 'subscribe_not_allowed', client: 'screen' }), 'the subscription refused');
    // …nor publish a bracelet event: refused, and the screen's connection closed.
    screen.publish(topics.event(BRACELET), JSON.stringify(cardiacArrest(1)), { qos: 0 });
    await waitUntil(refused(logs, { code: 'BOX_BUS_REFUSED', reason: 'publish_not_allowed', client: 'screen' }), 'the forged event refused');

    // The genuine event, from the BLE bridge's credentials, texts both contacts: the path works.
    const ble = await connect('ble');
    await ble.publishAsync(topics.event(BRACELET), JSON.stringify(cardiacArrest(2)), { qos: 1 });
    await waitUntil(() => emulator.sent.length >= 2, 'the genuine alert texted');
    await core.dispatcher.idle();
    assert.equal(emulator.sent.length, 2, 'only the genuine event texted');
    assert.equal(core.alerts.pendingUploads(BOX_ID).length, 1, 'one alert only');
    assert.equal(core.busRefusals().publish_not_allowed, 1);
    // The refusals name the client and topic, never a payload.
    for (const l of logs.filter((x) => x.code === 'BOX_BUS_REFUSED')) assert.doesNotMatch(JSON.stringify(l), /cardiac|\+33/);
  });
});

test('a forged acknowledge_alert from an unauthenticated client, the screen, or the telemetry credentials without the cloud signature acknowledges nothing', { skip }, async () => {
  await withSafetyCore(async ({ core, emulator, logs, connect, cloudKey }) => {
    const ble = await connect('ble');
    await ble.publishAsync(topics.event(BRACELET), JSON.stringify(cardiacArrest(7)), { qos: 1 });
    await waitUntil(() => emulator.sent.length >= 2, 'the alert texted');
    await core.dispatcher.idle();
    const alertId = core.alerts.pendingUploads(BOX_ID)[0]!.alertId;
    const command = (): BoxCommand => ({ v: SCHEMA_VERSION, commandId: randomUUID(), kind: 'acknowledge_alert', alertId, by: 'Intrus', at: Date.now() });

    await assert.rejects(connect(null), /Bad username or password|Not authorized/i);
    const screen = await connect('screen');
    const forged = command();
    screen.publish(topics.command(forged.commandId), JSON.stringify(forged), { qos: 0 });
    await waitUntil(refused(logs, { code: 'BOX_BUS_REFUSED', reason: 'publish_not_allowed', client: 'screen' }), 'the screen refused');

    // The telemetry process may publish commands, but the safety core checks the cloud's signature.
    const telemetry = await connect('telemetry');
    const unsigned = command();
    await telemetry.publishAsync(topics.command(unsigned.commandId), JSON.stringify(unsigned), { qos: 1 });
    await waitUntil(refused(logs, { code: 'BOX_COMMAND_SIGNATURE_INVALID', reason: 'missing', commandId: unsigned.commandId }), 'the unsigned command refused');
    const otherKey = generateKeyPairSync('ed25519').privateKey;
    const badlySigned = signBoxCommand(otherKey, BOX_ID, command());
    await telemetry.publishAsync(topics.command(badlySigned.commandId), JSON.stringify(badlySigned), { qos: 1 });
    await waitUntil(refused(logs, { code: 'BOX_COMMAND_SIGNATURE_INVALID', reason: 'invalid', commandId: badlySigned.commandId }), 'the badly signed command refused');
    // Signed by the cloud, but for another box: refused too.
    const otherBox = signBoxCommand(cloudKey, 'VB-OTHER-0001', command());
    await telemetry.publishAsync(topics.command(otherBox.commandId), JSON.stringify(otherBox), { qos: 1 });
    await waitUntil(refused(logs, { code: 'BOX_COMMAND_SIGNATURE_INVALID', reason: 'invalid', commandId: otherBox.commandId }), 'the other box command refused');
    // A valid signature over other content (the name changed after signing): refused.
    const tampered = { ...signBoxCommand(cloudKey, BOX_ID, command()), by: 'Quelqu’un d’autre' };
    await telemetry.publishAsync(topics.command(tampered.commandId), JSON.stringify(tampered), { qos: 1 });
    await waitUntil(refused(logs, { code: 'BOX_COMMAND_SIGNATURE_INVALID', reason: 'invalid', commandId: tampered.commandId }), 'the tampered command refused');

    assert.equal(core.alerts.event(alertId, BOX_ID)!.state !== 'acknowledged', true, 'still not acknowledged');
    assert.equal(emulator.sent.length, 2, 'nobody told that someone is on it');

    // The genuine command, signed by the cloud for this box, acknowledges: the path works.
    const results = await connect('telemetry');
    await results.subscribeAsync(topics.commandResult('+'), { qos: 1 });
    const genuine = signBoxCommand(cloudKey, BOX_ID, { ...command(), by: 'Sophie Bernard' });
    await telemetry.publishAsync(topics.command(genuine.commandId), JSON.stringify(genuine), { qos: 1 });
    await waitUntil(() => core.alerts.event(alertId, BOX_ID)!.state === 'acknowledged', 'the signed command applied');
    assert.equal(core.alerts.event(alertId, BOX_ID)!.acknowledgement?.by, 'Sophie Bernard (portail)');
  });
});

test('the bus credentials are one file per process, 0600 in a 0700 folder, created by the safety core at first start', { skip }, async () => {
  await withSafetyCore(async ({ boxDir }) => {
    const dir = busCredentialsDir(boxDir);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    for (const name of ['safety', 'ble', 'telemetry', 'screen', 'tools'] as const) {
      assert.equal(statSync(join(dir, name)).mode & 0o777, 0o600, name);
    }
  }, { credentialsBeforeStart: 'remove' });
});

test('a read-only tool may listen to every topic but publish none', { skip }, async () => {
  await withSafetyCore(async ({ logs, connect, core }) => {
    const tools = await connect('tools');
    const [granted] = await tools.subscribeAsync('vigie/v1/#', { qos: 1 });
    assert.equal(granted!.qos, 1);
    tools.publish(topics.modemStatus(), '{}', { qos: 0 });
    await waitUntil(refused(logs, { code: 'BOX_BUS_REFUSED', reason: 'publish_not_allowed', client: 'tools' }), 'the tool publish refused');
    assert.equal(core.busRefusals().publish_not_allowed, 1);
  });
});
