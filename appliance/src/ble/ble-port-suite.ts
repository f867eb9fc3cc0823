import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GattCharacteristic, GattService } from '@vigie/protocol';
import type { BleNotification, BlePort, BlePortEvents } from './port.ts';

/**
 * What the suite asks of the bracelet at the far end. The adapter tests pass the bracelet
 * simulator (`@vigie/bracelet`), which has this shape; the suite itself, in src/, does not import
 * it, so the box's source depends on the bracelet package only through its tests.
 */
export interface SuiteBracelet {
  readonly deviceId: string;
  /** Make the bracelet report a fall (an emergency notification). */
  injectFall(): void;
}

/**
 * The test suite every {@link BlePort} adapter must pass (imported by adapter tests only). Each
 * adapter supplies a fixture: the port under test, connected to a real bracelet simulator through
 * the strongest stand-in it has (the radio socket for the simulated adapter; fake noble bindings
 * fed by the simulator's `notification` events for the noble adapter).
 */
export interface BlePortFixture {
  readonly port: BlePort;
  readonly bracelet: SuiteBracelet;
  /** Take the bracelet out of range (the link must drop). */
  takeBraceletAway(): Promise<void>;
  /** Stop everything and remove temporary files. */
  cleanup(): Promise<void>;
}

const TIMEOUT_MS = 3_000;

/** The next `event` from `port` matching `predicate`; rejects after a few seconds. */
export function nextEvent<K extends keyof BlePortEvents>(
  port: BlePort,
  event: K,
  predicate: (...args: BlePortEvents[K]) => boolean = () => true,
): Promise<BlePortEvents[K]> {
  return new Promise((resolve, reject) => {
    // The cast bridges EventEmitter's generic listener type to this one event's arguments.
    const listener = ((...args: BlePortEvents[K]) => {
      if (!predicate(...args)) return;
      clearTimeout(timer);
      port.off(event, listener as never);
      resolve(args);
    }) as never;
    const timer = setTimeout(() => {
      port.off(event, listener);
      reject(new Error(`no matching "${event}" event within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    port.on(event, listener);
  });
}

const isCharacteristic = (characteristic: string) => (n: BleNotification) => n.characteristic === characteristic;

/** Register the shared BlePort tests for one adapter. `setup` returns a started fixture. */
export function blePortSuite(adapter: string, setup: () => Promise<BlePortFixture>): void {
  test(`${adapter}: reports the bracelet connected, then its battery and worn status, with normalised UUIDs`, async () => {
    const fixture = await setup();
    try {
      const battery = nextEvent(fixture.port, 'notification', isCharacteristic(GattCharacteristic.batteryLevel));
      const worn = nextEvent(fixture.port, 'notification', isCharacteristic(GattCharacteristic.vigieWorn));
      const [connected] = await nextEvent(fixture.port, 'connected');
      assert.deepEqual({ deviceId: connected.deviceId, name: connected.name }, { deviceId: fixture.bracelet.deviceId, name: 'Vigie Bracelet' });
      assert.ok(connected.services.includes(GattService.vigie), 'a Vigie bracelet is known by its vendor service');
      const [b] = await battery;
      assert.equal(b.deviceId, fixture.bracelet.deviceId);
      assert.equal(b.service, GattService.battery);
      assert.ok(Buffer.isBuffer(b.data) && b.data.length === 1);
      assert.ok(Number.isInteger(b.receivedAt) && b.receivedAt > 0);
      const [w] = await worn;
      assert.equal(w.service, GattService.vigie);
    } finally {
      await fixture.cleanup();
    }
  });

  test(`${adapter}: delivers an emergency from the bracelet as a notification`, async () => {
    const fixture = await setup();
    try {
      await nextEvent(fixture.port, 'connected');
      const emergency = nextEvent(fixture.port, 'notification', isCharacteristic(GattCharacteristic.vigieEmergency));
      fixture.bracelet.injectFall();
      const [n] = await emergency;
      assert.equal(n.data[1], 1, 'kind byte: fall');
    } finally {
      await fixture.cleanup();
    }
  });

  test(`${adapter}: reports the link down when the bracelet goes away`, async () => {
    const fixture = await setup();
    try {
      await nextEvent(fixture.port, 'connected');
      const disconnected = nextEvent(fixture.port, 'disconnected');
      await fixture.takeBraceletAway();
      const [d] = await disconnected;
      assert.equal(d.deviceId, fixture.bracelet.deviceId);
      assert.ok(d.reason.length > 0);
    } finally {
      await fixture.cleanup();
    }
  });

  test(`${adapter}: emits nothing after stop`, async () => {
    const fixture = await setup();
    try {
      await nextEvent(fixture.port, 'connected');
      await fixture.port.stop();
      let emitted = 0;
      const count = () => emitted++;
      fixture.port.on('notification', count);
      fixture.bracelet.injectFall();
      await new Promise((resolve) => setTimeout(resolve, 50));
      fixture.port.off('notification', count);
      assert.equal(emitted, 0);
    } finally {
      await fixture.cleanup();
    }
  });
}
