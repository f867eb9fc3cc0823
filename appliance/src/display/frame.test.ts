import { test } from 'node:test';
import assert from 'node:assert/strict';
import { VigieError } from '@vigie/common';
import { assertValidFrame, countDifferentPixels, createFrame, isInk, packRgba, setInk } from './frame.ts';
import { FRAME_BYTES } from './port.ts';

test('packs pixel (x, y) into bit 7 − x % 8 of byte y × 32 + x / 8, ink as 1', () => {
  const frame = createFrame();
  setInk(frame, 0, 0, true);
  setInk(frame, 9, 1, true);
  setInk(frame, 249, 121, true);
  assert.equal(frame.bits[0], 0b1000_0000);
  assert.equal(frame.bits[32 + 1], 0b0100_0000);
  assert.equal(frame.bits[121 * 32 + 31], 0b0100_0000); // pixel 249 = byte 31, bit 6; bits 5..0 are padding
  assert.ok(isInk(frame, 9, 1) && !isInk(frame, 8, 1) && !isInk(frame, 250, 0) && !isInk(frame, -1, 0));
  setInk(frame, 9, 1, false);
  assert.equal(frame.bits[33], 0);
  setInk(frame, 250, 0, true); // outside: ignored
  assert.equal(frame.bits[31], 0);
});

test('makes ink of grey below 200, so anti-aliased strokes keep their weight', () => {
  const rgba = new Uint8Array(250 * 122 * 4).fill(255);
  const grey = (x: number, level: number) => rgba.set([level, level, level, 255], x * 4);
  grey(0, 0);
  grey(1, 128);
  grey(2, 199);
  grey(3, 200);
  const frame = packRgba(rgba);
  assert.deepEqual([0, 1, 2, 3, 4].map((x) => isInk(frame, x, 0)), [true, true, true, false, false]);
});

test('inverts the rectangles asked for after thresholding', () => {
  const rgba = new Uint8Array(250 * 122 * 4).fill(255);
  rgba.set([0, 0, 0, 255], (10 * 250 + 10) * 4); // one dark pixel at (10, 10)
  const frame = packRgba(rgba, [{ x: 8, y: 8, width: 4, height: 4 }]);
  assert.equal(isInk(frame, 10, 10), false, 'dark pixel turned white');
  assert.equal(isInk(frame, 9, 9), true, 'white pixel turned black');
  assert.equal(isInk(frame, 12, 12), false, 'outside the rectangle: unchanged');
  assert.equal(countDifferentPixels(frame, createFrame()), 15);
});

test('refuses frames of another size with BOX_DISPLAY_FRAME_INVALID', () => {
  const isInvalid = (err: unknown) => err instanceof VigieError && err.code === 'BOX_DISPLAY_FRAME_INVALID';
  assert.doesNotThrow(() => assertValidFrame(createFrame()));
  assert.throws(() => assertValidFrame({ ...createFrame(), bits: new Uint8Array(FRAME_BYTES - 1) }), isInvalid);
  assert.throws(() => assertValidFrame({ ...createFrame(), height: 250 as never }), isInvalid);
  assert.throws(() => assertValidFrame(null as never), isInvalid);
});
