import { protocolErrors } from '../errors.ts';
import type { BraceletEventKind } from '../messages/mqtt.ts';
import { parseBatteryLevel } from './battery-level.ts';
import { parseHeartRateMeasurement, type SensorContact } from './heart-rate-measurement.ts';
import { isPlxMeasurementFlaggedUnusable, parsePlxContinuousMeasurement } from './plx-continuous.ts';
import { sfloatToFinite } from './sfloat.ts';
import { GattCharacteristic, GattService, normalizeUuid } from './uuids.ts';
import { parseEmergency, parseSteps, parseWorn } from './vendor.ts';

/** What one GATT notification says, in the box's terms. */
export type DecodedNotification =
  | {
      readonly kind: 'heart_rate';
      readonly bpm: number;
      /** RR-intervals in milliseconds, oldest first. */
      readonly rrMs: readonly number[];
      readonly contact: SensorContact;
      readonly energyExpendedKj: number | null;
    }
  | {
      readonly kind: 'spo2';
      /** SpO2 percent; null when the oximeter sent a special value (NaN, NRes, ±∞). */
      readonly spo2: number | null;
      /** Pulse rate in bpm; null when the oximeter sent a special value. */
      readonly pulseRate: number | null;
      /** The oximeter's own status bits say not to use this value (see `isPlxMeasurementFlaggedUnusable`). */
      readonly flaggedUnusable: boolean;
      readonly measurementStatus: number | null;
      readonly deviceAndSensorStatus: number | null;
      readonly pulseAmplitudeIndex: number | null;
    }
  | { readonly kind: 'battery'; readonly percent: number }
  | { readonly kind: 'steps'; readonly count: number; readonly periodS: number }
  | { readonly kind: 'emergency'; readonly event: BraceletEventKind; readonly seq: number; readonly confidence: number }
  | { readonly kind: 'worn'; readonly worn: boolean };

/** The kinds of {@link DecodedNotification}. */
export type DecodedKind = DecodedNotification['kind'];

type Decoder = (data: Uint8Array) => DecodedNotification;

/** One characteristic a box subscribes to, in the service that carries it. */
export interface NotifiedCharacteristic {
  readonly service: string;
  readonly characteristic: string;
  readonly kind: DecodedKind;
}

/** Every (service, characteristic) pair the box subscribes to and {@link decodeNotification} reads. */
export const NOTIFIED_CHARACTERISTICS: readonly NotifiedCharacteristic[] = [
  { service: GattService.heartRate, characteristic: GattCharacteristic.heartRateMeasurement, kind: 'heart_rate' },
  { service: GattService.pulseOximeter, characteristic: GattCharacteristic.plxContinuousMeasurement, kind: 'spo2' },
  { service: GattService.battery, characteristic: GattCharacteristic.batteryLevel, kind: 'battery' },
  { service: GattService.vigie, characteristic: GattCharacteristic.vigieSteps, kind: 'steps' },
  { service: GattService.vigie, characteristic: GattCharacteristic.vigieEmergency, kind: 'emergency' },
  { service: GattService.vigie, characteristic: GattCharacteristic.vigieWorn, kind: 'worn' },
];

const DECODERS: Readonly<Record<DecodedKind, Decoder>> = {
  heart_rate: (data) => {
    const m = parseHeartRateMeasurement(data);
    return { kind: 'heart_rate', bpm: m.bpm, rrMs: m.rrIntervalsMs, contact: m.contact, energyExpendedKj: m.energyExpendedKj };
  },
  spo2: (data) => {
    const m = parsePlxContinuousMeasurement(data);
    return {
      kind: 'spo2',
      spo2: sfloatToFinite(m.normal.spo2),
      pulseRate: sfloatToFinite(m.normal.pulseRate),
      flaggedUnusable: isPlxMeasurementFlaggedUnusable(m),
      measurementStatus: m.measurementStatus,
      deviceAndSensorStatus: m.deviceAndSensorStatus,
      pulseAmplitudeIndex: m.pulseAmplitudeIndex === null ? null : sfloatToFinite(m.pulseAmplitudeIndex),
    };
  },
  battery: (data) => ({ kind: 'battery', percent: parseBatteryLevel(data) }),
  steps: (data) => ({ kind: 'steps', ...parseSteps(data) }),
  emergency: (data) => ({ kind: 'emergency', ...parseEmergency(data) }),
  worn: (data) => ({ kind: 'worn', worn: parseWorn(data) }),
};

const BY_PAIR = new Map(NOTIFIED_CHARACTERISTICS.map((c) => [`${c.service}/${c.characteristic}`, DECODERS[c.kind]]));

/**
 * Decode one GATT notification. UUIDs may be in any form {@link normalizeUuid} accepts; the pair
 * must be one of {@link NOTIFIED_CHARACTERISTICS} (a Battery Level outside the Battery Service is
 * not ours to read).
 *
 * Throws only catalogued errors, each with `details.reason`: `PROTOCOL_GATT_UNKNOWN_CHARACTERISTIC`,
 * `PROTOCOL_GATT_INVALID_UUID`, `PROTOCOL_GATT_MALFORMED`, `PROTOCOL_GATT_UNSUPPORTED_VERSION`.
 */
export function decodeNotification(serviceUuid: string, characteristicUuid: string, data: Uint8Array): DecodedNotification {
  const service = normalizeUuid(serviceUuid);
  const characteristic = normalizeUuid(characteristicUuid);
  const decoder = BY_PAIR.get(`${service}/${characteristic}`);
  if (!decoder) {
    throw protocolErrors.create('PROTOCOL_GATT_UNKNOWN_CHARACTERISTIC', {
      message: `No decoder for characteristic ${characteristic} of service ${service}`,
      details: { reason: 'unknown_characteristic', service, characteristic },
    });
  }
  return decoder(data);
}
