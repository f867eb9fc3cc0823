import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { Writable } from 'node:stream';
import { createLogger, dataPaths, silentLogger } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import {
  encodeBatteryLevel,
  encodeEmergency,
  encodeHeartRateMeasurement,
  encodePlxContinuousMeasurement,
  encodeSteps,
  encodeWorn,
  GattCharacteristic as C,
  GattService as S,
  PlxMeasurementStatus,
  topics,
} from '@vigie/protocol';
import type { PublishOptions } from '../bus/bus-client.ts';
import { BleBridge } from './bridge.ts';
import { SimulatedBle } from './simulated-ble.ts';
import type { BlePort, BlePortEvents } from './port.ts';

class FakeBle extends EventEmitter<BlePortEvents> implements BlePort {
  readonly name = 'fake-ble';
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
  notify(service: string, characteristic: string, data: Uint8Array, receivedAt = T) {
    this.emit('notification', { deviceId: ID, service, characteristic, data: Buffer.from(data), receivedAt });
  }
}

const ID = 'BR-TEST-0001';
const T = 1_767_600_000_000;
const NOW = T + 5_000;

interface Published {
  topic: string;
  payload: Record<string, unknown>;
  options: PublishOptions;
}

async function setup(publishImpl?: () => Promise<void>) {
  const ble = new FakeBle();
  const published: Published[] = [];
  const logs: Record<string, unknown>[] = [];
  const log = createLogger('test', { level: 'warn' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString())), done()) }));
  const bridge = new BleBridge({
    ble,
    publish: async (topic, payload, options) => {
      published.push({ topic, payload: payload as Record<string, unknown>, options });
      await publishImpl?.();
    },
    clock: () => NOW,
    log,
  });
  await bridge.start();
  return { ble, bridge, published, logs };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

test('publishes heart rate, SpO2 and steps as bus readings stamped with the reception time', async () => {
  const { ble, published } = await setup();
  ble.notify(S.heartRate, C.heartRateMeasurement, encodeHeartRateMeasurement({ bpm: 72, contact: 'detected' }));
  ble.notify(S.pulseOximeter, C.plxContinuousMeasurement, encodePlxContinuousMeasurement({ normal: { spo2: 96.5, pulseRate: 70 } }), T + 1);
  ble.notify(S.vigie, C.vigieSteps, encodeSteps({ count: 412, periodS: 1_800 }), T + 2);
  assert.deepEqual(published, [
    { topic: topics.reading(ID), payload: { v: 1, braceletId: ID, reading: { metric: 'heart_rate', ts: T, value: 72, periodS: 120 } }, options: { qos: 1 } },
    { topic: topics.reading(ID), payload: { v: 1, braceletId: ID, reading: { metric: 'spo2', ts: T + 1, value: 96.5, periodS: 60 } }, options: { qos: 1 } },
    { topic: topics.reading(ID), payload: { v: 1, braceletId: ID, reading: { metric: 'steps', ts: T + 2, value: 412, periodS: 1_800 } }, options: { qos: 1 } },
  ]);
});

test('publishes battery as a reading and a retained status, and worn as a retained status', async () => {
  const { ble, published } = await setup();
  ble.notify(S.battery, C.batteryLevel, encodeBatteryLevel(85));
  ble.notify(S.vigie, C.vigieWorn, encodeWorn(false), T + 10);
  assert.deepEqual(published, [
    { topic: topics.reading(ID), payload: { v: 1, braceletId: ID, reading: { metric: 'bracelet_battery', ts: T, value: 85 } }, options: { qos: 1 } },
    { topic: topics.status(ID), payload: { v: 1, braceletId: ID, connected: true, worn: null, battery: 85, ts: T }, options: { qos: 1, retain: true } },
    { topic: topics.status(ID), payload: { v: 1, braceletId: ID, connected: true, worn: false, battery: 85, ts: T + 10 }, options: { qos: 1, retain: true } },
  ]);
});

test('publishes an emergency as a bracelet event on the event topic at QoS 1', async () => {
  const { ble, published } = await setup();
  ble.notify(S.vigie, C.vigieEmergency, encodeEmergency({ event: 'fall', seq: 298, confidence: 87 }));
  assert.deepEqual(published, [
    { topic: topics.event(ID), payload: { v: 1, braceletId: ID, kind: 'fall', ts: T, eventSeq: 298 }, options: { qos: 1 } },
  ]);
});

test('publishes the link going up and down as retained statuses at the box clock time', async () => {
  const { ble, published } = await setup();
  ble.emit('connected', { deviceId: ID, name: 'Vigie Bracelet', services: [S.heartRate, S.pulseOximeter, S.battery, S.vigie] });
  ble.notify(S.battery, C.batteryLevel, encodeBatteryLevel(40));
  ble.emit('disconnected', { deviceId: ID, reason: 'link closed' });
  const statuses = published.filter((p) => p.topic === topics.status(ID)).map((p) => p.payload);
  assert.deepEqual(statuses, [
    { v: 1, braceletId: ID, connected: true, worn: null, battery: null, ts: NOW },
    { v: 1, braceletId: ID, connected: true, worn: null, battery: 40, ts: T },
    { v: 1, braceletId: ID, connected: false, worn: null, battery: 40, ts: NOW },
  ]);
});

test('logs a garbage frame with its code and reason, counts it, and still publishes the next valid frame', async () => {
  const { ble, bridge, published, logs } = await setup();
  ble.notify(S.heartRate, C.heartRateMeasurement, Uint8Array.of(0x01, 0x48)); // uint16 flag, one byte
  ble.notify(S.battery, C.batteryLevel, Uint8Array.of(0xc8)); // 200 %
  ble.notify(S.battery, '2a1a', Uint8Array.of(0x01)); // not a characteristic we decode
  ble.notify(S.heartRate, C.heartRateMeasurement, encodeHeartRateMeasurement({ bpm: 64 }));
  assert.deepEqual(
    logs.map((l) => [l.code, l.reason]),
    [
      ['PROTOCOL_GATT_MALFORMED', 'truncated'],
      ['PROTOCOL_GATT_MALFORMED', 'value_out_of_range'],
      ['PROTOCOL_GATT_UNKNOWN_CHARACTERISTIC', 'unknown_characteristic'],
    ],
  );
  assert.equal(published.length, 1);
  assert.equal((published[0]!.payload.reading as { value: number }).value, 64);
  await settle();
  assert.deepEqual(bridge.stats(), { received: 4, published: 1, decodeErrors: 3, skipped: 0, averaged: 0, windowsWithoutMean: 0, invalidPayloads: 0, publishErrors: 0 });
});

test('does not publish heart rate without skin contact, nor SpO2 the oximeter marks unusable or cannot give', async () => {
  const { ble, bridge, published } = await setup();
  ble.notify(S.heartRate, C.heartRateMeasurement, encodeHeartRateMeasurement({ bpm: 0, contact: 'not_detected' }));
  ble.notify(S.pulseOximeter, C.plxContinuousMeasurement, encodePlxContinuousMeasurement({ normal: { spo2: NaN, pulseRate: NaN } }));
  ble.notify(
    S.pulseOximeter,
    C.plxContinuousMeasurement,
    encodePlxContinuousMeasurement({ normal: { spo2: 97, pulseRate: 70 }, measurementStatus: PlxMeasurementStatus.invalidMeasurementDetected }),
  );
  assert.deepEqual(published, []);
  assert.equal(bridge.stats().skipped, 3);
});

test('counts a payload its schema refuses and a publish that fails, without throwing', async () => {
  const { ble, bridge, logs } = await setup(() => Promise.reject(new Error('broker gone')));
  ble.emit('notification', { deviceId: 'not a valid id!', service: S.battery, characteristic: C.batteryLevel, data: Buffer.from([50]), receivedAt: T });
  ble.notify(S.vigie, C.vigieEmergency, encodeEmergency({ event: 'manual_help', seq: 1, confidence: 100 }));
  await settle();
  const stats = bridge.stats();
  assert.equal(stats.invalidPayloads, 2, 'reading and status for the bad id');
  assert.equal(stats.publishErrors, 1);
  assert.ok(logs.some((l) => l.code === 'BOX_BUS_PAYLOAD_INVALID'));
  assert.ok(logs.some((l) => l.msg === 'could not publish on the bus'));
});

test('stops listening to the port on stop', async () => {
  const { ble, bridge, published } = await setup();
  await bridge.stop();
  ble.notify(S.battery, C.batteryLevel, encodeBatteryLevel(85));
  assert.equal(published.length, 0);
  assert.equal(ble.listenerCount('notification'), 0);
});

test('bridges a fall from the bracelet simulator through the simulated adapter to the event topic', async () => {
  const dir = tempDir('vigie-bridge-');
  const socketPath = dataPaths(dir.path).braceletRadioSocket;
  const bracelet = new BraceletSimulator({ deviceId: ID, radioSocketPath: socketPath, schedule: () => () => {}, firstEventSeq: 7 });
  const ble = new SimulatedBle({ socketPath, log: silentLogger(), clock: () => T });
  const published: Published[] = [];
  let onEvent: () => void = () => {};
  const eventPublished = new Promise<void>((resolve) => (onEvent = resolve));
  const bridge = new BleBridge({
    ble,
    publish: async (topic, payload, options) => {
      published.push({ topic, payload: payload as Record<string, unknown>, options });
      if (topic === topics.event(ID)) onEvent();
    },
    clock: () => NOW,
    log: silentLogger(),
  });
  try {
    await bracelet.start();
    await bridge.start();
    await ble.start();
    await new Promise<void>((resolve) => ble.once('connected', () => resolve()));
    bracelet.injectFall();
    await eventPublished;
    assert.deepEqual(published.find((p) => p.topic === topics.event(ID))!.payload, { v: 1, braceletId: ID, kind: 'fall', ts: T, eventSeq: 7 });
    assert.ok(published.some((p) => p.topic === topics.status(ID) && p.payload.connected === true));
  } finally {
    await ble.stop();
    await bridge.stop();
    await bracelet.stop();
    dir.cleanup();
  }
});
