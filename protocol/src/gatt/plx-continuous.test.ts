import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  encodePlxContinuousMeasurement,
  isPlxMeasurementFlaggedUnusable,
  parsePlxContinuousMeasurement,
  PlxDeviceSensorStatus,
  PlxMeasurementStatus,
} from './plx-continuous.ts';
import { decodeSfloat } from './sfloat.ts';
import { assertOnlyCataloguedErrors, assertThrowsCode, hex, PROPERTY_RUNS } from './test-helpers.ts';

const num = (value: number) => ({ kind: 'number', value }) as const;

test('reads the SpO2PR-Normal field alone', () => {
  // flags 0x00; SpO2 0x0061 = 97 %; PR 0x0048 = 72 bpm (SFLOATs with exponent 0).
  assert.deepEqual(parsePlxContinuousMeasurement(hex('00 61 00 48 00')), {
    normal: { spo2: num(97), pulseRate: num(72) },
    fast: null,
    slow: null,
    measurementStatus: null,
    deviceAndSensorStatus: null,
    pulseAmplitudeIndex: null,
  });
});

// flags 0x1F: fast, slow, measurement status, device and sensor status, pulse amplitude index.
// Normal 97 % / 72 bpm; Fast 0xF3C5 = 965 × 10^-1 = 96.5 % / 0x0049 = 73 bpm;
// Slow 98 % / 0x07FF = NaN; status 0x0080 = Validated Data (bit 7);
// device status 0x000800 = Sensor Unconnected to User (bit 11), 3 bytes; PAI 0xF020 = 32 × 10^-1 = 3.2 %.
const FULL = hex('1F 61 00 48 00 C5 F3 49 00 62 00 FF 07 80 00 00 08 00 20 F0');

test('reads every optional field in spec order', () => {
  assert.deepEqual(parsePlxContinuousMeasurement(FULL), {
    normal: { spo2: num(97), pulseRate: num(72) },
    fast: { spo2: num(96.5), pulseRate: num(73) },
    slow: { spo2: num(98), pulseRate: { kind: 'nan' } },
    measurementStatus: PlxMeasurementStatus.validatedData,
    deviceAndSensorStatus: PlxDeviceSensorStatus.sensorUnconnectedToUser,
    pulseAmplitudeIndex: num(3.2),
  });
});

test('encodes the same frame from the same values', () => {
  assert.deepEqual(
    encodePlxContinuousMeasurement({
      normal: { spo2: 97, pulseRate: 72 },
      fast: { spo2: 96.5, pulseRate: 73 },
      slow: { spo2: 98, pulseRate: NaN },
      measurementStatus: PlxMeasurementStatus.validatedData,
      deviceAndSensorStatus: PlxDeviceSensorStatus.sensorUnconnectedToUser,
      pulseAmplitudeIndex: 3.2,
    }),
    FULL,
  );
  assert.deepEqual(encodePlxContinuousMeasurement({ normal: { spo2: 97, pulseRate: 72 } }), hex('00 61 00 48 00'));
});

test('flags a measurement the oximeter itself marks unusable', () => {
  assert.ok(!isPlxMeasurementFlaggedUnusable({ measurementStatus: PlxMeasurementStatus.validatedData, deviceAndSensorStatus: 0 }));
  assert.ok(!isPlxMeasurementFlaggedUnusable({ measurementStatus: null, deviceAndSensorStatus: null }));
  assert.ok(isPlxMeasurementFlaggedUnusable({ measurementStatus: PlxMeasurementStatus.invalidMeasurementDetected, deviceAndSensorStatus: null }));
  assert.ok(isPlxMeasurementFlaggedUnusable({ measurementStatus: null, deviceAndSensorStatus: PlxDeviceSensorStatus.sensorDisconnected }));
});

test('refuses truncated frames and trailing bytes', () => {
  assertThrowsCode(() => parsePlxContinuousMeasurement(hex('')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parsePlxContinuousMeasurement(hex('00 61 00 48')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parsePlxContinuousMeasurement(FULL.subarray(0, FULL.length - 1)), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parsePlxContinuousMeasurement(hex('08 61 00 48 00 00 08')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parsePlxContinuousMeasurement(hex('00 61 00 48 00 00')), 'PROTOCOL_GATT_MALFORMED', 'trailing_bytes');
});

test('refuses to encode a status wider than its field', () => {
  assertThrowsCode(() => encodePlxContinuousMeasurement({ normal: { spo2: 97, pulseRate: 72 }, measurementStatus: 0x10000 }), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
  assertThrowsCode(
    () => encodePlxContinuousMeasurement({ normal: { spo2: 97, pulseRate: 72 }, deviceAndSensorStatus: 0x1000000 }),
    'PROTOCOL_GATT_VALUE_OUT_OF_RANGE',
  );
});

test('round-trips any valid frame byte for byte', () => {
  // Any SFLOAT code a peer may send, minus the few the encoder writes differently (2046/2047 mantissas).
  const sfloat = fc.integer({ min: 0, max: 0xffff }).map(decodeSfloat).filter((s) => s.kind !== 'number' || Math.abs(s.value) < 1e9);
  const pair = fc.record({ spo2: sfloat, pulseRate: sfloat });
  fc.assert(
    fc.property(
      fc.record({
        normal: pair,
        fast: fc.option(pair, { nil: null }),
        slow: fc.option(pair, { nil: null }),
        measurementStatus: fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: null }),
        deviceAndSensorStatus: fc.option(fc.integer({ min: 0, max: 0xffffff }), { nil: null }),
        pulseAmplitudeIndex: fc.option(sfloat, { nil: null }),
      }),
      (input) => {
        const bytes = encodePlxContinuousMeasurement(input);
        const parsed = parsePlxContinuousMeasurement(bytes);
        assert.deepEqual(encodePlxContinuousMeasurement(parsed), bytes);
      },
    ),
    { numRuns: PROPERTY_RUNS },
  );
});

test('throws only catalogued errors on any bytes', () => {
  assertOnlyCataloguedErrors(parsePlxContinuousMeasurement, 24);
});
