import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { protocolErrors } from '../errors.ts';
import { decodeSfloat, encodeSfloat, sfloatToFinite, sfloatToNumber, type Sfloat } from './sfloat.ts';

// Each vector worked out by hand: high nibble = exponent (4-bit two's complement), low 12 bits =
// mantissa (12-bit two's complement), value = mantissa × 10^exponent.
const vectors: { raw: number; value: number; how: string }[] = [
  { raw: 0xf3e8, value: 100, how: 'exp 0xF = -1; mantissa 0x3E8 = 1000; 1000 × 10^-1 = 100.0' },
  { raw: 0x0062, value: 98, how: 'exp 0; mantissa 0x062 = 98' },
  { raw: 0xf3d9, value: 98.5, how: 'exp -1; mantissa 0x3D9 = 985; 98.5' },
  { raw: 0xe3d6, value: 9.82, how: 'exp 0xE = -2; mantissa 0x3D6 = 982; 9.82' },
  { raw: 0xff80, value: -12.8, how: 'exp -1; mantissa 0xF80 = 3968 - 4096 = -128; -12.8' },
  { raw: 0x0fff, value: -1, how: 'exp 0; mantissa 0xFFF = -1' },
  { raw: 0x2001, value: 100, how: 'exp 2; mantissa 1; 1 × 10^2' },
  { raw: 0x8001, value: 1e-8, how: 'exp 0x8 = -8 (most negative); mantissa 1' },
  { raw: 0x77fd, value: 2045e7, how: 'exp 7 (largest); mantissa 0x7FD = 2045' },
  { raw: 0x0000, value: 0, how: 'zero' },
  { raw: 0x17ff, value: 20470, how: 'mantissa 0x7FF with exp 1: only exp 0 makes it NaN, so 2047 × 10' },
  { raw: 0x1800, value: -20480, how: 'mantissa 0x800 = -2048 with exp 1: a number, not NRes' },
];

test('never lets rounding land on a special mantissa', () => {
  // -0.020455 × 10^5 = -2045.5 would round to -2046 (the -INFINITY mantissa): clamped to -2045 × 10^-5.
  assert.equal(encodeSfloat(-0.020455), 0xb803);
});

test('decodes SFLOAT values worked out from IEEE 11073-20601', () => {
  for (const v of vectors) assert.deepEqual(decodeSfloat(v.raw), { kind: 'number', value: v.value }, v.how);
});

test('tells apart the five special SFLOAT values', () => {
  assert.deepEqual(decodeSfloat(0x07ff), { kind: 'nan' });
  assert.deepEqual(decodeSfloat(0x0800), { kind: 'nres' });
  assert.deepEqual(decodeSfloat(0x07fe), { kind: 'positive_infinity' });
  assert.deepEqual(decodeSfloat(0x0802), { kind: 'negative_infinity' });
  assert.deepEqual(decodeSfloat(0x0801), { kind: 'reserved' });
  assert.ok(Number.isNaN(sfloatToNumber({ kind: 'nres' })));
  assert.ok(Number.isNaN(sfloatToNumber({ kind: 'reserved' })));
  assert.equal(sfloatToNumber({ kind: 'positive_infinity' }), Infinity);
  assert.equal(sfloatToNumber({ kind: 'negative_infinity' }), -Infinity);
  assert.equal(sfloatToFinite({ kind: 'nan' }), null);
  assert.equal(sfloatToFinite({ kind: 'number', value: 97 }), 97);
});

test('encodes with the finest exponent and no trailing zeros in the mantissa', () => {
  assert.equal(encodeSfloat(98), 0x0062);
  assert.equal(encodeSfloat(100), 0x2001, '100 = 1 × 10^2, not 1000 × 10^-1');
  assert.equal(encodeSfloat(98.5), 0xf3d9);
  assert.equal(encodeSfloat(9.82), 0xe3d6);
  assert.equal(encodeSfloat(-12.8), 0xff80);
  assert.equal(encodeSfloat(0), 0x0000);
  assert.equal(encodeSfloat(-0), 0x0000);
  assert.equal(encodeSfloat(1e-12), 0x0000, 'below half of 10^-8 rounds to zero');
  assert.equal(encodeSfloat(2045e7), 0x77fd);
  // 2046 would be the +INFINITY mantissa; the encoder moves to exponent 1: 205 × 10 = 2050.
  assert.equal(encodeSfloat(2046), 0x10cd);
  assert.equal(encodeSfloat(NaN), 0x07ff);
  assert.equal(encodeSfloat(Infinity), 0x07fe);
  assert.equal(encodeSfloat(-Infinity), 0x0802);
  assert.equal(encodeSfloat({ kind: 'nres' }), 0x0800);
  assert.equal(encodeSfloat({ kind: 'reserved' }), 0x0801);
  assert.equal(encodeSfloat({ kind: 'number', value: 97 }), 0x0061);
});

test('refuses a number too large for an SFLOAT with a catalogued error', () => {
  assert.throws(() => encodeSfloat(2046e7), (err) => protocolErrors.is(err, 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE'));
});

test('round-trips every SFLOAT code through decode and encode to the same value', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffff }), (raw) => {
      const decoded: Sfloat = decodeSfloat(raw);
      if (decoded.kind === 'number' && Math.abs(decoded.value) >= 2046e7) {
        // Mantissa ±2046/2047 at exponent 7: readable, but beyond what the encoder emits.
        return assert.throws(() => encodeSfloat(decoded), (err) => protocolErrors.is(err, 'PROTOCOL_GATT_VALUE_OUT_OF_RANGE'));
      }
      const again = decodeSfloat(encodeSfloat(decoded));
      if (decoded.kind !== 'number') return assert.deepEqual(again, decoded);
      assert.equal(again.kind, 'number');
      // Mantissas 2046/2047 lose their last digit (the encoder avoids special mantissas).
      const value = (again as { value: number }).value;
      assert.ok(Math.abs(value - decoded.value) <= Math.abs(decoded.value) * 0.003 + 1e-12, `${raw.toString(16)}: ${value} vs ${decoded.value}`);
    }),
    { numRuns: 20_000 },
  );
});

test('encodes any finite value in range with under 1/400 relative error', () => {
  fc.assert(
    fc.property(fc.double({ min: -2045e7, max: 2045e7, noNaN: true }), (value) => {
      const decoded = decodeSfloat(encodeSfloat(value));
      assert.equal(decoded.kind, 'number');
      const back = (decoded as { value: number }).value;
      // The chosen exponent leaves |mantissa| ≥ 204.6 (the finer one overflowed), so half a unit
      // is below 1/409 of the value; values below 10^-8 lose at most half of 10^-8.
      assert.ok(Math.abs(back - value) <= Math.max(Math.abs(value) / 400, 0.5e-8 + 1e-15), `${value} → ${back}`);
    }),
    { numRuns: 20_000 },
  );
});
