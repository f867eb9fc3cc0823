import { ByteReader, ByteWriter, requireInteger } from './bytes.ts';
import { decodeSfloat, encodeSfloat, type Sfloat } from './sfloat.ts';
import { GattCharacteristic } from './uuids.ts';

/**
 * PLX Continuous Measurement (0x2A5F), PLXS v1.0.1 §3.2. Little-endian, every value an SFLOAT:
 *
 * | field                     | size          | present when |
 * | ------------------------- | ------------- | ------------ |
 * | flags                     | uint8         | always       |
 * | SpO2PR-Normal             | 2 × SFLOAT (SpO2 %, PR bpm) | always |
 * | SpO2PR-Fast               | 2 × SFLOAT    | flags bit 0  |
 * | SpO2PR-Slow               | 2 × SFLOAT    | flags bit 1  |
 * | Measurement Status        | uint16        | flags bit 2  |
 * | Device and Sensor Status  | uint24        | flags bit 3  |
 * | Pulse Amplitude Index     | SFLOAT, %     | flags bit 4  |
 *
 * Flags bits 5–7 are reserved for future use and ignored.
 */

/** One SpO2 / pulse-rate pair. */
export interface SpO2PulseRate {
  /** Oxygen saturation, percent. */
  readonly spo2: Sfloat;
  /** Pulse rate, beats per minute. */
  readonly pulseRate: Sfloat;
}

/** A parsed PLX Continuous Measurement; optional fields are null when the flags omit them. */
export interface PlxContinuousMeasurement {
  readonly normal: SpO2PulseRate;
  readonly fast: SpO2PulseRate | null;
  readonly slow: SpO2PulseRate | null;
  /** Measurement Status bits ({@link PlxMeasurementStatus}). */
  readonly measurementStatus: number | null;
  /** Device and Sensor Status bits ({@link PlxDeviceSensorStatus}), 24 bits. */
  readonly deviceAndSensorStatus: number | null;
  /** Pulse Amplitude Index, percent. */
  readonly pulseAmplitudeIndex: Sfloat | null;
}

/** What {@link encodePlxContinuousMeasurement} takes: numbers or decoded SFLOATs. */
export interface PlxContinuousMeasurementInput {
  readonly normal: { readonly spo2: number | Sfloat; readonly pulseRate: number | Sfloat };
  readonly fast?: { readonly spo2: number | Sfloat; readonly pulseRate: number | Sfloat } | null;
  readonly slow?: { readonly spo2: number | Sfloat; readonly pulseRate: number | Sfloat } | null;
  readonly measurementStatus?: number | null;
  readonly deviceAndSensorStatus?: number | null;
  readonly pulseAmplitudeIndex?: number | Sfloat | null;
}

/** Measurement Status bits (bits 0–4 reserved). */
export const PlxMeasurementStatus = {
  measurementOngoing: 1 << 5,
  earlyEstimatedData: 1 << 6,
  validatedData: 1 << 7,
  fullyQualifiedData: 1 << 8,
  dataFromMeasurementStorage: 1 << 9,
  dataForDemonstration: 1 << 10,
  dataForTesting: 1 << 11,
  calibrationOngoing: 1 << 12,
  measurementUnavailable: 1 << 13,
  questionableMeasurementDetected: 1 << 14,
  invalidMeasurementDetected: 1 << 15,
} as const;

/** Device and Sensor Status bits (bits 16–23 reserved). */
export const PlxDeviceSensorStatus = {
  extendedDisplayUpdateOngoing: 1 << 0,
  equipmentMalfunctionDetected: 1 << 1,
  signalProcessingIrregularityDetected: 1 << 2,
  inadequateSignalDetected: 1 << 3,
  poorSignalDetected: 1 << 4,
  lowPerfusionDetected: 1 << 5,
  erraticSignalDetected: 1 << 6,
  nonpulsatileSignalDetected: 1 << 7,
  questionablePulseDetected: 1 << 8,
  signalAnalysisOngoing: 1 << 9,
  sensorInterferenceDetected: 1 << 10,
  sensorUnconnectedToUser: 1 << 11,
  unknownSensorConnected: 1 << 12,
  sensorDisplaced: 1 << 13,
  sensorMalfunctioning: 1 << 14,
  sensorDisconnected: 1 << 15,
} as const;

/** Measurement Status bits that say the value must not be used as a measurement of the patient. */
const UNUSABLE_MEASUREMENT =
  PlxMeasurementStatus.measurementUnavailable |
  PlxMeasurementStatus.questionableMeasurementDetected |
  PlxMeasurementStatus.invalidMeasurementDetected |
  PlxMeasurementStatus.dataForDemonstration |
  PlxMeasurementStatus.dataForTesting;

/** Device and Sensor Status bits that say the sensor is not measuring the patient. */
const UNUSABLE_SENSOR =
  PlxDeviceSensorStatus.equipmentMalfunctionDetected |
  PlxDeviceSensorStatus.sensorUnconnectedToUser |
  PlxDeviceSensorStatus.sensorDisplaced |
  PlxDeviceSensorStatus.sensorMalfunctioning |
  PlxDeviceSensorStatus.sensorDisconnected;

/**
 * True when the oximeter itself flags the measurement as unusable (unavailable, questionable,
 * invalid, demonstration or test data, or a disconnected or faulty sensor): the box must not treat
 * it as the patient's SpO2.
 */
export function isPlxMeasurementFlaggedUnusable(m: Pick<PlxContinuousMeasurement, 'measurementStatus' | 'deviceAndSensorStatus'>): boolean {
  return ((m.measurementStatus ?? 0) & UNUSABLE_MEASUREMENT) !== 0 || ((m.deviceAndSensorStatus ?? 0) & UNUSABLE_SENSOR) !== 0;
}

const FLAG_FAST = 0x01;
const FLAG_SLOW = 0x02;
const FLAG_MEASUREMENT_STATUS = 0x04;
const FLAG_DEVICE_STATUS = 0x08;
const FLAG_PULSE_AMPLITUDE = 0x10;

const CHARACTERISTIC = GattCharacteristic.plxContinuousMeasurement;

/**
 * Parse a PLX Continuous Measurement value. Throws `PROTOCOL_GATT_MALFORMED` (reason `truncated`
 * or `trailing_bytes`) and nothing else.
 */
export function parsePlxContinuousMeasurement(data: Uint8Array): PlxContinuousMeasurement {
  const reader = new ByteReader(data, CHARACTERISTIC);
  const flags = reader.uint8('flags');
  const pair = (name: string): SpO2PulseRate => ({
    spo2: decodeSfloat(reader.uint16(`${name} SpO2`)),
    pulseRate: decodeSfloat(reader.uint16(`${name} PR`)),
  });
  const normal = pair('SpO2PR-Normal');
  const fast = flags & FLAG_FAST ? pair('SpO2PR-Fast') : null;
  const slow = flags & FLAG_SLOW ? pair('SpO2PR-Slow') : null;
  const measurementStatus = flags & FLAG_MEASUREMENT_STATUS ? reader.uint16('Measurement Status') : null;
  const deviceAndSensorStatus = flags & FLAG_DEVICE_STATUS ? reader.uint24('Device and Sensor Status') : null;
  const pulseAmplitudeIndex = flags & FLAG_PULSE_AMPLITUDE ? decodeSfloat(reader.uint16('Pulse Amplitude Index')) : null;
  reader.end();
  return { normal, fast, slow, measurementStatus, deviceAndSensorStatus, pulseAmplitudeIndex };
}

/**
 * Encode a PLX Continuous Measurement value. Throws `PROTOCOL_GATT_VALUE_OUT_OF_RANGE` when a value
 * does not fit its field.
 */
export function encodePlxContinuousMeasurement(input: PlxContinuousMeasurementInput): Uint8Array {
  const { fast = null, slow = null, measurementStatus = null, deviceAndSensorStatus = null, pulseAmplitudeIndex = null } = input;
  let flags = 0;
  if (fast) flags |= FLAG_FAST;
  if (slow) flags |= FLAG_SLOW;
  if (measurementStatus !== null) flags |= FLAG_MEASUREMENT_STATUS;
  if (deviceAndSensorStatus !== null) flags |= FLAG_DEVICE_STATUS;
  if (pulseAmplitudeIndex !== null) flags |= FLAG_PULSE_AMPLITUDE;

  const writer = new ByteWriter().uint8(flags);
  for (const pair of [input.normal, fast, slow]) {
    if (pair) writer.uint16(encodeSfloat(pair.spo2)).uint16(encodeSfloat(pair.pulseRate));
  }
  if (measurementStatus !== null) writer.uint16(requireInteger('Measurement Status', measurementStatus, 0, 0xffff));
  if (deviceAndSensorStatus !== null) writer.uint24(requireInteger('Device and Sensor Status', deviceAndSensorStatus, 0, 0xffffff));
  if (pulseAmplitudeIndex !== null) writer.uint16(encodeSfloat(pulseAmplitudeIndex));
  return writer.toBytes();
}
