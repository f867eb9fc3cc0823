import { ByteReader, ByteWriter, requireInteger } from './bytes.ts';
import { GattCharacteristic } from './uuids.ts';

/**
 * Heart Rate Measurement (0x2A37), HRS v1.0 §3.1. Little-endian:
 *
 * | field           | size        | present when |
 * | --------------- | ----------- | ------------ |
 * | flags           | uint8       | always       |
 * | heart rate      | uint8/uint16 | always; uint16 when flags bit 0 is 1 |
 * | energy expended | uint16, kJ  | flags bit 3  |
 * | RR-intervals    | uint16 each, 1/1024 s | flags bit 4: every remaining pair of bytes |
 *
 * Flags bits 1–2 are the Sensor Contact Status (0 or 1: not supported; 2: supported, no contact;
 * 3: supported, contact). Bits 5–7 are reserved for future use and ignored, as the spec requires.
 */

/** Whether the sensor reports skin contact (flags bits 1–2). */
export type SensorContact = 'not_supported' | 'not_detected' | 'detected';

/** A parsed Heart Rate Measurement. */
export interface HeartRateMeasurement {
  /** Beats per minute. */
  readonly bpm: number;
  /** The width the sensor used for `bpm` on the wire. */
  readonly valueFormat: 'uint8' | 'uint16';
  readonly contact: SensorContact;
  /** Cumulative energy expended in kilojoules (0xFFFF = saturated), or null when absent. */
  readonly energyExpendedKj: number | null;
  /** RR-intervals in milliseconds, oldest first (wire unit 1/1024 s, converted exactly). */
  readonly rrIntervalsMs: readonly number[];
}

/** What {@link encodeHeartRateMeasurement} takes; omitted fields are absent from the frame. */
export interface HeartRateMeasurementInput {
  readonly bpm: number;
  /** Default: uint8 when bpm ≤ 255, uint16 otherwise. */
  readonly valueFormat?: 'uint8' | 'uint16';
  readonly contact?: SensorContact;
  readonly energyExpendedKj?: number | null;
  readonly rrIntervalsMs?: readonly number[];
}

const FLAG_UINT16 = 0x01;
const FLAG_CONTACT_SUPPORTED = 0x04;
const FLAG_CONTACT_DETECTED = 0x02;
const FLAG_ENERGY = 0x08;
const FLAG_RR = 0x10;

const CHARACTERISTIC = GattCharacteristic.heartRateMeasurement;

/**
 * Parse a Heart Rate Measurement value. Throws `PROTOCOL_GATT_MALFORMED` (reason `truncated` or
 * `trailing_bytes`) and nothing else.
 */
export function parseHeartRateMeasurement(data: Uint8Array): HeartRateMeasurement {
  const reader = new ByteReader(data, CHARACTERISTIC);
  const flags = reader.uint8('flags');
  const valueFormat = flags & FLAG_UINT16 ? 'uint16' : 'uint8';
  const bpm = valueFormat === 'uint16' ? reader.uint16('heart rate (uint16)') : reader.uint8('heart rate (uint8)');
  const contact: SensorContact =
    flags & FLAG_CONTACT_SUPPORTED ? (flags & FLAG_CONTACT_DETECTED ? 'detected' : 'not_detected') : 'not_supported';
  const energyExpendedKj = flags & FLAG_ENERGY ? reader.uint16('energy expended') : null;
  const rrIntervalsMs: number[] = [];
  if (flags & FLAG_RR) {
    // The RR field runs to the end of the frame. A flag with no interval is accepted: some straps
    // set it on the first beat before an interval exists, and it misleads nobody.
    while (reader.remaining > 0) rrIntervalsMs.push((reader.uint16('RR-interval') * 1000) / 1024);
  }
  reader.end();
  return { bpm, valueFormat, contact, energyExpendedKj, rrIntervalsMs };
}

/**
 * Encode a Heart Rate Measurement value. Throws `PROTOCOL_GATT_VALUE_OUT_OF_RANGE` when a field
 * does not fit its wire type (bpm above 255 in uint8 format, an RR-interval of 64 s or more…).
 */
export function encodeHeartRateMeasurement(input: HeartRateMeasurementInput): Uint8Array {
  const valueFormat = input.valueFormat ?? (input.bpm > 0xff ? 'uint16' : 'uint8');
  const bpm = requireInteger('heart rate', input.bpm, 0, valueFormat === 'uint16' ? 0xffff : 0xff);
  const energy = input.energyExpendedKj ?? null;
  const rr = (input.rrIntervalsMs ?? []).map((ms) => requireInteger('RR-interval (1/1024 s)', Math.round((ms * 1024) / 1000), 0, 0xffff));
  let flags = valueFormat === 'uint16' ? FLAG_UINT16 : 0;
  if (input.contact === 'not_detected') flags |= FLAG_CONTACT_SUPPORTED;
  if (input.contact === 'detected') flags |= FLAG_CONTACT_SUPPORTED | FLAG_CONTACT_DETECTED;
  if (energy !== null) flags |= FLAG_ENERGY;
  if (rr.length > 0) flags |= FLAG_RR;

  const writer = new ByteWriter().uint8(flags);
  if (valueFormat === 'uint16') writer.uint16(bpm);
  else writer.uint8(bpm);
  if (energy !== null) writer.uint16(requireInteger('energy expended (kJ)', energy, 0, 0xffff));
  for (const interval of rr) writer.uint16(interval);
  return writer.toBytes();
}
