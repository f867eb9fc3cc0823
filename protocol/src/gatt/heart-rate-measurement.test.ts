import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { encodeHeartRateMeasurement, parseHeartRateMeasurement, type SensorContact } from './heart-rate-measurement.ts';
import { assertOnlyCataloguedErrors, assertThrowsCode, hex, PROPERTY_RUNS } from './test-helpers.ts';

test('reads a uint8 heart rate with no optional field', () => {
  // flags 0x00: uint8 value, contact not supported, no energy, no RR; 0x48 = 72 bpm.
  assert.deepEqual(parseHeartRateMeasurement(hex('00 48')), {
    bpm: 72,
    valueFormat: 'uint8',
    contact: 'not_supported',
    energyExpendedKj: null,
    rrIntervalsMs: [],
  });
});

test('reads a uint16 heart rate, contact, energy expended and RR-intervals in milliseconds', () => {
  // flags 0x1F = uint16 (bit0) | contact detected (bits1-2 = 3) | energy (bit3) | RR (bit4);
  // HR 0x0104 = 260 bpm; energy 0x0120 = 288 kJ; RR 0x0400 = 1024/1024 s = 1000 ms, 0x0333 = 819 → 799.8046875 ms.
  const m = parseHeartRateMeasurement(hex('1F 04 01 20 01 00 04 33 03'));
  assert.equal(m.bpm, 260);
  assert.equal(m.valueFormat, 'uint16');
  assert.equal(m.contact, 'detected');
  assert.equal(m.energyExpendedKj, 288);
  assert.deepEqual(m.rrIntervalsMs, [1000, 799.8046875]);
});

test('reads the sensor contact status from flags bits 1 and 2', () => {
  const contact = (flags: number) => parseHeartRateMeasurement(Uint8Array.of(flags, 60)).contact;
  assert.equal(contact(0b000), 'not_supported');
  assert.equal(contact(0b010), 'not_supported', 'bit 1 alone: contact bit without the supported bit means nothing');
  assert.equal(contact(0b100), 'not_detected');
  assert.equal(contact(0b110), 'detected');
});

test('ignores the reserved flag bits 5 to 7', () => {
  assert.equal(parseHeartRateMeasurement(hex('E0 48')).bpm, 72);
});

test('accepts the RR flag with no interval yet', () => {
  assert.deepEqual(parseHeartRateMeasurement(hex('10 48')).rrIntervalsMs, []);
});

test('refuses truncated frames, naming the reason', () => {
  assertThrowsCode(() => parseHeartRateMeasurement(hex('')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parseHeartRateMeasurement(hex('00')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parseHeartRateMeasurement(hex('01 48')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parseHeartRateMeasurement(hex('08 48 01')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
  assertThrowsCode(() => parseHeartRateMeasurement(hex('10 48 00 04 33')), 'PROTOCOL_GATT_MALFORMED', 'truncated');
});

test('refuses bytes no flag announces', () => {
  assertThrowsCode(() => parseHeartRateMeasurement(hex('00 48 00')), 'PROTOCOL_GATT_MALFORMED', 'trailing_bytes');
});

test('encodes the frame a standard strap would send', () => {
  assert.deepEqual(encodeHeartRateMeasurement({ bpm: 72 }), hex('00 48'));
  assert.deepEqual(
    encodeHeartRateMeasurement({ bpm: 260, contact: 'detected', energyExpendedKj: 288, rrIntervalsMs: [1000, 799.8046875] }),
    hex('1F 04 01 20 01 00 04 33 03'),
  );
  assert.deepEqual(encodeHeartRateMeasurement({ bpm: 72, valueFormat: 'uint16' }), hex('01 48 00'));
});

test('refuses to encode a value that does not fit its field', () => {
  assertThrowsCode(() => encodeHeartRateMeasurement({ bpm: 256, valueFormat: 'uint8' }), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
  assertThrowsCode(() => encodeHeartRateMeasurement({ bpm: 72.5 }), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
  assertThrowsCode(() => encodeHeartRateMeasurement({ bpm: 72, rrIntervalsMs: [64_000] }), 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE');
});

test('round-trips any valid measurement through encode and parse', () => {
  const contact = fc.constantFrom<SensorContact>('not_supported', 'not_detected', 'detected');
  fc.assert(
    fc.property(
      fc.boolean(),
      fc.integer({ min: 0, max: 0xffff }),
      contact,
      fc.option(fc.integer({ min: 0, max: 0xffff }), { nil: null }),
      fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 9 }),
      (wide, rawBpm, contact, energyExpendedKj, rr1024) => {
        const bpm = wide ? rawBpm : rawBpm & 0xff;
        const input = { bpm, valueFormat: wide ? 'uint16' : 'uint8', contact, energyExpendedKj, rrIntervalsMs: rr1024.map((r) => (r * 1000) / 1024) } as const;
        const parsed = parseHeartRateMeasurement(encodeHeartRateMeasurement(input));
        assert.deepEqual(parsed, input);
        assert.deepEqual(encodeHeartRateMeasurement(parsed), encodeHeartRateMeasurement(input));
      },
    ),
    { numRuns: PROPERTY_RUNS },
  );
});

test('throws only catalogued errors on any bytes', () => {
  assertOnlyCataloguedErrors(parseHeartRateMeasurement);
});
