import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger, dataPaths } from '@vigie/common';
import { tempDir, waitUntil } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import { addContact, setAlerting, provision, readBoxFile } from '@vigie/provisioning';
import type { AlertEvent, BatchReceipt, Heartbeat, TelemetryBatch } from '@vigie/protocol';
import { loadBoxEnv } from '../src/config.ts';
import { createBox, type Box } from '../src/box.ts';
import type { CloudClient } from '../src/telemetry/cloud-client.ts';
import { boxErrors } from '../src/errors.ts';
import { PngDisplay } from '../src/display/png-display.ts';
import { join } from 'node:path';

/** A cloud that records what it receives, and can be switched off. */
class RecordingCloud implements CloudClient {
  online = true;
  readonly batches: TelemetryBatch[] = [];
  readonly alerts: AlertEvent[] = [];
  readonly heartbeats: Heartbeat[] = [];
  async sendTelemetry(batch: TelemetryBatch): Promise<BatchReceipt> {
    this.#check();
    this.batches.push(batch);
    return { v: 1, boxId: batch.boxId, seq: batch.seq, accepted: batch.readings.length, duplicate: false };
  }
  async sendAlert(event: AlertEvent): Promise<void> {
    this.#check();
    this.alerts.push(event);
  }
  async sendHeartbeat(heartbeat: Heartbeat): Promise<void> {
    this.#check();
    this.heartbeats.push(heartbeat);
  }
  #check() {
    if (!this.online) throw boxErrors.create('BOX_CLOUD_UNREACHABLE');
  }
}

const until = (condition: () => boolean, what: string, timeoutMs = 10_000) => waitUntil(condition, what, timeoutMs);

async function withBox(cloud: CloudClient, run: (ctx: { box: Box; bracelet: BraceletSimulator }) => Promise<void>): Promise<void> {
  const dir = tempDir('vigie-box-');
  const paths = dataPaths(dir.path);
  provision(paths.boxConfig, {
    boxId: 'VB-TEST-0001',
    cloudUrl: 'http://127.0.0.1:9',
    token: 't'.repeat(32),
    patientName: 'Jeanne Dupont',
  });
  addContact(paths.boxConfig, { name: 'Sophie Bernard', phone: '+33639980001', role: 'nurse' });
  addContact(paths.boxConfig, { name: 'Paul Dupont', phone: '+33639980002', role: 'relative' });
  // No cancel window: these falls are meant to text at once.
  setAlerting(paths.boxConfig, { fallCancelSeconds: 0 });
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0001', speed: 600, radioSocketPath: paths.braceletRadioSocket });
  const env = loadBoxEnv({ VIGIE_DATA_DIR: dir.path, VIGIE_MQTT_PORT: '0', VIGIE_SYNC_INTERVAL_MS: '100' });
  const display = new PngDisplay({ path: join(dir.path, 'screen.png'), log: silentLogger() });
  const box = createBox({ env, boxFile: readBoxFile(paths.boxConfig), log: silentLogger(), cloud, display });
  await bracelet.start();
  await box.start();
  try {
    await run({ box, bracelet });
  } finally {
    await box.stop();
    await bracelet.stop();
    dir.cleanup();
  }
}

test('sends the fall SMS to every contact when the cloud is unreachable', async () => {
  const cloud = new RecordingCloud();
  cloud.online = false;
  await withBox(cloud, async ({ box, bracelet }) => {
    await until(() => box.readings.depth().depth > 0, 'a first reading');
    bracelet.injectFall();
    await until(() => (box.emulator?.sent.length ?? 0) >= 2, 'two SMS');
    const sent = box.emulator!.sent;
    assert.deepEqual(sent.map((s) => s.to).sort(), ['+33639980001', '+33639980002']);
    for (const sms of sent) assert.match(sms.text, /^ALERTE Vigie \d+ : chute détectée chez Jeanne Dupont à \d\d:\d\d\. Répondez OK \d+/);
    assert.ok(box.readings.depth().depth > 0, 'readings are kept while the cloud is away');
    assert.equal(cloud.alerts.length, 0);
    await until(() => box.screen!.state().kind === 'alert', 'the screen shows the alert');
    assert.deepEqual(box.screen!.state(), { kind: 'alert', alertKind: 'fall', cancelSecondsLeft: null });
  });
});

test('forwards readings and the alert to the cloud, alert first, and empties the buffer once confirmed', async () => {
  const cloud = new RecordingCloud();
  cloud.online = false;
  await withBox(cloud, async ({ box, bracelet }) => {
    await until(() => box.readings.depth().depth >= 3, 'a few readings');
    bracelet.injectFall();
    await until(() => (box.emulator?.sent.length ?? 0) >= 2, 'two SMS');
    cloud.online = true;
    box.uplink.kick();
    await until(() => cloud.alerts.some((a) => a.state === 'notified') && cloud.batches.length > 0, 'alert and readings in the cloud');
    assert.ok(cloud.alerts.length > 0);
    const firstAlert = cloud.alerts[0]!;
    assert.equal(firstAlert.kind, 'fall');
    assert.deepEqual(firstAlert.notifications.map((n) => n.contact).sort(), ['Paul Dupont', 'Sophie Bernard']);
    const readings = cloud.batches.flatMap((b) => b.readings);
    assert.ok(readings.some((r) => r.metric === 'heart_rate'));
    const seqs = cloud.batches.map((b) => b.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b), 'batches in order');
    await box.uplink.idle();
  });
});

test('sends a help alert when the help button of the bracelet is pressed', async () => {
  const cloud = new RecordingCloud();
  await withBox(cloud, async ({ box, bracelet }) => {
    await until(() => box.readings.depth().depth > 0 || cloud.batches.length > 0, 'the bracelet linked (a first reading)');
    bracelet.pressHelp();
    await until(() => (box.emulator?.sent.length ?? 0) >= 2, 'two SMS');
    assert.match(box.emulator!.sent[0]!.text, /demande d'aide \(bouton\) chez Jeanne Dupont/);
  });
});
