import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deflateSync } from 'node:zlib';
import { VigieError } from '@vigie/common';
import { cornerFrame } from './display-port-suite.ts';
import { countDifferentPixels } from './frame.ts';
import { decodeFramePng, encodeFramePng } from './png-1bit.ts';

test('writes a 1-bit greyscale 250×122 PNG and reads it back unchanged', () => {
  const png = encodeFramePng(cornerFrame());
  assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.equal(png.toString('latin1', 12, 16), 'IHDR');
  assert.deepEqual([png.readUInt32BE(16), png.readUInt32BE(20), png[24], png[25]], [250, 122, 1, 0]);
  assert.ok(png.length < 1000, `${png.length} bytes`);
  assert.equal(countDifferentPixels(decodeFramePng(png), cornerFrame()), 0);
});

test('reads scanlines saved with any PNG filter (as optimisers write them)', () => {
  // Re-encode the corner frame's rows with filter 1 (Sub), 2 (Up), 3 (Average) and 4 (Paeth) in turn.
  const png = encodeFramePng(cornerFrame());
  const plain = decodeFramePng(png);
  const rows: Buffer[] = [];
  let prior = Buffer.alloc(32);
  for (let y = 0; y < 122; y++) {
    const row = Buffer.from(plain.bits.subarray(y * 32, y * 32 + 32)).map((b) => ~b & 0xff);
    const filter = 1 + (y % 4);
    const out = Buffer.alloc(33);
    out[0] = filter;
    for (let i = 0; i < 32; i++) {
      const a = i > 0 ? row[i - 1]! : 0;
      const b = prior[i]!;
      const c = i > 0 ? prior[i - 1]! : 0;
      const p = a + b - c;
      const paeth = Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c) ? a : Math.abs(p - b) <= Math.abs(p - c) ? b : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][filter]!;
      out[1 + i] = (row[i]! - predictor) & 0xff;
    }
    rows.push(out);
    prior = Buffer.from(row);
  }
  const idat = deflateSync(Buffer.concat(rows));
  const ihdrEnd = 8 + 25;
  const chunk = Buffer.alloc(12 + idat.length);
  chunk.writeUInt32BE(idat.length, 0);
  chunk.write('IDAT', 4, 'latin1');
  idat.copy(chunk, 8);
  const filtered = Buffer.concat([png.subarray(0, ihdrEnd), chunk, Buffer.from([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82])]);
  assert.equal(countDifferentPixels(decodeFramePng(filtered), cornerFrame()), 0);
});

test('refuses a PNG of another size or depth with BOX_DISPLAY_FRAME_INVALID', () => {
  const png = encodeFramePng(cornerFrame());
  const isInvalid = (reason: RegExp) => (err: unknown) => err instanceof VigieError && err.code === 'BOX_DISPLAY_FRAME_INVALID' && reason.test(err.message);
  const resized = Buffer.from(png);
  resized.writeUInt32BE(122, 16);
  assert.throws(() => decodeFramePng(resized), isInvalid(/size 122×122/));
  const deeper = Buffer.from(png);
  deeper[24] = 8;
  assert.throws(() => decodeFramePng(deeper), isInvalid(/1-bit/));
  assert.throws(() => decodeFramePng(Buffer.from('GIF89a')), isInvalid(/signature/));
});
