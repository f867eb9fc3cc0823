import { EventEmitter } from 'node:events';
import { createRequire } from 'node:module';
import type { AdapterState, Characteristic, DisconnectReason, HciBindingsOptions, Noble, Peripheral } from '@stoprocent/noble';
import type { Logger } from '@vigie/common';
import type { NotifiedCharacteristic } from '@vigie/protocol';
import { bleErrors } from './errors.ts';
import {
  adapterStateError,
  addressKey,
  advertisedSensorService,
  backoffDelay,
  describeDisconnect,
  deviceIdOf,
  READ_ONCE_KINDS,
  tryNormalizeUuid,
  wantedCharacteristics,
  withDeadline,
} from './noble-support.ts';
import type { BleAdapterState, BleAdapterStatus, BleNotification, BlePort, BlePortEvents } from './port.ts';
import type { Schedule } from './simulated-ble.ts';

const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

/** Options of {@link NobleBle}; everything but `log` has a default fit for a box. */
export interface NobleBleOptions {
  readonly log: Logger;
  /**
   * The paired bracelet's address (`C0:FF:EE:00:00:01`, any case; noble's id on macOS). Set: only
   * that device is connected. Unset: the first device advertising the Heart Rate, Pulse Oximeter or
   * Vigie service (a bench or a demo; a patient's box is always paired).
   */
  readonly braceletAddress?: string;
  /** Builds the noble instance. Default: `@stoprocent/noble` with its platform bindings (HCI on Linux). */
  readonly createNoble?: () => Noble | Promise<Noble>;
  /** Options of noble's HCI bindings for the default `createNoble` (e.g. `{ deviceId: 1 }`). */
  readonly hci?: HciBindingsOptions;
  /** Epoch milliseconds, stamped on each notification. Default `Date.now`. */
  readonly clock?: () => number;
  readonly schedule?: Schedule;
  /** [0, 1), for the backoff's jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** Reconnection delays: `initialMs` doubling up to `maxMs`, each jittered to 50–100 %. Default 500 ms … 30 s. */
  readonly backoff?: { readonly initialMs?: number; readonly maxMs?: number };
  /** Longest wait for a connection, and for each GATT request. Default 15 s and 10 s. */
  readonly timeouts?: { readonly connectMs?: number; readonly gattMs?: number };
}

/** `idle`: nothing under way (adapter not on, or between steps); `waiting`: a retry is scheduled. */
type Phase = 'idle' | 'scanning' | 'link' | 'waiting';

/** One connection to one device, from the connect request until it is dropped. */
interface Link {
  readonly peripheral: Peripheral;
  readonly deviceId: string;
  readonly name: string;
  /** `connected` was emitted, so `disconnected` must be. */
  announced: boolean;
  /** Values received between the first subscription and `connected`, delivered right after it. */
  readonly early: BleNotification[];
  readonly cleanups: (() => void)[];
}

interface Found extends NotifiedCharacteristic {
  readonly handle: Characteristic;
}

/**
 * A noble instance over `bindings`: noble's `Noble` class with a bindings object of your own (the
 * fake bindings of the tests, or one built by hand). Kept here so this file stays the only one that
 * loads noble. `lib/noble.js` is not in noble's documented API (noble 2.8 has no `exports` map, so
 * the path resolves); if a release hides it, the fake-bindings tests fail at once.
 */
export function nobleWithBindings(bindings: EventEmitter): Noble {
  const NobleClass = createRequire(import.meta.url)('@stoprocent/noble/lib/noble.js') as new (bindings: unknown) => Noble;
  return new NobleClass(bindings);
}

async function loadDefaultNoble(hci: HciBindingsOptions | undefined): Promise<Noble> {
  // Imported here, not at the top: a box (or a laptop) without Bluetooth must still load this file.
  const noble = await import('@stoprocent/noble');
  return noble.withBindings('default', hci ?? {});
}

/**
 * The real BLE adapter, on noble. Waits for the controller to be powered on, scans, connects to the
 * paired bracelet (or the first sensor found), subscribes to each characteristic of
 * `NOTIFIED_CHARACTERISTICS` the device has, reads battery and worn once, and reports raw values
 * as a {@link BlePort}. A lost link is re-established by scanning again after a capped, jittered
 * exponential backoff. Controller states are reported on the `adapter` event (with a `BOX_BLE_*`
 * error when no bracelet can be reached); nothing ever throws out of it.
 */
export class NobleBle extends EventEmitter<BlePortEvents> implements BlePort {
  readonly name = 'ble-noble';
  readonly #log: Logger;
  readonly #target: string | undefined;
  readonly #createNoble: () => Noble | Promise<Noble>;
  readonly #clock: () => number;
  readonly #schedule: Schedule;
  readonly #random: () => number;
  readonly #initialDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #connectMs: number;
  readonly #gattMs: number;
  readonly #timers = new Set<() => void>();
  /** Peripheral ids connected once and found to offer nothing the box reads; skipped until restart. */
  readonly #ignored = new Set<string>();
  #noble: Noble | undefined;
  #running = false;
  #phase: Phase = 'idle';
  #link: Link | undefined;
  #attempt = 0;
  /** Bumped by each start() and stop(): a start() still loading noble when stopped must not go on. */
  #generation = 0;
  #status: BleAdapterStatus = { state: 'unknown', error: null };

  constructor(options: NobleBleOptions) {
    super();
    this.#log = options.log;
    this.#target = options.braceletAddress === undefined ? undefined : (addressKey(options.braceletAddress) ?? options.braceletAddress.toLowerCase());
    this.#createNoble = options.createNoble ?? (() => loadDefaultNoble(options.hci));
    this.#clock = options.clock ?? Date.now;
    this.#schedule = options.schedule ?? realSchedule;
    this.#random = options.random ?? Math.random;
    this.#initialDelayMs = options.backoff?.initialMs ?? 500;
    this.#maxDelayMs = options.backoff?.maxMs ?? 30_000;
    this.#connectMs = options.timeouts?.connectMs ?? 15_000;
    this.#gattMs = options.timeouts?.gattMs ?? 10_000;
  }

  /** The controller's last reported state. */
  get adapterStatus(): BleAdapterStatus {
    return this.#status;
  }

  /** Loads noble and starts listening; returns without waiting for a controller or a bracelet. */
  async start(): Promise<void> {
    if (this.#running) return;
    this.#running = true;
    const generation = ++this.#generation;
    this.#status = { state: 'unknown', error: null }; // the new noble instance will say
    this.#ignored.clear();
    this.#attempt = 0;
    let noble: Noble;
    try {
      noble = await this.#createNoble();
    } catch (err) {
      if (generation === this.#generation) this.#setStatus('unavailable', bleErrors.create('BOX_BLE_UNAVAILABLE', { cause: err }));
      return;
    }
    if (generation !== this.#generation) return stopNoble(noble, this.#log); // stopped while loading
    this.#noble = noble;
    noble.on('stateChange', this.#onStateChange);
    noble.on('discover', this.#onDiscover);
    noble.on('scanStop', this.#onScanStop);
    // The first stateChange listener makes noble start its bindings (next tick); an instance that
    // was already running reports no change, so ask.
    if (noble.state === 'poweredOn') this.#onStateChange('poweredOn');
  }

  async stop(): Promise<void> {
    if (!this.#running) return;
    this.#running = false;
    this.#generation++;
    this.#cancelTimers();
    const noble = this.#noble;
    const wasScanning = this.#phase === 'scanning';
    this.#noble = undefined;
    if (this.#link) this.#drop(this.#link, 'stopped', false);
    this.#phase = 'idle';
    if (!noble) return;
    noble.removeListener('stateChange', this.#onStateChange);
    noble.removeListener('discover', this.#onDiscover);
    noble.removeListener('scanStop', this.#onScanStop);
    if (wasScanning) noble.stopScanning(() => {});
    stopNoble(noble, this.#log);
  }

  readonly #onStateChange = (state: AdapterState): void => {
    if (!this.#running) return;
    this.#setStatus(state, adapterStateError(state));
    if (state === 'poweredOn') return this.#scan();
    // noble has already dropped its links (a `cleanup` disconnect); stop retrying until powered on.
    this.#cancelTimers();
    if (this.#link) this.#drop(this.#link, `adapter ${state}`, false);
    this.#phase = 'idle';
  };

  readonly #onScanStop = (): void => {
    // Scanning stopped under us (controller busy or reset): scan again, after a pause.
    if (this.#phase !== 'scanning') return;
    this.#phase = 'idle';
    this.#retry();
  };

  readonly #onDiscover = (peripheral: Peripheral): void => {
    if (this.#phase !== 'scanning' || !this.#noble) return;
    const why = this.#choose(peripheral);
    if (why === undefined) return;
    this.#phase = 'link';
    this.#log.info({ deviceId: deviceIdOf(peripheral), why }, 'BLE device found; connecting');
    this.#noble.stopScanning(() => {});
    void this.#connect(peripheral);
  };

  /** Why `peripheral` is the one to connect to, or undefined to pass it by. */
  #choose(peripheral: Peripheral): string | undefined {
    if (this.#ignored.has(peripheral.id)) return undefined;
    if (this.#target !== undefined) {
      const matches = addressKey(peripheral.address) === this.#target || peripheral.id.toLowerCase() === this.#target;
      return matches ? 'paired address' : undefined;
    }
    if (peripheral.connectable === false) return undefined;
    const service = advertisedSensorService(peripheral.advertisement);
    return service === undefined ? undefined : `advertises service ${service}`;
  }

  #scan(): void {
    const noble = this.#noble;
    if (!this.#running || !noble || this.#status.state !== 'poweredOn' || this.#phase !== 'idle') return;
    this.#phase = 'scanning';
    this.#log.debug({ target: this.#target ?? 'any sensor' }, 'BLE scanning');
    // No service filter: a paired bracelet is matched by address, whatever it advertises.
    noble.startScanning([], false, (err) => {
      if (!err || this.#phase !== 'scanning' || this.#noble !== noble) return;
      this.#log.warn({ err: err.message }, 'BLE scan could not start');
      this.#phase = 'idle';
      this.#retry();
    });
  }

  async #connect(peripheral: Peripheral): Promise<void> {
    const deviceId = deviceIdOf(peripheral);
    const link: Link = { peripheral, deviceId, name: peripheral.advertisement?.localName ?? '', announced: false, early: [], cleanups: [] };
    this.#link = link;
    const alive = () => this.#link === link;
    const later: Schedule = (fn, ms) => this.#later(fn, ms);
    let stage = 'connect';
    try {
      await withDeadline(peripheral.connectAsync(), this.#connectMs, later, 'connection');
      if (!alive()) return;
      const onDisconnect = (reason: DisconnectReason) => this.#drop(link, describeDisconnect(reason), true);
      peripheral.once('disconnect', onDisconnect);
      link.cleanups.push(() => peripheral.removeListener('disconnect', onDisconnect));

      stage = 'discover';
      const found: Found[] = [];
      const services = await withDeadline(peripheral.discoverServicesAsync([]), this.#gattMs, later, 'service discovery');
      if (!alive()) return;
      for (const service of services) {
        const wanted = wantedCharacteristics(tryNormalizeUuid(service.uuid) ?? '');
        if (wanted.length === 0) continue; // a service the box does not read
        const characteristics = await withDeadline(service.discoverCharacteristicsAsync([]), this.#gattMs, later, 'characteristic discovery');
        if (!alive()) return;
        for (const handle of characteristics) {
          const known = wanted.find((w) => w.characteristic === tryNormalizeUuid(handle.uuid));
          if (known) found.push({ ...known, handle });
        }
      }
      if (!alive()) return;
      if (found.length === 0) return this.#ignore(link, services.map((s) => s.uuid));

      // Listen before subscribing: a fall can be notified as soon as its subscription is written.
      for (const f of found) this.#listen(link, f);
      stage = 'subscribe';
      const subscribed = await this.#subscribeAll(link, found, later);
      if (!alive()) return;
      if (subscribed === 0 && !found.some((f) => READ_ONCE_KINDS.has(f.kind))) throw new Error('no subscription succeeded');

      // `connected` means values flow from now on; what came during the subscriptions follows it.
      link.announced = true;
      this.#attempt = 0; // the link is up: the next loss starts again from the shortest delay
      this.#log.info({ deviceId, characteristics: found.map((f) => f.kind), subscribed }, 'BLE device connected');
      const offered = services.map((x) => tryNormalizeUuid(x.uuid)).filter((u): u is string => u !== undefined);
      this.#emitSafely('connected', { deviceId, name: link.name, services: offered });
      for (const n of link.early.splice(0)) if (alive()) this.#emitSafely('notification', n);
      if (!alive()) return;
      stage = 'read';
      for (const f of found) {
        if (!READ_ONCE_KINDS.has(f.kind) || !f.handle.properties.includes('read')) continue;
        // The value arrives through the `data` listener like a notification; a failed read is not fatal.
        await withDeadline(f.handle.readAsync(), this.#gattMs, later, 'read').catch((err: Error) => {
          this.#log.debug({ deviceId, kind: f.kind, err: err.message }, 'BLE initial read failed');
        });
        if (!alive()) return;
      }
    } catch (err) {
      if (!alive()) return;
      const cause = err instanceof Error ? err.message : String(err);
      this.#log.warn({ code: 'BOX_BLE_LINK_FAILED', stage, deviceId, cause }, 'BLE link setup failed; will retry');
      this.#drop(link, `${stage} failed`, true);
    }
  }

  /** Subscribe to every notifying characteristic; returns how many succeeded. */
  async #subscribeAll(link: Link, found: readonly Found[], later: Schedule): Promise<number> {
    let subscribed = 0;
    for (const f of found) {
      const props = f.handle.properties;
      if (!props.includes('notify') && !props.includes('indicate')) continue; // e.g. a read-only Battery Level (BAS notify is optional)
      try {
        await withDeadline(f.handle.subscribeAsync(), this.#gattMs, later, 'subscription');
        subscribed++;
      } catch (err) {
        if (this.#link !== link) return subscribed;
        // One refused subscription must not cost the others (a strap's quirk, not a dead link).
        this.#log.warn({ code: 'BOX_BLE_LINK_FAILED', stage: 'subscribe', deviceId: link.deviceId, kind: f.kind, cause: (err as Error).message }, 'BLE subscription failed');
      }
    }
    return subscribed;
  }

  #listen(link: Link, f: Found): void {
    const onData = (data: Buffer, _isNotification: boolean, error?: unknown) => {
      // Reads and notifications both land here; a failed read carries an error and no data.
      if (this.#link !== link || error || !Buffer.isBuffer(data)) return;
      const { service, characteristic } = f;
      const n: BleNotification = { deviceId: link.deviceId, service, characteristic, data: Buffer.from(data), receivedAt: this.#clock() };
      if (link.announced) this.#emitSafely('notification', n);
      else link.early.push(n);
    };
    f.handle.on('data', onData);
    link.cleanups.push(() => f.handle.removeListener('data', onData));
  }

  /**
   * A device with nothing the box reads: disconnect, and look for another. An unpaired box skips it
   * until restart; the paired bracelet is never skipped (a half-done discovery must not lose the
   * patient's bracelet for good), only retried with the growing backoff.
   */
  #ignore(link: Link, services: readonly string[]): void {
    const paired = this.#target !== undefined;
    if (!paired) this.#ignored.add(link.peripheral.id);
    this.#log.warn(
      { code: 'BOX_BLE_NO_KNOWN_CHARACTERISTIC', deviceId: link.deviceId, services: services.slice(0, 16), paired },
      paired ? 'paired bracelet offers no characteristic the box reads; will retry' : 'BLE device offers no characteristic the box reads; disconnected and ignored until restart',
    );
    this.#drop(link, 'no known characteristic', true);
  }

  /** Tear `link` down (once): listeners off, the radio link closed, `disconnected` if announced, then maybe retry. */
  #drop(link: Link, reason: string, retry: boolean): void {
    if (this.#link !== link) return;
    this.#link = undefined;
    for (const cleanup of link.cleanups) cleanup();
    const peripheral = link.peripheral;
    try {
      if (peripheral.state === 'connecting') peripheral.cancelConnect();
      else if (peripheral.state === 'connected') peripheral.disconnect();
    } catch (err) {
      this.#log.debug({ err, deviceId: link.deviceId }, 'BLE disconnect request failed');
    }
    if (link.announced) {
      this.#log.info({ deviceId: link.deviceId, reason }, 'BLE device disconnected');
      this.#emitSafely('disconnected', { deviceId: link.deviceId, reason });
    }
    this.#phase = 'idle';
    if (retry) this.#retry();
  }

  #retry(): void {
    if (!this.#running || this.#status.state !== 'poweredOn') return;
    const delay = backoffDelay(this.#attempt, this.#initialDelayMs, this.#maxDelayMs, this.#random);
    this.#attempt = Math.min(this.#attempt + 1, 30);
    this.#phase = 'waiting';
    this.#log.debug({ delay, attempt: this.#attempt }, 'BLE scan scheduled');
    this.#later(() => {
      this.#phase = 'idle';
      this.#scan();
    }, delay);
  }

  /** Schedule through the injected clock, remembered so stop() and power loss cancel it. */
  #later(fn: () => void, ms: number): () => void {
    const cancel = this.#schedule(() => {
      this.#timers.delete(cancel);
      fn();
    }, ms);
    this.#timers.add(cancel);
    return () => {
      this.#timers.delete(cancel);
      cancel();
    };
  }

  #cancelTimers(): void {
    for (const cancel of this.#timers) cancel();
    this.#timers.clear();
  }

  #setStatus(state: BleAdapterState, error: BleAdapterStatus['error']): void {
    if (state === this.#status.state) return;
    this.#status = { state, error };
    if (error) this.#log.warn({ code: error.code, state, err: error.cause }, 'Bluetooth controller unusable; no bracelet can be reached');
    else this.#log.info({ state }, 'Bluetooth controller state');
    this.#emitSafely('adapter', this.#status);
  }

  /** A throwing listener must not break the link (it would surface inside noble's event loop). */
  #emitSafely<K extends keyof BlePortEvents>(event: K, ...args: BlePortEvents[K]): void {
    try {
      (this.emit as (event: K, ...args: BlePortEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.#log.error({ err, event }, 'a BLE event listener threw');
    }
  }
}

/** Stop noble's bindings: closes the HCI socket and its 1 s power poll, so the process can exit. */
function stopNoble(noble: Noble, log: Logger): void {
  try {
    noble.stop();
  } catch (err) {
    log.debug({ err }, 'noble stop failed');
  }
}
