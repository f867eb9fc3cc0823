/**
 * What the fuzz properties demand of a GATT parser's outcome: a refusal is a catalogued error from
 * the parser's documented set, with its documented `details.reason`; an acceptance holds numbers in
 * the ranges its type and its characteristic's specification give, and agrees with the layout the
 * frame's own flags announce.
 */
import assert from 'node:assert/strict';
import { GattMalformedReason, protocolErrors, type ProtocolErrorCode } from '../src/errors.ts';
import { isPlxMeasurementFlaggedUnusable, type PlxContinuousMeasurement } from '../src/gatt/plx-continuous.ts';
import type { DecodedNotification } from '../src/gatt/decode.ts';
import type { HeartRateMeasurement } from '../src/gatt/heart-rate-measurement.ts';
import type { Sfloat } from '../src/gatt/sfloat.ts';
import { EMERGENCY_KIND_CODES } from '../src/gatt/vendor.ts';
import { heartRateLength, plxLength } from './gatt-arbitraries.ts';

/** Error codes a parser may throw, each with the `details.reason` values it may carry. */
export type AllowedErrors = Partial<Record<ProtocolErrorCode, readonly string[]>>;

const FRAME_REASONS = [GattMalformedReason.truncated, GattMalformedReason.trailingBytes, GattMalformedReason.notBytes];
const VALUE_REASONS = [...FRAME_REASONS, GattMalformedReason.valueOutOfRange];

/** HRS and PLXS parsers: only a frame that does not match its flags is refused (their JSDoc). */
export const FRAME_ERRORS: AllowedErrors = { PROTOCOL_GATT_MALFORMED: FRAME_REASONS };
/** Battery Level: also a level above 100 % (BAS v1.0 §3.1). */
export const VALUE_ERRORS: AllowedErrors = { PROTOCOL_GATT_MALFORMED: VALUE_REASONS };
/** Vendor characteristics: also a format version this software does not read. */
export const VENDOR_ERRORS: AllowedErrors = { ...VALUE_ERRORS, PROTOCOL_GATT_UNSUPPORTED_VERSION: ['unsupported_version'] };

/** Run `parse`: its value, or the error it threw after checking that error against `allowed`. */
export function outcomeOf<T>(parse: () => T, allowed: AllowedErrors): { accepted: true; value: T } | { accepted: false } {
  try {
    return { accepted: true, value: parse() };
  } catch (err) {
    assertAllowedError(err, allowed);
    return { accepted: false };
  }
}

/** `err` is a catalogued protocol error of `allowed`, with one of its reasons. */
export function assertAllowedError(err: unknown, allowed: AllowedErrors): void {
  if (!protocolErrors.is(err)) assert.fail(`threw a non-catalogued ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  const reasons = allowed[err.code as ProtocolErrorCode];
  assert.ok(reasons, `threw ${err.code}; only ${Object.keys(allowed).join(', ')} are documented`);
  assert.ok(reasons.includes(String(err.details.reason)), `${err.code} with reason ${String(err.details.reason)}, not one of ${reasons.join(', ')}`);
}

/** An integer in [min, max]. */
export function assertInt(name: string, value: unknown, min: number, max: number): void {
  assert.ok(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max, `${name} = ${String(value)}, not an integer in ${min}..${max}`);
}

/** Largest SFLOAT magnitude: mantissa −2048 at exponent 7 (IEEE 11073-20601 SFLOAT-Type). */
export const SFLOAT_MAX_MAGNITUDE = 2048e7;

/** A finite number an SFLOAT can hold, or null (a special value). */
function assertSfloatNumber(name: string, value: number | null): void {
  if (value === null) return;
  assert.ok(Number.isFinite(value) && Math.abs(value) <= SFLOAT_MAX_MAGNITUDE, `${name} = ${value} is not a finite SFLOAT value`);
}

/** A decoded SFLOAT: a known kind, and a finite value in range for a number. */
export function assertSfloat(name: string, value: Sfloat): void {
  const kinds = ['number', 'nan', 'nres', 'positive_infinity', 'negative_infinity', 'reserved'];
  assert.ok(kinds.includes(value.kind), `${name} has kind ${value.kind}`);
  if (value.kind === 'number') assertSfloatNumber(name, value.value);
}

/** A parsed Heart Rate Measurement agrees with its flags (HRS v1.0 §3.1) and its field ranges. */
export function assertHeartRate(m: HeartRateMeasurement, data: Uint8Array): void {
  const flags = data[0]!;
  assert.equal(m.valueFormat, flags & 0x01 ? 'uint16' : 'uint8');
  assertInt('bpm', m.bpm, 0, m.valueFormat === 'uint16' ? 0xffff : 0xff);
  assert.equal(m.contact, flags & 0x04 ? (flags & 0x02 ? 'detected' : 'not_detected') : 'not_supported');
  assert.equal(m.energyExpendedKj === null, !(flags & 0x08), 'energy expended present exactly when flag bit 3 is set');
  if (m.energyExpendedKj !== null) assertInt('energy expended', m.energyExpendedKj, 0, 0xffff);
  assert.ok(m.rrIntervalsMs.length === 0 || flags & 0x10, 'RR-intervals without flag bit 4');
  for (const rr of m.rrIntervalsMs) assert.ok(Number.isFinite(rr) && rr >= 0 && rr <= (0xffff * 1000) / 1024, `RR-interval ${rr} ms`);
  assert.equal(data.length, heartRateLength(flags, m.rrIntervalsMs.length), 'accepted length differs from the one the flags announce');
}

/** A parsed PLX Continuous Measurement agrees with its flags (PLXS v1.0.1 §3.2) and its field ranges. */
export function assertPlx(m: PlxContinuousMeasurement, data: Uint8Array): void {
  const flags = data[0]!;
  assert.equal(data.length, plxLength(flags), 'accepted length differs from the one the flags announce');
  assert.equal(m.fast !== null, Boolean(flags & 0x01));
  assert.equal(m.slow !== null, Boolean(flags & 0x02));
  assert.equal(m.measurementStatus !== null, Boolean(flags & 0x04));
  assert.equal(m.deviceAndSensorStatus !== null, Boolean(flags & 0x08));
  assert.equal(m.pulseAmplitudeIndex !== null, Boolean(flags & 0x10));
  for (const [name, pair] of [['normal', m.normal], ['fast', m.fast], ['slow', m.slow]] as const) {
    if (pair) {
      assertSfloat(`${name} SpO2`, pair.spo2);
      assertSfloat(`${name} PR`, pair.pulseRate);
    }
  }
  if (m.measurementStatus !== null) assertInt('Measurement Status', m.measurementStatus, 0, 0xffff);
  if (m.deviceAndSensorStatus !== null) assertInt('Device and Sensor Status', m.deviceAndSensorStatus, 0, 0xffffff);
  if (m.pulseAmplitudeIndex !== null) assertSfloat('Pulse Amplitude Index', m.pulseAmplitudeIndex);
}

/** The exact key set of a decoded notification of each kind (no field added or lost on the way). */
const KEYS: Readonly<Record<DecodedNotification['kind'], string>> = {
  heart_rate: 'bpm,contact,energyExpendedKj,kind,rrMs',
  spo2: 'deviceAndSensorStatus,flaggedUnusable,kind,measurementStatus,pulseAmplitudeIndex,pulseRate,spo2',
  battery: 'kind,percent',
  steps: 'count,kind,periodS',
  emergency: 'confidence,event,kind,seq',
  worn: 'kind,worn',
};

/** A decoded notification holds, per kind, the fields and ranges `DecodedNotification` documents. */
export function assertDecoded(d: DecodedNotification): void {
  assert.equal(Object.keys(d).sort().join(','), KEYS[d.kind], `fields of ${d.kind}`);
  switch (d.kind) {
    case 'heart_rate':
      assertInt('bpm', d.bpm, 0, 0xffff);
      assert.ok(['not_supported', 'not_detected', 'detected'].includes(d.contact));
      if (d.energyExpendedKj !== null) assertInt('energy expended', d.energyExpendedKj, 0, 0xffff);
      for (const rr of d.rrMs) assert.ok(Number.isFinite(rr) && rr >= 0 && rr < 64_000, `RR-interval ${rr} ms`);
      return;
    case 'spo2':
      assertSfloatNumber('spo2', d.spo2);
      assertSfloatNumber('pulseRate', d.pulseRate);
      assertSfloatNumber('pulseAmplitudeIndex', d.pulseAmplitudeIndex);
      if (d.measurementStatus !== null) assertInt('measurementStatus', d.measurementStatus, 0, 0xffff);
      if (d.deviceAndSensorStatus !== null) assertInt('deviceAndSensorStatus', d.deviceAndSensorStatus, 0, 0xffffff);
      assert.equal(d.flaggedUnusable, isPlxMeasurementFlaggedUnusable(d));
      return;
    case 'battery':
      return assertInt('percent', d.percent, 0, 100);
    case 'steps':
      assertInt('count', d.count, 0, 0xffffffff);
      return assertInt('periodS', d.periodS, 1, 0xffff);
    case 'emergency':
      assert.ok(Object.hasOwn(EMERGENCY_KIND_CODES, d.event), `event ${d.event}`);
      assertInt('seq', d.seq, 0, 0xffff);
      return assertInt('confidence', d.confidence, 0, 100);
    case 'worn':
      return assert.equal(typeof d.worn, 'boolean');
    default:
      return d satisfies never;
  }
}
