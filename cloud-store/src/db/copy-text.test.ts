import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { copyStatement, copyText, isoTimestamp } from './copy-text.ts';

test('isoTimestamp writes what Date.toISOString writes, for any millisecond from 1970 to 9999 and across day changes', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 253_402_300_799_999 }), { minLength: 1, maxLength: 20 }), (times) => {
      for (const ms of times) assert.equal(isoTimestamp(ms), new Date(ms).toISOString());
    }),
    { numRuns: 5_000 },
  );
  for (const ms of [0, 86_399_999, 86_400_000, Date.UTC(2028, 1, 29, 23, 59, 59, 999), Date.UTC(2026, 11, 31, 23, 59, 59, 1)]) {
    assert.equal(isoTimestamp(ms), new Date(ms).toISOString());
  }
  assert.equal(isoTimestamp(1.5), new Date(1.5).toISOString(), 'a fractional millisecond takes the slow, exact path');
});

test('copyText escapes what would split a row or a column, and marks NULL', () => {
  assert.deepEqual(copyText([['a\tb', 'c\nd', 'e\\f', 'g\rh', null, 2.5, true]], 7), ['a\\tb\tc\\nd\te\\\\f\tg\\rh\t\\N\t2.5\tt\n']);
  assert.deepEqual(copyText([[1], [2], [3]], 1, 2), ['1\n2\n', '3\n']);
  assert.deepEqual(copyText([], 1), []);
  assert.throws(() => copyText([[Number.POSITIVE_INFINITY]], 1), /not a finite number/);
  assert.equal(copyStatement('measurements', ['a', 'b_c'], 'STDIN'), 'COPY measurements (a, b_c) FROM STDIN');
  assert.throws(() => copyStatement('Measurements', ['a'], 'STDIN'), /not a plain identifier/);
  assert.throws(() => copyStatement('m', [], 'STDIN'), /no columns/);
});
