/**
 * The firmware relay against the real bracelet simulator (its firmware slots in
 * `bracelet/src/firmware/`) over the simulated BLE radio, with the box's real simulated adapter.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { silentLogger } from '@vigie/common';
import { tempDir, waitUntil } from '@vigie/common/testing';
import { BraceletSimulator, buildFirmwareImage, FirmwareTarget, type BootBehaviour } from '@vigie/bracelet';
import { SimulatedBle } from '../ble/simulated-ble.ts';
import { braceletFirmwareErrors } from './errors.ts';
import { BraceletFirmwareRelay } from './firmware-relay.ts';
import { braceletFirmwareSigningPayload, type BraceletFirmwareRelease } from './release.ts';

const releaseKey = generateKeyPairSync('ed25519');

function release(version: string, behaviour: BootBehaviour = 'boots', key: KeyObject = releaseKey.privateKey, size = 48 * 1024): BraceletFirmwareRelease {
  const body = Buffer.alloc(size);
  for (let i = 0; i < size; i++) body[i] = (i * 31 + version.length) & 0xff;
  const image = buildFirmwareImage(version, body, behaviour);
  const sha256 = createHash('sha256').update(image).digest('hex');
  return { version, sha256, image, signature: sign(null, braceletFirmwareSigningPayload(version, sha256), key).toString('base64') };
}

async function setup(t: { after(fn: () => unknown): void }) {
  const dir = tempDir('vigie-fw-');
  const socketPath = join(dir.path, 'radio.sock');
  const firmware = new FirmwareTarget({ version: '1.0.0', rebootMs: 100 });
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0015', radioSocketPath: socketPath, firmware });
  await bracelet.start();
  const ble = new SimulatedBle({ socketPath, log: silentLogger(), backoff: { initialMs: 50, maxMs: 200 } });
  let linked = false;
  ble.on('connected', () => (linked = true));
  ble.on('disconnected', () => (linked = false));
  await ble.start();
  await waitUntil(() => linked, 'the box linked to the bracelet');
  const relay = new BraceletFirmwareRelay({ ble, log: silentLogger(), releaseKeys: [releaseKey.publicKey], answerTimeoutMs: 2_000, reconnectTimeoutMs: 10_000 });
  t.after(async () => {
    await ble.stop();
    await bracelet.stop();
    dir.cleanup();
  });
  return { firmware, bracelet, relay };
}

test('a firmware update interrupted by a lost BLE link resumes where it stopped and activates', async (t) => {
  const { firmware, bracelet, relay } = await setup(t);
  const r = release('1.1.0');
  // The bracelet walks out of range halfway through: its radio goes away, then comes back.
  let dropped = false;
  let receivedWhenDropped = 0;
  firmware.on('answer', () => {
    if (dropped || firmware.received < r.image.length / 2) return;
    dropped = true;
    receivedWhenDropped = firmware.received;
    void bracelet.stop().then(() => new Promise((res) => setTimeout(res, 300))).then(() => bracelet.start());
  });
  const result = await relay.relay(r, true);
  assert.ok(dropped, 'the link was dropped mid-transfer');
  assert.equal(result.outcome, 'updated');
  assert.equal(result.running, '1.1.0');
  assert.ok(result.resumes >= 1, 'resumed at least once');
  // Resumed, not restarted: at most the chunks in flight at the drop were sent twice.
  assert.ok(result.bytesSent < r.image.length + 4 * 236, `sent ${result.bytesSent} bytes for a ${r.image.length}-byte image`);
  assert.ok(receivedWhenDropped >= r.image.length / 2);
  assert.deepEqual(firmware.versions, { running: '1.1.0', previous: '1.0.0' });
});

test('an image that does not boot is rolled back to the previous one', async (t) => {
  const { firmware, relay } = await setup(t);
  const result = await relay.relay(release('1.2.0', 'panics'), true);
  assert.equal(result.outcome, 'rolled-back');
  assert.equal(result.running, '1.0.0');
  assert.deepEqual(firmware.versions, { running: '1.0.0', previous: '' });
});

test('a release with a bad signature or a swapped image is refused before anything reaches the bracelet', async (t) => {
  const { firmware, relay } = await setup(t);
  const writes: number[] = [];
  firmware.on('answer', () => writes.push(firmware.received));
  const stranger = generateKeyPairSync('ed25519');
  await assert.rejects(relay.relay(release('1.3.0', 'boots', stranger.privateKey), true), (err) => braceletFirmwareErrors.is(err, 'BOX_FIRMWARE_SIGNATURE_INVALID'));
  const good = release('1.3.0');
  const swapped = { ...good, image: release('1.3.0', 'panics').image };
  await assert.rejects(relay.relay(swapped, true), (err) => braceletFirmwareErrors.is(err, 'BOX_FIRMWARE_DIGEST_MISMATCH'));
  assert.deepEqual(writes, [], 'no command reached the bracelet');
  assert.equal(firmware.versions.running, '1.0.0');
});
