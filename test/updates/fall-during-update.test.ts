/**
 * Acceptance of issue 15 on a whole box: the real safety core with the modem emulator, the
 * bracelet simulator, the screen, and the update agent as the bus's `update` client, downloading
 * from the real update service. A fall while the release downloads still texts every contact at
 * once; the agent then installs but does not restart while the alert is open. With no alert, the
 * restart is announced and the screen says « Mise à jour en cours ».
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger, dataPaths } from '@vigie/common';
import { tempDir, waitUntil } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import { addContact, provision, readBoxFile, readBusCredential, setAlerting } from '@vigie/provisioning';
import { createBox, loadBoxEnv, type Box } from '@vigie/appliance';
import { PngDisplay } from '../../appliance/src/display/png-display.ts';
import { BusBoxView } from '../../appliance/src/update/bus-box-view.ts';
import { SimulatedSlots } from '../../appliance/src/slots/simulated-slots.ts';
import { UpdateAgent } from '../../appliance/src/update/update-agent.ts';
import { UpdateClient } from '../../appliance/src/update/update-client.ts';
import { FACTORY_VERSION, HARDWARE, releaseKey, signedRelease, startUpdateCloud, type UpdateCloud } from './fleet.ts';

const engineer = releaseKey('release-2026');
const keyring = { keys: [engineer.entry] };
/** The fall-to-SMS time this test tolerates on a loaded CI machine (bench:alert: p99 68 ms). */
const SMS_WITHIN_MS = 2_000;

async function withUpdatingBox(
  cloud: UpdateCloud,
  releaseSize: number,
  run: (ctx: { box: Box; bracelet: BraceletSimulator; agent: UpdateAgent; slots: SimulatedSlots; part: string; view: BusBoxView }) => Promise<void>,
): Promise<void> {
  const dir = tempDir('vigie-box-update-');
  const paths = dataPaths(dir.path);
  const [fixture] = await cloud.boxes(1, `VB-FALL-${randomBytes(2).toString('hex')}`);
  provision(paths.boxConfig, { boxId: fixture!.boxId, cloudUrl: 'http://127.0.0.1:9', token: 't'.repeat(32), patientName: 'Jeanne Dupont' });
  addContact(paths.boxConfig, { name: 'Sophie Bernard', phone: '+33639980001', role: 'nurse' });
  addContact(paths.boxConfig, { name: 'Paul Dupont', phone: '+33639980002', role: 'relative' });
  setAlerting(paths.boxConfig, { fallCancelSeconds: 0 });
  const bracelet = new BraceletSimulator({ deviceId: 'BR-UPD-0001', speed: 600, radioSocketPath: paths.braceletRadioSocket });
  const env = loadBoxEnv({ VIGIE_DATA_DIR: dir.path, VIGIE_MQTT_PORT: '0', VIGIE_SYNC_INTERVAL_MS: '100' });
  const display = new PngDisplay({ path: join(dir.path, 'screen.png'), log: silentLogger() });
  const box = createBox({ env, boxFile: readBoxFile(paths.boxConfig), log: silentLogger(), display });
  const release = signedRelease(engineer, '1.1.0', randomBytes(releaseSize));
  const uploaded = await cloud.upload(release);
  assert.equal(uploaded.statusCode, 201);
  assert.equal((await cloud.admin('POST', '/admin/api/updates/campaigns', { releaseId: uploaded.body.release!.id, target: { boxes: [fixture!.boxId] } })).statusCode, 201);
  await bracelet.start();
  await box.start();
  const view = new BusBoxView({ url: () => box.mqttUrl, log: silentLogger(), secret: () => readBusCredential(paths.box, 'update') });
  await view.start();
  // 1 MB/s: the download lasts long enough for a fall to happen in the middle of it.
  const client = new UpdateClient({ baseUrl: cloud.url, token: fixture!.token, maxBytesPerSecond: 1024 * 1024 });
  const slots = new SimulatedSlots(join(dir.path, 'slots'), FACTORY_VERSION);
  const agentDir = join(dir.path, 'update');
  const agent = new UpdateAgent({ slots, client, box: view, keyring, hardware: HARDWARE, factoryVersion: FACTORY_VERSION, dir: agentDir, log: silentLogger() });
  try {
    await run({ box, bracelet, agent, slots, view, part: join(agentDir, 'downloads', `${release.signed.manifest.sha256}.part`) });
  } finally {
    client.close();
    await view.stop();
    await box.stop();
    await bracelet.stop();
    dir.cleanup();
  }
}

test('a fall while a release downloads texts every contact at once, and the installed release waits for the alert before restarting', { timeout: 120_000 }, async (t) => {
  const cloud = await startUpdateCloud(keyring);
  try {
    await withUpdatingBox(cloud, 3 * 1024 * 1024, async ({ box, bracelet, agent, slots, part, view }) => {
      await waitUntil(() => box.readings.depth().depth > 0, 'a first reading');
      await waitUntil(() => view.snapshot().modem !== null && view.snapshot().bracelet?.connected === true, 'the agent hears the modem and the bracelet');
      const updating = agent.cycle();
      await waitUntil(() => existsSync(part) && statSync(part).size > 0, 'the download under way');
      const fellAt = Date.now();
      bracelet.injectFall();
      await waitUntil(() => (box.emulator?.sent.length ?? 0) >= 2, 'two SMS', 10_000, 2);
      const smsMs = Date.now() - fellAt;
      t.diagnostic(`fall → 2 SMS during the download: ${smsMs} ms`);
      assert.ok(smsMs <= SMS_WITHIN_MS, `the fall's SMS left in ${smsMs} ms`);
      assert.ok(statSync(part).size < 3 * 1024 * 1024, 'the SMS left while the download was still running');
      assert.deepEqual(box.emulator!.sent.map((s) => s.to).sort(), ['+33639980001', '+33639980002']);

      // The release is installed, but the box does not restart while the alert is open.
      assert.equal(await updating, 'waiting_quiet_moment');
      const s = await slots.status();
      assert.deepEqual([s.booted, s.primary, s.versions.B], ['A', 'B', '1.1.0']);
      assert.equal(await agent.cycle(), 'waiting_quiet_moment');
      assert.equal(box.screen!.state().kind, 'alert');
    });
  } finally {
    await cloud.close();
  }
});

test('with no alert open, the agent announces the restart and the screen says « Mise à jour en cours »', { timeout: 120_000 }, async () => {
  const cloud = await startUpdateCloud(keyring);
  try {
    await withUpdatingBox(cloud, 64 * 1024, async ({ box, agent, slots, view }) => {
      await waitUntil(() => view.snapshot().modem !== null, 'the agent hears the modem');
      assert.equal(await agent.cycle(), 'rebooting');
      assert.equal((await slots.status()).booted, 'B', 'the simulated bootloader started the new slot');
      await waitUntil(() => box.screen!.state().kind === 'updating', 'the screen shows the update');
    });
  } finally {
    await cloud.close();
  }
});
