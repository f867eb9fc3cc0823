import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { silentLogger } from '@vigie/common';
import { encodeHeartRateMeasurement, encodePlxContinuousMeasurement, encodeSteps, GattCharacteristic as C, GattService as S, PlxDeviceSensorStatus } from '@vigie/protocol';
import { BleBridge } from './bridge.ts';
import type { BlePort, BlePortEvents } from './port.ts';
import { heartRateSecond, PerSecondWindow } from './third-party-vitals.ts';
import { createHeartRateMeter } from '@vigie/protocol/vitals';

const T = 1_767_600_000_000;
const STRAP = 'e4:5f:01:aa:bb:01';
const BRACELET = 'BR-TEST-0001';

/** A port on which the test plays a device: its connection (with its services) and its notifications. */
class FakeBle extends EventEmitter<BlePortEvents> implements BlePort {
  readonly name = 'fake-ble';
  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}

async function setup() {
  const ble = new FakeBle();
  const readings: { braceletId: string; reading: { metric: string; ts: number; value: number; periodS?: number } }[] = [];
  const bridge = new BleBridge({
    ble,
    publish: async (_topic, payload) => void readings.push(...('reading' in (payload as object) ? [payload as (typeof readings)[number]] : [])),
    clock: () => T,
    log: silentLogger(),
  });
  await bridge.start();
  /** A third-party strap emitting one heart-rate value a second from `from` (seconds after T). */
  const strapSeconds = (from: number, bpms: readonly (number | 'no_contact')[]) => {
    bpms.forEach((bpm, i) =>
      ble.emit('notification', {
        deviceId: STRAP,
        service: S.heartRate,
        characteristic: C.heartRateMeasurement,
        data: Buffer.from(encodeHeartRateMeasurement(bpm === 'no_contact' ? { bpm: 0, contact: 'not_detected' } : { bpm, contact: 'detected' })),
        receivedAt: T + (from + i) * 1_000 + 250,
      }),
    );
  };
  return { ble, bridge, readings, strapSeconds };
}

test('a third-party strap: ten minutes of 38 bpm a second make five 2-minute readings, so "sustained over 3 readings" means 6 minutes as for a bracelet', async () => {
  const { ble, bridge, readings, strapSeconds } = await setup();
  ble.emit('connected', { deviceId: STRAP, name: 'HRM-Strap 42', services: ['1800', S.heartRate, '180a'] });
  strapSeconds(0, Array.from({ length: 601 }, (_, i) => (i % 3 === 0 ? 37 : i % 3 === 1 ? 38 : 39)));
  assert.deepEqual(
    readings.map((r) => r.reading),
    [1, 2, 3, 4, 5].map((k) => ({ metric: 'heart_rate', ts: T + k * 120_000, value: 38, periodS: 120 })),
  );
  assert.equal(bridge.stats().averaged, 601);
});

test('the same heart-rate frame from a Vigie bracelet (vendor service offered) is its firmware\'s 2-minute mean, published at once', async () => {
  const { ble, readings } = await setup();
  ble.emit('connected', { deviceId: BRACELET, name: 'Vigie Bracelet', services: [S.heartRate, S.pulseOximeter, S.battery, S.vigie] });
  ble.emit('notification', { deviceId: BRACELET, service: S.heartRate, characteristic: C.heartRateMeasurement, data: Buffer.from(encodeHeartRateMeasurement({ bpm: 38, contact: 'detected' })), receivedAt: T });
  assert.deepEqual(readings, [{ v: 1, braceletId: BRACELET, reading: { metric: 'heart_rate', ts: T, value: 38, periodS: 120 } }]);
});

test('a device first taken for third-party that sends on the vendor service is a bracelet from then on', async () => {
  const { ble, readings } = await setup();
  ble.emit('connected', { deviceId: BRACELET, name: 'Vigie Bracelet', services: [S.heartRate] }); // an adapter that saw only part of the table
  ble.emit('notification', { deviceId: BRACELET, service: S.vigie, characteristic: C.vigieSteps, data: Buffer.from(encodeSteps({ count: 10, periodS: 1_800 })), receivedAt: T });
  ble.emit('notification', { deviceId: BRACELET, service: S.heartRate, characteristic: C.heartRateMeasurement, data: Buffer.from(encodeHeartRateMeasurement({ bpm: 70, contact: 'detected' })), receivedAt: T + 1 });
  assert.deepEqual(readings.map((r) => r.reading.metric), ['steps', 'heart_rate']);
});

test('a strap off the chest most of the window publishes nothing (poor contact), and counts the window', async () => {
  const { ble, bridge, readings, strapSeconds } = await setup();
  ble.emit('connected', { deviceId: STRAP, name: 'HRM-Strap 42', services: [S.heartRate] });
  strapSeconds(0, [...Array.from({ length: 70 }, () => 'no_contact' as const), ...Array.from({ length: 51 }, () => 72)]);
  assert.deepEqual(readings, []);
  assert.equal(bridge.stats().windowsWithoutMean, 1);
});

test('seconds without a notification count as missing; a gap of a whole window restarts it; a disconnection too', async () => {
  const { ble, readings, strapSeconds } = await setup();
  ble.emit('connected', { deviceId: STRAP, name: 'HRM-Strap 42', services: [S.heartRate] });
  // 80 s of values, 40 s silent, then the window closes at 121 s: 80 valid seconds ≥ half: a mean (at the end of second 119).
  strapSeconds(0, Array.from({ length: 80 }, () => 90));
  strapSeconds(120, [90]);
  assert.deepEqual(readings.map((r) => r.reading.value), [90]);
  // An hour of silence, then 50 s and a disconnection, then 119 s: no window may mix them.
  strapSeconds(3_720, Array.from({ length: 50 }, () => 150));
  ble.emit('disconnected', { deviceId: STRAP, reason: 'link closed' });
  strapSeconds(3_800, Array.from({ length: 120 }, () => 60));
  assert.deepEqual(readings.map((r) => r.reading.value), [90]);
  strapSeconds(3_920, [60]);
  assert.deepEqual(readings.map((r) => r.reading), [
    { metric: 'heart_rate', ts: T + 120_000, value: 90, periodS: 120 },
    { metric: 'heart_rate', ts: T + 3_920_000, value: 60, periodS: 120 },
  ]);
});

test('an oximeter that flags its sensor unconnected for most of 5 minutes yields no SpO2 mean, and 5 clean minutes at 86 % yield one 86 % mean (what the hypoxemia rule reads)', async () => {
  const { ble, readings } = await setup();
  const OX = 'a4:c1:38:00:00:03';
  ble.emit('connected', { deviceId: OX, name: 'PO3 Oximeter', services: [S.pulseOximeter, S.battery] });
  const send = (second: number, spo2: number, status: number) =>
    ble.emit('notification', {
      deviceId: OX,
      service: S.pulseOximeter,
      characteristic: C.plxContinuousMeasurement,
      data: Buffer.from(encodePlxContinuousMeasurement({ normal: { spo2, pulseRate: 80 }, deviceAndSensorStatus: status })),
      receivedAt: T + second * 1_000,
    });
  for (let s = 0; s < 300; s++) send(s, 97, s < 200 ? PlxDeviceSensorStatus.sensorUnconnectedToUser : 0);
  for (let s = 300; s <= 600; s++) send(s, 86, 0);
  assert.deepEqual(readings.map((r) => r.reading), [{ metric: 'spo2', ts: T + 600_000, value: 86, periodS: 300 }]);
});

test('PerSecondWindow keeps the last sample of a second and never counts a second twice when the clock goes back', () => {
  const w = new PerSecondWindow(createHeartRateMeter, 120);
  const out = [];
  for (let s = 0; s < 120; s++) {
    out.push(...w.add(T + s * 1_000, heartRateSecond(200, 'detected')));
    out.push(...w.add(T + s * 1_000 + 900, heartRateSecond(60, 'detected')));
    out.push(...w.add(T + s * 1_000 - 5_000, heartRateSecond(60, 'detected')));
  }
  out.push(...w.add(T + 120_000, heartRateSecond(60, 'detected')));
  assert.deepEqual(out, [{ mean: { value: 60, quality: 'ok', validSeconds: 120 }, endMs: T + 120_000 }]);
});
