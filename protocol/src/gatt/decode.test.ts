import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { decodeNotification, NOTIFIED_CHARACTERISTICS } from './decode.ts';
import { encodeHeartRateMeasurement } from './heart-rate-measurement.ts';
import { encodePlxContinuousMeasurement, PlxMeasurementStatus } from './plx-continuous.ts';
import { encodeBatteryLevel } from './battery-level.ts';
import { encodeEmergency, encodeSteps, encodeWorn } from './vendor.ts';
import { GattCharacteristic as C, GattService as S } from './uuids.ts';
import { assertThrowsCode, hex, parsesOrThrowsCatalogued, PROPERTY_RUNS } from './test-helpers.ts';

test('decodes each characteristic into the box’s terms', () => {
  assert.deepEqual(decodeNotification('0x180D', '2A37', encodeHeartRateMeasurement({ bpm: 72, contact: 'detected', rrIntervalsMs: [1000] })), {
    kind: 'heart_rate',
    bpm: 72,
    rrMs: [1000],
    contact: 'detected',
    energyExpendedKj: null,
  });
  assert.deepEqual(decodeNotification(S.pulseOximeter, C.plxContinuousMeasurement, encodePlxContinuousMeasurement({ normal: { spo2: 97.5, pulseRate: 70 } })), {
    kind: 'spo2',
    spo2: 97.5,
    pulseRate: 70,
    flaggedUnusable: false,
    measurementStatus: null,
    deviceAndSensorStatus: null,
    pulseAmplitudeIndex: null,
  });
  assert.deepEqual(decodeNotification(S.battery, C.batteryLevel, encodeBatteryLevel(85)), { kind: 'battery', percent: 85 });
  assert.deepEqual(decodeNotification(S.vigie, C.vigieSteps, encodeSteps({ count: 412, periodS: 1800 })), { kind: 'steps', count: 412, periodS: 1800 });
  assert.deepEqual(decodeNotification(S.vigie, C.vigieEmergency, encodeEmergency({ event: 'cardiac_arrest', seq: 7, confidence: 92 })), {
    kind: 'emergency',
    event: 'cardiac_arrest',
    seq: 7,
    confidence: 92,
  });
  assert.deepEqual(decodeNotification(S.vigie.toUpperCase(), C.vigieWorn.replaceAll('-', ''), encodeWorn(true)), { kind: 'worn', worn: true });
});

test('gives null SpO2 for a special value and says when the oximeter flags the measurement', () => {
  const bytes = encodePlxContinuousMeasurement({
    normal: { spo2: { kind: 'nres' }, pulseRate: NaN },
    measurementStatus: PlxMeasurementStatus.measurementUnavailable,
  });
  const decoded = decodeNotification(S.pulseOximeter, C.plxContinuousMeasurement, bytes);
  assert.equal(decoded.kind, 'spo2');
  if (decoded.kind !== 'spo2') return;
  assert.equal(decoded.spo2, null);
  assert.equal(decoded.pulseRate, null);
  assert.equal(decoded.flaggedUnusable, true);
});

test('refuses a characteristic it does not know, or a known one in the wrong service', () => {
  assertThrowsCode(() => decodeNotification('180d', '2a38', hex('01')), 'PROTOCOL_GATT_UNKNOWN_CHARACTERISTIC', 'unknown_characteristic');
  assertThrowsCode(() => decodeNotification('1822', '2a19', hex('55')), 'PROTOCOL_GATT_UNKNOWN_CHARACTERISTIC', 'unknown_characteristic');
  assertThrowsCode(() => decodeNotification('not-a-uuid', '2a19', hex('55')), 'PROTOCOL_GATT_INVALID_UUID', 'invalid_uuid');
});

test('refuses a malformed frame with the parser’s reason', () => {
  assertThrowsCode(() => decodeNotification('180f', '2a19', hex('C8')), 'PROTOCOL_GATT_MALFORMED', 'value_out_of_range');
  assertThrowsCode(() => decodeNotification('180d', '2a37', hex('01 48')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => decodeNotification('180d', '2a37', 'AEg=' as unknown as Uint8Array), 'PROTOCOL_GATT_MALFORMED', 'not_bytes');
});

test('decodes a Buffer as well as a Uint8Array', () => {
  assert.deepEqual(decodeNotification('180f', '2a19', Buffer.from([0x55])), { kind: 'battery', percent: 85 });
});

test('throws only catalogued errors for any characteristic and any bytes', () => {
  const pairs = [...NOTIFIED_CHARACTERISTICS.map((c) => [c.service, c.characteristic] as const), ['180d', '2a38'] as const, ['x', 'y'] as const];
  fc.assert(
    fc.property(fc.constantFrom(...pairs), fc.uint8Array({ maxLength: 32 }), ([service, characteristic], data) =>
      parsesOrThrowsCatalogued(() => decodeNotification(service, characteristic, data)),
    ),
    { numRuns: PROPERTY_RUNS },
  );
});
