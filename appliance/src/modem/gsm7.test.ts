import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fromGsm7, packSeptets, toGsm7, unpackSeptets } from './gsm7.ts';

test('maps the 127 characters of the default alphabet to distinct septets, ESC excluded', () => {
  const septets = Array.from({ length: 128 }, (_, i) => i).filter((i) => i !== 0x1b);
  const text = fromGsm7(septets);
  assert.equal([...text].length, 127);
  assert.deepEqual(toGsm7(text), septets);
});

test('writes the extension characters as ESC + septet and refuses characters outside GSM-7', () => {
  assert.deepEqual(toGsm7('€'), [0x1b, 0x65]);
  assert.deepEqual(toGsm7('[]'), [0x1b, 0x3c, 0x1b, 0x3e]);
  assert.equal(toGsm7('ç'), undefined);
  assert.equal(toGsm7('\u001b'), undefined);
});

test('shows an unknown escape as the default character and a lone one as a space (TS 23.038 §6.2.1.1)', () => {
  assert.equal(fromGsm7([0x1b, 0x41]), 'A');
  assert.equal(fromGsm7([0x41, 0x1b]), 'A ');
});

test('unpacks what it packed, at any bit offset', () => {
  fc.assert(
    fc.property(fc.array(fc.integer({ min: 0, max: 127 }), { maxLength: 200 }), fc.integer({ min: 0, max: 48 }), (septets, startBit) => {
      const out = new Uint8Array(Math.ceil((startBit + septets.length * 7) / 8));
      packSeptets(septets, out, startBit);
      assert.deepEqual(unpackSeptets(out, septets.length, startBit), septets);
    }),
    { numRuns: 2_000 },
  );
});
