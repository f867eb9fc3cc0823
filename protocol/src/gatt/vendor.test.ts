import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeEmergency, encodeSteps, encodeWorn, parseEmergency, parseSteps, parseWorn } from './vendor.ts';
import { assertOnlyCataloguedErrors, assertThrowsCode, hex, PROPERTY_RUNS } from './test-helpers.ts';

test('reads a steps frame: version, uint32 count, uint16 period, little-endian', () => {
  // 01 | D2 04 00 00 = 1234 steps | 08 07 = 0x0708 = 1800 s.
  assert.deepEqual(parseSteps(hex('01 D2 04 00 00 08 07')), { count: 1234, periodS: 1800 });
  assert.deepEqual(encodeSteps({ count: 1234, periodS: 1800 }), hex('01 D2 04 00 00 08 07'));
  // The top bit of the count stays unsigned: FF FF FF FF = 4294967295.
  assert.equal(parseSteps(hex('01 FF FF FF FF 01 00')).count, 0xffffffff);
});

test('reads an emergency frame: version, kind, uint16 sequence, confidence', () => {
  // 01 | 01 fall | 2A 01 = 298 | 57 = 87 %.
  assert.deepEqual(parseEmergency(hex('01 01 2A 01 57')), { event: 'fall', seq: 298, confidence: 87 });
  assert.deepEqual(parseEmergency(hex('01 02 00 00 5C')), { event: 'cardiac_arrest', seq: 0, confidence: 92 });
  assert.deepEqual(parseEmergency(hex('01 03 FF FF 64')), { event: 'manual_help', seq: 65535, confidence: 100 });
  assert.deepEqual(encodeEmergency({ event: 'fall', seq: 298, confidence: 87 }), hex('01 01 2A 01 57'));
});

test('reads a worn frame', () => {
  assert.equal(parseWorn(hex('01 01')), true);
  assert.equal(parseWorn(hex('01 00')), false);
  assert.deepEqual(encodeWorn(false), hex('01 00'));
});

test('refuses a format version it does not know', () => {
  assertThrowsCode(() => parseSteps(hex('02 D2 04 00 00 08 07')), 'PROTOCOL_GATT_UNSUPPORTED_VERSION', 'unsupported_version');
  assertThrowsCode(() => parseEmergency(hex('00 01 2A 01 57')), 'PROTOCOL_GATT_UNSUPPORTED_VERSION', 'unsupported_version');
  assertThrowsCode(() => parseWorn(hex('FF 01')), 'PROTOCOL_GATT_UNSUPPORTED_VERSION', 'unsupported_version');
});

test('refuses truncated, overlong and out-of-range vendor frames', () => {
  assertThrowsCode(() => parseSteps(hex('')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parseSteps(hex('01 D2 04 00 00 08')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parseSteps(hex('01 D2 04 00 00 08 07 00')), 'PROTOCOL_GATT_MALFORMED', 'trailing_bytes');
  assertThrowsCode(() => parseSteps(hex('01 D2 04 00 00 00 00')), 'PROTOCOL_GATT_MALFORMED', 'value_out_of_range');
  assertThrowsCode(() => parseEmergency(hex('01 01 2A 01')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parseEmergency(hex('01 04 2A 01 57')), 'PROTOCOL_GATT_MALFORMED', 'value_out_of_range');
  assertThrowsCode(() => parseEmergency(hex('01 00 2A 01 57')), 'PROTOCOL_GATT_MALFORMED', 'value_out_of_range');
  assertThrowsCode(() => parseEmergency(hex('01 01 2A 01 65')), 'PROTOCOL_GATT_MALFORMED', 'value_out_of_range');
  assertThrowsCode(() => parseWorn(hex('01')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parseWorn(hex('01 02')), 'PROTOCOL_GATT_MALFORMED', 'value_out_of_range');
});

test('refuses to encode values outside their fields', () => {
  assertThrowsCode(() => encodeSteps({ count: -1, periodS: 1800 }), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
  assertThrowsCode(() => encodeSteps({ count: 10, periodS: 0 }), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
  assertThrowsCode(() => encodeEmergency({ event: 'fall', seq: 65536, confidence: 50 }), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
  assertThrowsCode(() => encodeEmergency({ event: 'fall', seq: 1, confidence: 101 }), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
  assertThrowsCode(() => encodeEmergency({ event: 'stroke' as 'fall', seq: 1, confidence: 50 }), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
});

test('round-trips every valid vendor value', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), fc.integer({ min: 1, max: 0xffff }), (count, periodS) => {
      assert.deepEqual(parseSteps(encodeSteps({ count, periodS })), { count, periodS });
    }),
    { numRuns: PROPERTY_RUNS },
  );
  fc.assert(
    fc.property(
      fc.constantFrom('fall', 'cardiac_arrest', 'manual_help' as const),
      fc.integer({ min: 0, max: 0xffff }),
      fc.integer({ min: 0, max: 100 }),
      (event, seq, confidence) => assert.deepEqual(parseEmergency(encodeEmergency({ event, seq, confidence })), { event, seq, confidence }),
    ),
    { numRuns: PROPERTY_RUNS },
  );
  assert.equal(parseWorn(encodeWorn(true)), true);
});

test('throws only catalogued errors on any bytes', () => {
  assertOnlyCataloguedErrors(parseSteps, 10);
  assertOnlyCataloguedErrors(parseEmergency, 8);
  assertOnlyCataloguedErrors(parseWorn, 4);
});
