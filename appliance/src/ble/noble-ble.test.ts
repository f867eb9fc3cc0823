import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, silentLogger } from '@vigie/common';
import { BraceletSimulator, type GattNotification } from '@vigie/bracelet';
import {
  encodeEmergency,
  encodeHeartRateMeasurement,
  encodePlxContinuousMeasurement,
  encodeSteps,
  encodeWorn,
  GattCharacteristic as C,
  GattService as S,
  PlxDeviceSensorStatus,
  topics,
} from '@vigie/protocol';
import { BleBridge } from './bridge.ts';
import { chestStrapSpec, impostorSpec, keyboardSpec, oximeterSpec, vigieBraceletSpec } from './fake-ble-devices.ts';
import { FakeRadio, nobleUuid } from './fake-noble-bindings.ts';
import { NobleBle, type NobleBleOptions } from './noble-ble.ts';
import { blePortSuite, nextEvent, type BlePortFixture } from './ble-port-suite.ts';
import type { BleConnected, BleNotification } from './port.ts';
import type { Schedule } from './simulated-ble.ts';

const BRACELET = 'c0:ff:ee:00:00:01';
const OTHER_BRACELET = 'c0:ff:ee:00:00:02';
const STRAP = 'e4:5f:01:aa:bb:01';
const OXIMETER = 'a4:c1:38:00:00:03';
const KEYBOARD = 'dc:2c:26:00:00:04';
const IMPOSTOR = '12:34:56:78:9a:bc';
const T = 1_767_600_000_000;

/** Deadlines far longer than any backoff, so tests tell the two kinds of timer apart. */
const CONNECT_MS = 99_000;
const GATT_MS = 98_000;

/** Timers the test fires by hand: nothing sleeps. */
class ManualTimers {
  readonly timers: { fn: () => void; ms: number; state: 'pending' | 'fired' | 'cancelled' }[] = [];
  readonly schedule: Schedule = (fn, ms) => {
    const timer = { fn, ms, state: 'pending' as 'pending' | 'fired' | 'cancelled' };
    this.timers.push(timer);
    return () => {
      if (timer.state === 'pending') timer.state = 'cancelled';
    };
  };
  pending(kind: 'retry' | 'connect' | 'gatt' = 'retry') {
    const ms = (t: { ms: number }) => (kind === 'connect' ? t.ms === CONNECT_MS : kind === 'gatt' ? t.ms === GATT_MS : t.ms < GATT_MS);
    return this.timers.filter((t) => t.state === 'pending' && ms(t));
  }
  /** Delays of every retry timer scheduled so far, in order. */
  retryDelays(): number[] {
    return this.timers.filter((t) => t.ms < GATT_MS).map((t) => t.ms);
  }
  fire(kind: 'retry' | 'connect' = 'retry'): void {
    const [timer, ...more] = this.pending(kind);
    assert.ok(timer && more.length === 0, `exactly one pending ${kind} timer`);
    timer.state = 'fired';
    timer.fn();
  }
}

/** Wait (turn by turn, bounded) until `condition` holds. */
async function until(condition: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setImmediate(resolve));
  }
}

function captureLogs() {
  const logs: Record<string, unknown>[] = [];
  const log = createLogger('test', { level: 'debug' }, new Writable({ write: (chunk: Buffer, _enc, done) => (logs.push(JSON.parse(chunk.toString())), done()) }));
  return { log, logs };
}

function adapter(radio: FakeRadio, options: Partial<NobleBleOptions> = {}): NobleBle {
  return new NobleBle({
    log: silentLogger(),
    createNoble: () => radio.createNoble(),
    clock: () => T,
    random: () => 0.5,
    timeouts: { connectMs: CONNECT_MS, gattMs: GATT_MS },
    ...options,
  });
}

const subscriptions = (radio: FakeRadio) => radio.callsOf('notify').filter((c) => c.enable).map((c) => `${c.service}/${c.characteristic}`).sort();
const pair = (service: string, characteristic: string) => `${nobleUuid(service)}/${nobleUuid(characteristic)}`;

/** A real BraceletSimulator behind fake noble bindings: its notifications become GATT notifications. */
async function nobleFixture(): Promise<BlePortFixture> {
  const radio = new FakeRadio();
  const bracelet = new BraceletSimulator({ deviceId: BRACELET, schedule: () => () => {} });
  const device = radio.add(vigieBraceletSpec(BRACELET));
  const forward = (n: GattNotification) => void device.notify(n.service, n.characteristic, n.data);
  for (const n of bracelet.currentState()) forward(n);
  bracelet.on('notification', forward);
  await bracelet.start();
  const port = new NobleBle({ log: silentLogger(), createNoble: () => radio.createNoble(), backoff: { initialMs: 10, maxMs: 50 } });
  await port.start();
  return {
    port,
    bracelet,
    takeBraceletAway: async () => radio.takeAway(device),
    async cleanup() {
      await port.stop();
      bracelet.off('notification', forward);
      await bracelet.stop();
    },
  };
}

blePortSuite('noble over fake bindings', nobleFixture);

test('subscribes to every known characteristic of a Vigie bracelet, reads battery and worn once, and leaves the rest alone', async () => {
  const radio = new FakeRadio();
  const device = radio.add(vigieBraceletSpec(BRACELET, { battery: 77, worn: false }));
  const port = adapter(radio);
  try {
    const battery = nextEvent(port, 'notification', (n) => n.characteristic === C.batteryLevel);
    const worn = nextEvent(port, 'notification', (n) => n.characteristic === C.vigieWorn);
    await port.start();
    const [connected] = await nextEvent(port, 'connected');
    assert.deepEqual(connected, { deviceId: BRACELET, name: 'Vigie Bracelet', services: ['1800', '180a', S.heartRate, S.pulseOximeter, S.battery, S.vigie] });
    assert.deepEqual([...(await battery)[0].data], [77]);
    assert.deepEqual([...(await worn)[0].data], [...encodeWorn(false)]);
    assert.deepEqual(
      subscriptions(radio),
      [pair(S.heartRate, C.heartRateMeasurement), pair(S.pulseOximeter, C.plxContinuousMeasurement), pair(S.battery, C.batteryLevel), pair(S.vigie, C.vigieSteps), pair(S.vigie, C.vigieEmergency), pair(S.vigie, C.vigieWorn)].sort(),
    );
    assert.deepEqual(radio.callsOf('read').map((c) => `${c.service}/${c.characteristic}`).sort(), [pair(S.battery, C.batteryLevel), pair(S.vigie, C.vigieWorn)].sort());
    const discovered = radio.callsOf('discoverCharacteristics').map((c) => c.service).sort();
    assert.deepEqual(discovered, [S.heartRate, S.pulseOximeter, S.battery, nobleUuid(S.vigie)].sort(), 'Generic Access and Device Information are not explored');

    const steps = nextEvent(port, 'notification', (n) => n.characteristic === C.vigieSteps);
    device.notify(S.vigie, C.vigieSteps, encodeSteps({ count: 412, periodS: 1_800 }));
    const [n] = await steps;
    assert.deepEqual(n, { deviceId: BRACELET, service: S.vigie, characteristic: C.vigieSteps, data: Buffer.from(encodeSteps({ count: 412, periodS: 1_800 })), receivedAt: T });
  } finally {
    await port.stop();
  }
});

/** A BleBridge on `port`, collecting what it publishes. */
async function bridgeOn(port: NobleBle) {
  const published: { topic: string; payload: Record<string, unknown> }[] = [];
  const bridge = new BleBridge({ ble: port, publish: async (topic, payload) => void published.push({ topic, payload: payload as Record<string, unknown> }), clock: () => T, log: silentLogger() });
  await bridge.start();
  return { bridge, published };
}

test('feeds the box from a third-party chest strap that has only the Heart Rate Service: its per-second values become 2-minute means', async () => {
  const radio = new FakeRadio();
  const strap = radio.add(chestStrapSpec(STRAP));
  let now = T;
  const port = adapter(radio, { clock: () => now });
  const { bridge, published } = await bridgeOn(port);
  try {
    await port.start();
    const [connected] = await nextEvent(port, 'connected');
    assert.deepEqual(connected, { deviceId: STRAP, name: 'HRM-Strap 42', services: ['1800', S.heartRate, '180a'] });
    await until(() => strap.subscribed.size === 1, 'the heart-rate subscription');
    assert.deepEqual(subscriptions(radio), [pair(S.heartRate, C.heartRateMeasurement)]);
    // A strap notifies once a second (its usual frame: uint8 bpm, contact detected, RR intervals):
    // the box averages two minutes of them, as a bracelet's firmware does, before the rules see one.
    for (let i = 0; i <= 120; i++) {
      now = T + i * 1_000;
      const hr = nextEvent(port, 'notification');
      strap.notify(S.heartRate, C.heartRateMeasurement, encodeHeartRateMeasurement({ bpm: i % 2 === 0 ? 63 : 65, contact: 'detected', rrIntervalsMs: [937, 941] }));
      await hr;
      if (i < 120) assert.equal(published.filter((p) => p.topic === topics.reading(STRAP)).length, 0, 'no reading before the 2-minute window ends');
    }
    await until(() => published.some((p) => p.topic === topics.reading(STRAP)), 'the published reading');
    const readings = published.filter((p) => p.topic === topics.reading(STRAP)).map((p) => p.payload.reading);
    assert.deepEqual(readings, [{ metric: 'heart_rate', ts: T + 120_000, value: 64, periodS: 120 }]);
  } finally {
    await port.stop();
    await bridge.stop();
  }
});

test('feeds the box from an off-the-shelf oximeter, reading its battery that it does not notify: 5-minute SpO2 means without its moving seconds', async () => {
  const radio = new FakeRadio();
  const oximeter = radio.add(oximeterSpec(OXIMETER, 62));
  let now = T;
  const port = adapter(radio, { clock: () => now });
  const { bridge, published } = await bridgeOn(port);
  try {
    const battery = nextEvent(port, 'notification', (n) => n.characteristic === C.batteryLevel);
    await port.start();
    await nextEvent(port, 'connected');
    assert.deepEqual([...(await battery)[0].data], [62]);
    await until(() => oximeter.subscribed.size === 1, 'the PLX subscription');
    assert.deepEqual(subscriptions(radio), [pair(S.pulseOximeter, C.plxContinuousMeasurement)]);
    // Five minutes of per-second values; the first minute the finger moves (the oximeter says so):
    // those seconds are left out of the mean, as a bracelet leaves out its moving seconds.
    for (let i = 0; i <= 300; i++) {
      now = T + i * 1_000;
      const moving = i < 60;
      const frame = encodePlxContinuousMeasurement({ normal: { spo2: moving ? 80 : 94, pulseRate: 71 }, deviceAndSensorStatus: moving ? PlxDeviceSensorStatus.erraticSignalDetected : 0 });
      const n = nextEvent(port, 'notification', (x) => x.characteristic === C.plxContinuousMeasurement);
      oximeter.notify(S.pulseOximeter, C.plxContinuousMeasurement, frame);
      await n;
    }
    await until(() => published.some((p) => (p.payload.reading as { metric?: string } | undefined)?.metric === 'spo2'), 'the SpO2 reading');
    const spo2 = published.filter((p) => (p.payload.reading as { metric?: string } | undefined)?.metric === 'spo2');
    assert.equal(spo2.length, 1);
    assert.equal(spo2[0]!.topic, topics.reading(OXIMETER));
    assert.deepEqual(spo2[0]!.payload.reading, { metric: 'spo2', ts: T + 300_000, value: 94, periodS: 300 });
  } finally {
    await port.stop();
    await bridge.stop();
  }
});

test('never connects to a device that advertises none of the sensor services', async () => {
  const radio = new FakeRadio();
  radio.add(keyboardSpec(KEYBOARD));
  const port = adapter(radio);
  try {
    await port.start();
    await until(() => radio.callsOf('startScanning').length === 1, 'the scan');
    await radio.settled(); // the keyboard's advert is delivered and passed by
    assert.equal(radio.callsOf('connect').length, 0);
    const strap = radio.add(chestStrapSpec(STRAP));
    const [connected] = await nextEvent(port, 'connected');
    assert.equal(connected.deviceId, STRAP);
    assert.deepEqual(radio.callsOf('connect').map((c) => c.id), [strap.id]);
  } finally {
    await port.stop();
  }
});

test('connects only to the configured bracelet address among several devices, even one that advertises no service', async () => {
  const radio = new FakeRadio();
  radio.add(vigieBraceletSpec(OTHER_BRACELET));
  radio.add(chestStrapSpec(STRAP));
  const paired = radio.add(vigieBraceletSpec(BRACELET, { advertise: false }));
  const port = adapter(radio, { braceletAddress: BRACELET.toUpperCase() });
  try {
    await port.start();
    const [connected] = await nextEvent(port, 'connected');
    assert.equal(connected.deviceId, BRACELET);
    assert.deepEqual(radio.callsOf('connect').map((c) => c.id), [paired.id]);
  } finally {
    await port.stop();
  }
});

test('reconnects after link loss by scanning again after a backoff, and reports both transitions', async () => {
  const radio = new FakeRadio();
  const device = radio.add(vigieBraceletSpec(BRACELET));
  const timers = new ManualTimers();
  const port = adapter(radio, { schedule: timers.schedule, backoff: { initialMs: 100, maxMs: 400 } });
  try {
    await port.start();
    await nextEvent(port, 'connected');
    await until(() => radio.callsOf('read').length === 2, 'the initial reads');
    const disconnected = nextEvent(port, 'disconnected');
    radio.takeAway(device);
    assert.deepEqual((await disconnected)[0], { deviceId: BRACELET, reason: 'link lost (supervision timeout)' });
    assert.deepEqual(timers.pending().map((t) => t.ms), [75], '100 ms ceiling, jittered to 75 %');

    timers.fire();
    await until(() => radio.callsOf('startScanning').length === 2, 'the new scan');
    const reconnected = nextEvent(port, 'connected');
    radio.bringBack(device);
    assert.equal((await reconnected)[0].deviceId, BRACELET);
    const emergency = nextEvent(port, 'notification', (n) => n.characteristic === C.vigieEmergency);
    await until(() => device.subscribed.size === 6, 'the subscriptions of the new link');
    device.notify(S.vigie, C.vigieEmergency, encodeEmergency({ event: 'fall', seq: 298, confidence: 87 }));
    assert.equal((await emergency)[0].deviceId, BRACELET);
  } finally {
    await port.stop();
  }
});

test('backs off exponentially with jitter up to the cap while connections fail, and starts over once a link is up', async () => {
  const radio = new FakeRadio();
  const device = radio.add({ ...vigieBraceletSpec(BRACELET), connectHangs: true });
  const timers = new ManualTimers();
  const { log, logs } = captureLogs();
  const port = adapter(radio, { log, schedule: timers.schedule, backoff: { initialMs: 100, maxMs: 400 } });
  try {
    await port.start();
    for (let attempt = 1; attempt <= 4; attempt++) {
      if (attempt > 1) timers.fire();
      await until(() => timers.pending('connect').length === 1, `connection attempt ${attempt}`);
      timers.fire('connect'); // the device never answers
      await until(() => timers.pending().length === 1, `retry ${attempt}`);
    }
    assert.deepEqual(timers.retryDelays(), [75, 150, 300, 300], 'ceilings 100, 200, 400, 400 (capped), jittered to 75 %');
    assert.equal(radio.callsOf('cancelConnect').length, 4);
    assert.equal(radio.callsOf('startScanning').length, 4, 'each attempt starts from a scan');
    assert.ok(logs.some((l) => l.code === 'BOX_BLE_LINK_FAILED' && l.stage === 'connect'));

    device.connectHangs = false;
    const connected = nextEvent(port, 'connected');
    timers.fire();
    await connected;
    await until(() => radio.callsOf('read').length === 2, 'the initial reads');
    const disconnected = nextEvent(port, 'disconnected');
    radio.takeAway(device);
    await disconnected;
    assert.equal(timers.retryDelays().at(-1), 75, 'a link that came up resets the backoff');
  } finally {
    await port.stop();
  }
});

test('reports the adapter powered off as a catalogued error and reconnects once it is powered on again', async () => {
  const radio = new FakeRadio();
  radio.add(vigieBraceletSpec(BRACELET));
  const timers = new ManualTimers();
  const port = adapter(radio, { schedule: timers.schedule });
  try {
    const on = nextEvent(port, 'adapter', (s) => s.state === 'poweredOn');
    await port.start();
    assert.equal((await on)[0].error, null);
    await nextEvent(port, 'connected');
    await until(() => radio.callsOf('read').length === 2, 'the initial reads');

    const off = nextEvent(port, 'adapter', (s) => s.state === 'poweredOff');
    const disconnected = nextEvent(port, 'disconnected');
    radio.setPower('poweredOff');
    assert.equal((await disconnected)[0].reason, 'adapter hardware failure');
    const [status] = await off;
    assert.equal(status.error?.code, 'BOX_BLE_POWERED_OFF');
    assert.deepEqual(port.adapterStatus, status);
    assert.equal(timers.pending().length, 0, 'no retry while the controller is off');
    const scans = radio.callsOf('startScanning').length;

    const reconnected = nextEvent(port, 'connected');
    radio.setPower('poweredOn');
    assert.equal((await reconnected)[0].deviceId, BRACELET);
    assert.equal(port.adapterStatus.error, null);
    assert.equal(radio.callsOf('startScanning').length, scans + 1);
  } finally {
    await port.stop();
  }
});

test('disconnects and ignores a device that has none of the known characteristics, then connects a real sensor', async () => {
  const radio = new FakeRadio();
  const impostor = radio.add(impostorSpec(IMPOSTOR));
  const strap = radio.add(chestStrapSpec(STRAP));
  const timers = new ManualTimers();
  const { log, logs } = captureLogs();
  const port = adapter(radio, { log, schedule: timers.schedule });
  const connected: BleConnected[] = [];
  port.on('connected', (c) => connected.push(c));
  try {
    await port.start();
    await until(() => timers.pending().length === 1, 'the retry after the impostor');
    assert.deepEqual(radio.callsOf('disconnect').map((c) => c.id), [impostor.id]);
    const warning = logs.find((l) => l.code === 'BOX_BLE_NO_KNOWN_CHARACTERISTIC');
    assert.equal(warning?.deviceId, IMPOSTOR);
    timers.fire();
    await nextEvent(port, 'connected');
    assert.deepEqual(connected.map((c) => c.deviceId), [STRAP], 'the impostor was never reported connected');
    assert.deepEqual(radio.callsOf('connect').map((c) => c.id), [impostor.id, strap.id]);
  } finally {
    await port.stop();
  }
});

test('passes a garbage notification through; the bridge rejects it and the link stays up', async () => {
  const radio = new FakeRadio();
  const device = radio.add(vigieBraceletSpec(BRACELET));
  const port = adapter(radio);
  const { bridge, published } = await bridgeOn(port);
  let disconnects = 0;
  port.on('disconnected', () => disconnects++);
  try {
    await port.start();
    await nextEvent(port, 'connected');
    await until(() => device.subscribed.size === 6, 'the subscriptions');
    const garbage = nextEvent(port, 'notification', (n) => n.characteristic === C.heartRateMeasurement);
    device.notify(S.heartRate, C.heartRateMeasurement, Uint8Array.of(0x01, 0x48)); // uint16 flag, one byte
    assert.deepEqual([...(await garbage)[0].data], [0x01, 0x48]);
    assert.equal(bridge.stats().decodeErrors, 1);

    device.notify(S.heartRate, C.heartRateMeasurement, encodeHeartRateMeasurement({ bpm: 70, contact: 'detected' }));
    await until(() => published.some((p) => (p.payload.reading as { metric?: string } | undefined)?.metric === 'heart_rate'), 'the next valid reading');
    assert.equal(disconnects, 0);
  } finally {
    await port.stop();
    await bridge.stop();
  }
});

test('stop while scanning stops the scan and noble, and emits nothing more', async () => {
  const radio = new FakeRadio();
  const port = adapter(radio);
  await port.start();
  await until(() => radio.callsOf('startScanning').length === 1, 'the scan');
  await port.stop();
  assert.equal(radio.callsOf('stopScanning').length, 1);
  assert.equal(radio.callsOf('stop').length, 1);
  let events = 0;
  port.on('connected', () => events++);
  radio.add(vigieBraceletSpec(BRACELET));
  await radio.settled();
  assert.equal(events, 0);
  assert.equal(radio.callsOf('connect').length, 0);
});

test('stop disconnects the bracelet, cancels a pending retry, and can start again', async () => {
  const radio = new FakeRadio();
  const device = radio.add(vigieBraceletSpec(BRACELET));
  const timers = new ManualTimers();
  const port = adapter(radio, { schedule: timers.schedule });
  try {
    await port.start();
    await nextEvent(port, 'connected');
    const stopped = nextEvent(port, 'disconnected');
    await port.stop();
    assert.deepEqual((await stopped)[0], { deviceId: BRACELET, reason: 'stopped' });
    assert.deepEqual(radio.callsOf('disconnect').map((c) => c.id), [device.id]);
    const received: BleNotification[] = [];
    port.on('notification', (n) => received.push(n));
    device.notify(S.vigie, C.vigieEmergency, encodeEmergency({ event: 'manual_help', seq: 299, confidence: 100 }));
    await radio.settled();
    assert.equal(received.length, 0);

    await port.start(); // a fresh noble instance on fresh bindings
    await nextEvent(port, 'connected');
    radio.takeAway(device);
    await until(() => timers.pending().length === 1, 'the retry');
    await port.stop();
    assert.equal(timers.pending().length, 0, 'the retry was cancelled');
    assert.equal(timers.pending('gatt').length + timers.pending('connect').length, 0, 'no deadline left behind');
  } finally {
    await port.stop();
  }
});

test('stop while noble is still loading leaves it stopped and unused', async () => {
  const radio = new FakeRadio();
  radio.add(vigieBraceletSpec(BRACELET));
  let release!: () => void;
  const loaded = new Promise<void>((resolve) => (release = resolve));
  const port = adapter(radio, {
    createNoble: async () => {
      await loaded;
      return radio.createNoble();
    },
  });
  const starting = port.start();
  await port.stop();
  release();
  await starting;
  await radio.settled();
  assert.deepEqual(radio.calls.map((c) => c.op), ['stop'], 'noble stopped at once, never started nor scanning');
});

test('reports BOX_BLE_UNAVAILABLE when noble cannot be loaded, and start still resolves', async () => {
  const port = new NobleBle({
    log: silentLogger(),
    createNoble: () => {
      throw new Error('Cannot find module bluetooth_hci_socket.node');
    },
  });
  const status = nextEvent(port, 'adapter');
  await port.start();
  const [s] = await status;
  assert.equal(s.state, 'unavailable');
  assert.equal(s.error?.code, 'BOX_BLE_UNAVAILABLE');
  assert.match(String((s.error?.cause as Error).message), /bluetooth_hci_socket/);
  await port.stop();
});
