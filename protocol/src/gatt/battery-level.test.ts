import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeBatteryLevel, parseBatteryLevel } from './battery-level.ts';
import { assertOnlyCataloguedErrors, assertThrowsCode, hex } from './test-helpers.ts';

test('reads the battery level in percent', () => {
  assert.equal(parseBatteryLevel(hex('00')), 0);
  assert.equal(parseBatteryLevel(hex('55')), 85);
  assert.equal(parseBatteryLevel(hex('64')), 100);
});

test('refuses a level above 100 %, an empty frame and extra bytes', () => {
  assertThrowsCode(() => parseBatteryLevel(hex('65')), 'PROTOCOL_GATT_MALFORMED', 'value_out_of_range');
  assertThrowsCode(() => parseBatteryLevel(hex('FF')), 'PROTOCOL_GATT_MALFORMED', 'value_out_of_range');
  assertThrowsCode(() => parseBatteryLevel(hex('')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parseBatteryLevel(hex('55 00')), 'PROTOCOL_GATT_MALFORMED', 'trailing_bytes');
});

test('refuses to encode a level outside 0..100 or not whole', () => {
  assertThrowsCode(() => encodeBatteryLevel(101), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
  assertThrowsCode(() => encodeBatteryLevel(-1), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
  assertThrowsCode(() => encodeBatteryLevel(50.5), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
});

test('round-trips every valid level', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 100 }), (percent) => assert.equal(parseBatteryLevel(encodeBatteryLevel(percent)), percent)),
    { numRuns: 1_000 },
  );
});

test('throws only catalogued errors on any bytes', () => {
  assertOnlyCataloguedErrors(parseBatteryLevel, 4);
});
