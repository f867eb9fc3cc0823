import { VigieError, type Logger, type Module } from '@vigie/common';
import {
  BraceletEvent,
  BraceletStatus,
  BusReading,
  decodeNotification,
  FirmwareGatt,
  GattService,
  SCHEMA_VERSION,
  topics,
  validate,
  type DecodedNotification,
  type Reading,
} from '@vigie/protocol';
import type { Publish, PublishOptions } from '../bus/bus-client.ts';
import type { BleConnected, BleDisconnected, BleNotification, BlePort } from './port.ts';
import { heartRateSecond, spo2Second, ThirdPartyVitals, type FinishedWindow } from './third-party-vitals.ts';

type Schema = Parameters<typeof validate>[0];

/** Seconds a bracelet heart-rate value summarises: the mean of the last 2 minutes (study §5.1). */
const HEART_RATE_PERIOD_S = 120;
/**
 * Seconds a bracelet SpO2 value summarises: the 1-minute mean the simulated bracelet still sends
 * (its firmware meter, `createSpo2Meter`, is the study's 5-minute mean: 300 once the bracelet sends it).
 */
const SPO2_PERIOD_S = 60;
/** Seconds a third-party SpO2 mean summarises: the study's 5-minute mean, computed by the box. */
const THIRD_PARTY_SPO2_PERIOD_S = 300;

const READING: PublishOptions = { qos: 1 };
const EVENT: PublishOptions = { qos: 1 };
/** Retained: a component that subscribes later still learns the bracelet's state at once. */
const STATUS: PublishOptions = { qos: 1, retain: true };

/** Counters of what the bridge did, for health reports and tests. */
export interface BleBridgeStats {
  /** Notifications received from the port. */
  received: number;
  /** Messages the bus accepted. */
  published: number;
  /** Notifications that failed to decode (logged with code and reason). */
  decodeErrors: number;
  /** Decoded values deliberately not published (no skin contact, oximeter-flagged, special value). */
  skipped: number;
  /** Per-second values of third-party devices taken into a window mean (not published alone). */
  averaged: number;
  /** Third-party windows without a mean (mostly motion, poor contact or no data: not published). */
  windowsWithoutMean: number;
  /** Payloads that failed their own schema (a bug; logged as BOX_BUS_PAYLOAD_INVALID). */
  invalidPayloads: number;
  /** Publishes the bus refused or that failed. */
  publishErrors: number;
}

export interface BleBridgeOptions {
  readonly ble: BlePort;
  readonly publish: Publish;
  /** Epoch milliseconds, for link events (notifications carry their own reception time). */
  readonly clock: () => number;
  readonly log: Logger;
}

/**
 * What the box knows of a device: a Vigie bracelet (it offers the vendor service, or sent a value
 * on it) sends window means; a third-party standard device (its services are known and the vendor
 * service is not among them) sends per-second values the bridge averages. A device whose services
 * were never reported (an adapter that connected it before this box started listening) is taken
 * for a bracelet until it proves otherwise, as before third-party averaging existed.
 */
type DeviceKind = 'vigie' | 'third_party';

interface BraceletState {
  connected: boolean;
  worn: boolean | null;
  battery: number | null;
}

/**
 * Turns the bracelet's GATT notifications into bus messages (topic map in `@vigie/protocol`):
 * heart rate, SpO2, steps and battery as `BusReading`s, emergencies as `BraceletEvent`s, link,
 * wear and battery as retained `BraceletStatus`. A reading's time is its reception time: the
 * bracelet has no clock. A frame that does not decode is logged with its code and reason, counted
 * and skipped; nothing ever throws out of the bridge. Adapter-agnostic: it only sees a
 * {@link BlePort}. Start it before the port so no event is missed.
 *
 * A Vigie bracelet sends heart-rate 2-minute and SpO2 5-minute means computed by its firmware; a
 * third-party standard heart-rate strap or oximeter sends per-second values, which the bridge
 * averages into the same windows with the bracelet's own meters (`third-party-vitals.ts`), so the
 * safety core's rules count the same windows whatever the device.
 */
export class BleBridge implements Module {
  readonly name = 'ble-bridge';
  readonly #ble: BlePort;
  readonly #publish: Publish;
  readonly #clock: () => number;
  readonly #log: Logger;
  readonly #bracelets = new Map<string, BraceletState>();
  readonly #kinds = new Map<string, DeviceKind>();
  readonly #thirdParty = new Map<string, ThirdPartyVitals>();
  readonly #stats: BleBridgeStats = {
    received: 0,
    published: 0,
    decodeErrors: 0,
    skipped: 0,
    averaged: 0,
    windowsWithoutMean: 0,
    invalidPayloads: 0,
    publishErrors: 0,
  };

  constructor(options: BleBridgeOptions) {
    this.#ble = options.ble;
    this.#publish = options.publish;
    this.#clock = options.clock;
    this.#log = options.log;
  }

  async start(): Promise<void> {
    this.#ble.on('notification', this.#onNotification);
    this.#ble.on('connected', this.#onConnected);
    this.#ble.on('disconnected', this.#onDisconnected);
  }

  async stop(): Promise<void> {
    this.#ble.off('notification', this.#onNotification);
    this.#ble.off('connected', this.#onConnected);
    this.#ble.off('disconnected', this.#onDisconnected);
  }

  /** A copy of the counters. */
  stats(): BleBridgeStats {
    return { ...this.#stats };
  }

  readonly #onNotification = (n: BleNotification): void => {
    // The firmware update's answers are the relay's (bracelet-firmware/), nothing for the bus.
    if (n.service === FirmwareGatt.service) return;
    this.#stats.received++;
    let decoded: DecodedNotification;
    try {
      decoded = decodeNotification(n.service, n.characteristic, n.data);
    } catch (err) {
      this.#stats.decodeErrors++;
      const code = err instanceof VigieError ? err.code : 'UNEXPECTED';
      const reason = err instanceof VigieError ? err.details.reason : undefined;
      this.#log.warn(
        { err: err instanceof VigieError ? undefined : err, code, reason, deviceId: n.deviceId, service: n.service, characteristic: n.characteristic, length: n.data.length },
        'BLE notification could not be decoded; skipped',
      );
      return;
    }
    try {
      this.#route(n, decoded);
    } catch (err) {
      this.#log.error({ err, kind: decoded.kind }, 'BLE notification could not be bridged');
    }
  };

  readonly #onConnected = (c: BleConnected): void => {
    const kind: DeviceKind = c.services.includes(GattService.vigie) ? 'vigie' : 'third_party';
    if (this.#kinds.get(c.deviceId) !== kind) this.#log.info({ deviceId: c.deviceId, kind }, 'BLE device kind');
    this.#kinds.set(c.deviceId, kind);
    this.#updateStatus(c.deviceId, { connected: true }, this.#clock());
  };

  readonly #onDisconnected = (d: BleDisconnected): void => {
    // A window under way loses its continuity: it restarts with the next values.
    this.#thirdParty.get(d.deviceId)?.reset();
    this.#updateStatus(d.deviceId, { connected: false }, this.#clock());
  };

  #isThirdParty(deviceId: string, service: string): boolean {
    if (service === GattService.vigie && this.#kinds.get(deviceId) !== 'vigie') {
      this.#kinds.set(deviceId, 'vigie');
      this.#thirdParty.delete(deviceId);
    }
    return this.#kinds.get(deviceId) === 'third_party';
  }

  #vitals(deviceId: string): ThirdPartyVitals {
    let v = this.#thirdParty.get(deviceId);
    if (!v) this.#thirdParty.set(deviceId, (v = new ThirdPartyVitals()));
    return v;
  }

  /** Publish the window means a third-party device's values completed; windows without one are counted. */
  #windows(deviceId: string, metric: 'heart_rate' | 'spo2', periodS: number, done: readonly FinishedWindow[]): void {
    for (const w of done) {
      if (w.mean.quality !== 'ok' || w.mean.value === null) {
        this.#stats.windowsWithoutMean++;
        this.#log.debug({ deviceId, metric, quality: w.mean.quality, validSeconds: w.mean.validSeconds }, 'third-party window without a mean; not published');
        continue;
      }
      this.#reading(deviceId, { metric, ts: w.endMs, value: w.mean.value, periodS });
    }
  }

  #route(n: BleNotification, d: DecodedNotification): void {
    const ts = Math.round(n.receivedAt);
    if (this.#isThirdParty(n.deviceId, n.service) && (d.kind === 'heart_rate' || d.kind === 'spo2')) {
      this.#stats.averaged++;
      const v = this.#vitals(n.deviceId);
      if (d.kind === 'heart_rate') return this.#windows(n.deviceId, 'heart_rate', HEART_RATE_PERIOD_S, v.heartRate.add(ts, heartRateSecond(d.bpm, d.contact)));
      return this.#windows(n.deviceId, 'spo2', THIRD_PARTY_SPO2_PERIOD_S, v.spo2.add(ts, spo2Second(d.spo2, d.flaggedUnusable, d.deviceAndSensorStatus)));
    }
    switch (d.kind) {
      case 'heart_rate':
        // A sensor that says it has no skin contact is not measuring the patient (often 0 bpm).
        if (d.contact === 'not_detected') return this.#skip(d.kind, 'no skin contact');
        return this.#reading(n.deviceId, { metric: 'heart_rate', ts, value: d.bpm, periodS: HEART_RATE_PERIOD_S });
      case 'spo2':
        if (d.spo2 === null) return this.#skip(d.kind, 'special value');
        if (d.flaggedUnusable) return this.#skip(d.kind, 'flagged unusable by the oximeter');
        return this.#reading(n.deviceId, { metric: 'spo2', ts, value: d.spo2, periodS: SPO2_PERIOD_S });
      case 'steps':
        return this.#reading(n.deviceId, { metric: 'steps', ts, value: d.count, periodS: d.periodS });
      case 'battery':
        this.#reading(n.deviceId, { metric: 'bracelet_battery', ts, value: d.percent });
        return this.#updateStatus(n.deviceId, { battery: d.percent }, ts);
      case 'worn':
        return this.#updateStatus(n.deviceId, { worn: d.worn }, ts);
      case 'emergency': {
        this.#log.info({ deviceId: n.deviceId, event: d.event, seq: d.seq }, 'bracelet emergency event');
        const event: BraceletEvent = { v: SCHEMA_VERSION, braceletId: n.deviceId, kind: d.event, ts, eventSeq: d.seq };
        return this.#send(topics.event(n.deviceId), BraceletEvent, event, EVENT);
      }
      default:
        return d satisfies never;
    }
  }

  #skip(kind: DecodedNotification['kind'], why: string): void {
    this.#stats.skipped++;
    this.#log.debug({ kind, why }, 'decoded value not published');
  }

  #reading(braceletId: string, reading: Reading): void {
    const message: BusReading = { v: SCHEMA_VERSION, braceletId, reading };
    this.#send(topics.reading(braceletId), BusReading, message, READING);
  }

  #updateStatus(braceletId: string, change: Partial<BraceletState>, ts: number): void {
    const state = this.#bracelets.get(braceletId) ?? { connected: true, worn: null, battery: null };
    Object.assign(state, change);
    this.#bracelets.set(braceletId, state);
    const status: BraceletStatus = { v: SCHEMA_VERSION, braceletId, ...state, ts };
    this.#send(topics.status(braceletId), BraceletStatus, status, STATUS);
  }

  /** Check the payload against its own schema, then publish; failures are logged and counted, never thrown. */
  #send(topic: string, schema: Schema, payload: object, options: PublishOptions): void {
    const check = validate(schema, payload, 3);
    if (!check.ok) {
      this.#stats.invalidPayloads++;
      this.#log.warn({ code: 'BOX_BUS_PAYLOAD_INVALID', topic, issues: check.issues }, 'bridged payload does not match its schema; not published');
      return;
    }
    let pending: Promise<void>;
    try {
      pending = this.#publish(topic, payload, options);
    } catch (err) {
      pending = Promise.reject(err);
    }
    pending.then(
      () => void this.#stats.published++,
      (err: unknown) => {
        this.#stats.publishErrors++;
        this.#log.warn({ err, topic }, 'could not publish on the bus');
      },
    );
  }
}
