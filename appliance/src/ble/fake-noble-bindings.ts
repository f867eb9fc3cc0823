import { EventEmitter } from 'node:events';
import type { AdapterState, CharacteristicProperty, Noble } from '@stoprocent/noble';
import { normalizeUuid } from '@vigie/protocol';
import { nobleWithBindings } from './noble-ble.ts';

/**
 * Fake noble bindings for tests (imported by tests only): a radio with simulated devices, and the
 * bindings object noble's real `Noble` class drives. The bindings implement the methods noble calls
 * and emit the events noble listens to with the argument orders of noble's HCI bindings
 * (`lib/hci-socket/bindings.js` of @stoprocent/noble 2.8): peripheral ids are addresses without
 * colons, UUIDs lower-case hex without dashes, disconnect reasons numeric HCI statuses. Events are
 * emitted on a later turn (`setImmediate`), as a socket would deliver them.
 */

/** One characteristic of a fake device's GATT table. */
export interface FakeCharacteristicSpec {
  readonly uuid: string;
  readonly properties: readonly CharacteristicProperty[];
  /** Initial value returned by reads. */
  readonly value?: Uint8Array;
}

export interface FakeServiceSpec {
  readonly uuid: string;
  readonly characteristics: readonly FakeCharacteristicSpec[];
}

export interface FakeDeviceSpec {
  /** `c0:ff:ee:00:00:01` form. */
  readonly address: string;
  readonly localName?: string;
  /** Service UUIDs in the advertisement (any form `normalizeUuid` takes). */
  readonly advertisedServices?: readonly string[];
  readonly services: readonly FakeServiceSpec[];
  readonly connectable?: boolean;
  /** Advertises but never completes a connection (walked out of range between advert and connect). */
  readonly connectHangs?: boolean;
}

/** UUID as noble's HCI bindings spell it: `180d`, or 32 hex digits. */
export function nobleUuid(uuid: string): string {
  return normalizeUuid(uuid).replace(/-/g, '');
}

const key = (service: string, characteristic: string) => `${nobleUuid(service)}/${nobleUuid(characteristic)}`;
/** Deliveries scheduled and not yet made, by every fake radio of the process (see `settled`). */
let undelivered = 0;
const later = (fn: () => void): void => {
  undelivered++;
  setImmediate(() => {
    undelivered--;
    fn();
  });
};

/** HCI statuses used as disconnect reasons (Core v5.4, Vol 1, Part F). */
export const HCI = { hardwareFailure: 0x03, supervisionTimeout: 0x08, localHostTerminated: 0x16 } as const;

/** A simulated BLE peripheral in range of the fake radio. */
export class FakeBleDevice {
  readonly id: string;
  readonly spec: FakeDeviceSpec;
  inRange = true;
  /** Starts as `spec.connectHangs`; tests may mend the device. */
  connectHangs: boolean;
  /** The bindings it is connected through, if any. */
  connectedTo: FakeNobleBindings | undefined;
  /** Subscribed `service/characteristic` keys (noble form). */
  readonly subscribed = new Set<string>();
  readonly #values = new Map<string, Buffer>();

  constructor(spec: FakeDeviceSpec) {
    this.spec = spec;
    this.id = spec.address.replace(/:/g, '').toLowerCase();
    this.connectHangs = spec.connectHangs ?? false;
    for (const s of spec.services) for (const c of s.characteristics) if (c.value) this.#values.set(key(s.uuid, c.uuid), Buffer.from(c.value));
  }

  /** Set a characteristic's value and notify it if subscribed (what a GATT server does). Returns whether it was sent. */
  notify(service: string, characteristic: string, data: Uint8Array): boolean {
    const k = key(service, characteristic);
    this.#values.set(k, Buffer.from(data));
    const bindings = this.connectedTo;
    if (!bindings || !this.subscribed.has(k)) return false;
    const [s, c] = k.split('/') as [string, string];
    later(() => bindings.deliver(this, 'read', s, c, Buffer.from(data), true));
    return true;
  }

  value(service: string, characteristic: string): Buffer | undefined {
    return this.#values.get(key(service, characteristic));
  }

  advertisement() {
    return {
      localName: this.spec.localName,
      serviceUuids: (this.spec.advertisedServices ?? []).map(nobleUuid),
      serviceData: [],
      serviceSolicitationUuids: [],
      txPowerLevel: undefined,
      manufacturerData: undefined,
    };
  }
}

/** One call noble made on the bindings, for assertions. */
export interface BindingsCall {
  readonly op: string;
  readonly id?: string;
  readonly service?: string;
  readonly characteristic?: string;
  readonly enable?: boolean;
}

/** The air and the box's controller: devices in range, the adapter's power, every bindings call. */
export class FakeRadio {
  power: AdapterState = 'poweredOn';
  readonly devices: FakeBleDevice[] = [];
  readonly calls: BindingsCall[] = [];
  readonly #bindings = new Set<FakeNobleBindings>();

  add(spec: FakeDeviceSpec): FakeBleDevice {
    const device = new FakeBleDevice(spec);
    this.devices.push(device);
    for (const b of this.#bindings) b.advertise(device);
    return device;
  }

  /** A noble instance on fresh fake bindings (what `NobleBle`'s `createNoble` is given). */
  createNoble(): Noble {
    const bindings = new FakeNobleBindings(this);
    this.#bindings.add(bindings);
    return nobleWithBindings(bindings);
  }

  /** The device leaves (its link drops with a supervision timeout, as when the patient walks away). */
  takeAway(device: FakeBleDevice): void {
    device.inRange = false;
    device.connectedTo?.dropLink(device, HCI.supervisionTimeout);
  }

  bringBack(device: FakeBleDevice): void {
    device.inRange = true;
    for (const b of this.#bindings) b.advertise(device);
  }

  /** Change the controller's state; leaving poweredOn drops every link (HCI bindings: status 0x03). */
  setPower(state: AdapterState): void {
    const was = this.power;
    this.power = state;
    for (const b of this.#bindings) b.powerChanged(was, state);
  }

  /**
   * Resolves once the radio has delivered everything it scheduled, including what the adapter's
   * reactions scheduled in turn: then "nothing happened" is a fact to assert, not a guess made
   * after a sleep.
   */
  async settled(): Promise<void> {
    do await new Promise((resolve) => setImmediate(resolve));
    while (undelivered > 0);
  }

  /** Calls of one kind (`connect`, `notify`…). */
  callsOf(op: string): BindingsCall[] {
    return this.calls.filter((c) => c.op === op);
  }

  forget(bindings: FakeNobleBindings): void {
    this.#bindings.delete(bindings);
  }
}

/** The bindings object handed to noble's `Noble` class. */
export class FakeNobleBindings extends EventEmitter {
  readonly #radio: FakeRadio;
  #started = false;
  #scanning = false;

  constructor(radio: FakeRadio) {
    super();
    this.#radio = radio;
  }

  // --- methods noble calls -------------------------------------------------------------------

  start(): void {
    this.#record({ op: 'start' });
    this.#started = true;
    const state = this.#radio.power;
    later(() => this.emit('stateChange', state));
  }

  stop(): void {
    this.#record({ op: 'stop' });
    this.#started = false;
    this.#scanning = false;
    // Closing the HCI socket ends every link without further events.
    for (const d of this.#radio.devices) if (d.connectedTo === this) this.#unlink(d);
    this.#radio.forget(this);
  }

  startScanning(serviceUuids: string[] | undefined, allowDuplicates: boolean): void {
    this.#record({ op: 'startScanning' });
    if (this.#radio.power !== 'poweredOn') return;
    this.#scanning = true;
    later(() => {
      if (!this.#started || !this.#scanning) return;
      this.emit('scanStart', !allowDuplicates);
      for (const device of this.#radio.devices) this.advertise(device, serviceUuids);
    });
  }

  stopScanning(): void {
    this.#record({ op: 'stopScanning' });
    this.#scanning = false;
    later(() => this.#started && this.emit('scanStop'));
  }

  connect(id: string): void {
    this.#record({ op: 'connect', id });
    const device = this.#device(id);
    if (this.#radio.power !== 'poweredOn') {
      later(() => this.emit('connect', id, new Error(`Cannot connect while adapter state is ${this.#radio.power} (not poweredOn)`)));
      return;
    }
    // Like an HCI LE Create Connection, an absent device leaves the request pending, with no answer.
    if (!device || !device.inRange || device.connectHangs) return;
    later(() => {
      if (!this.#started || !device.inRange) return;
      device.connectedTo = this;
      this.emit('connect', id, null);
    });
  }

  cancelConnect(id: string): void {
    this.#record({ op: 'cancelConnect', id });
  }

  disconnect(id: string): void {
    this.#record({ op: 'disconnect', id });
    const device = this.#device(id);
    if (device?.connectedTo === this) this.dropLink(device, HCI.localHostTerminated);
  }

  discoverServices(id: string, uuids: string[] | undefined): void {
    this.#record({ op: 'discoverServices', id });
    this.#gatt(id, (device) => {
      const all = device.spec.services.map((s) => nobleUuid(s.uuid));
      this.emit('servicesDiscover', id, uuids && uuids.length > 0 ? all.filter((u) => uuids.includes(u)) : all);
    });
  }

  discoverCharacteristics(id: string, serviceUuid: string, characteristicUuids: string[] | undefined): void {
    this.#record({ op: 'discoverCharacteristics', id, service: serviceUuid });
    this.#gatt(id, (device) => {
      const service = device.spec.services.find((s) => nobleUuid(s.uuid) === serviceUuid);
      const all = (service?.characteristics ?? []).map((c) => ({ uuid: nobleUuid(c.uuid), properties: [...c.properties] }));
      const wanted = characteristicUuids && characteristicUuids.length > 0 ? all.filter((c) => characteristicUuids.includes(c.uuid)) : all;
      this.emit('characteristicsDiscover', id, serviceUuid, wanted);
    });
  }

  read(id: string, serviceUuid: string, characteristicUuid: string): void {
    this.#record({ op: 'read', id, service: serviceUuid, characteristic: characteristicUuid });
    this.#gatt(id, (device) => {
      const value = device.value(serviceUuid, characteristicUuid) ?? Buffer.alloc(0);
      this.emit('read', id, serviceUuid, characteristicUuid, value, false);
    });
  }

  notify(id: string, serviceUuid: string, characteristicUuid: string, enable: boolean): void {
    this.#record({ op: 'notify', id, service: serviceUuid, characteristic: characteristicUuid, enable });
    this.#gatt(id, (device) => {
      const k = `${serviceUuid}/${characteristicUuid}`;
      if (enable) device.subscribed.add(k);
      else device.subscribed.delete(k);
      this.emit('notify', id, serviceUuid, characteristicUuid, enable);
    });
  }

  addressToId(address: string): string {
    return address.replace(/:/g, '').toLowerCase();
  }

  // --- what the radio does to these bindings -------------------------------------------------

  /** Report `device` to noble if scanning and it is advertising (and passes the scan's service filter). */
  advertise(device: FakeBleDevice, serviceUuids?: readonly string[]): void {
    if (!this.#started || !this.#scanning || !device.inRange || device.connectedTo) return;
    const ad = device.advertisement();
    if (serviceUuids && serviceUuids.length > 0 && !ad.serviceUuids.some((u) => serviceUuids.includes(u))) return;
    const connectable = device.spec.connectable ?? true;
    later(() => {
      if (this.#scanning) this.emit('discover', device.id, device.spec.address, 'public', connectable, ad, -60, true);
    });
  }

  /** Deliver a GATT event from `device` if it is still connected through these bindings. */
  deliver(device: FakeBleDevice, event: string, ...args: unknown[]): void {
    if (this.#started && device.connectedTo === this) this.emit(event, device.id, ...args);
  }

  dropLink(device: FakeBleDevice, reason: number): void {
    this.#unlink(device);
    later(() => this.#started && this.emit('disconnect', device.id, reason));
  }

  powerChanged(was: AdapterState, state: AdapterState): void {
    if (!this.#started || was === state) return;
    if (was === 'poweredOn') {
      this.#scanning = false;
      for (const d of this.#radio.devices) if (d.connectedTo === this) this.dropLink(d, HCI.hardwareFailure);
    }
    later(() => this.#started && this.emit('stateChange', state));
  }

  #unlink(device: FakeBleDevice): void {
    device.connectedTo = undefined;
    device.subscribed.clear();
  }

  /** Answer a GATT request on a later turn, only while the link is up (a lost link answers nothing). */
  #gatt(id: string, answer: (device: FakeBleDevice) => void): void {
    const device = this.#device(id);
    later(() => {
      if (device && this.#started && device.connectedTo === this) answer(device);
    });
  }

  #device(id: string): FakeBleDevice | undefined {
    return this.#radio.devices.find((d) => d.id === id);
  }

  #record(call: BindingsCall): void {
    this.#radio.calls.push(call);
  }
}
