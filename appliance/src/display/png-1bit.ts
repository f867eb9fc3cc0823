/**
 * Frames as true 1-bit greyscale PNG files (PNG spec, ISO/IEC 15948: colour type 0, bit depth 1):
 * 3,904 bytes of pixels compress to a few hundred bytes, any image viewer opens them, and the
 * reference pictures of the screens stay small in the repository.
 */
import { deflateSync, inflateSync } from 'node:zlib';
import { displayErrors } from './errors.ts';
import { createFrame } from './frame.ts';
import { FRAME_HEIGHT, FRAME_STRIDE, FRAME_WIDTH, type Frame } from './port.ts';

const SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** Bytes of one PNG scanline at 1 bit per pixel: ceil(250 / 8) = 32, the frame stride. */
const ROW_BYTES = Math.ceil(FRAME_WIDTH / 8);

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 of a chunk's type and data (PNG spec §5.3, annex D). */
function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) c = CRC_TABLE[(c ^ b) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Buffer {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** Encode a frame as a 1-bit greyscale PNG (ink is black, PNG sample 0). */
export function encodeFramePng(frame: Frame): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(FRAME_WIDTH, 0);
  ihdr.writeUInt32BE(FRAME_HEIGHT, 4);
  ihdr.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, adaptive filtering, no interlace
  const raw = Buffer.alloc(FRAME_HEIGHT * (1 + ROW_BYTES));
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    const at = y * (1 + ROW_BYTES);
    raw[at] = 0; // filter type None
    // PNG greyscale: 0 is black. Frames: 1 is ink. Invert every byte.
    for (let i = 0; i < ROW_BYTES; i++) raw[at + 1 + i] = ~frame.bits[y * FRAME_STRIDE + i]! & 0xff;
  }
  return Buffer.concat([SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw, { level: 9 })), chunk('IEND', new Uint8Array(0))]);
}

const notAFrame = (why: string) =>
  displayErrors.create('BOX_DISPLAY_FRAME_INVALID', { message: `Not a ${FRAME_WIDTH}×${FRAME_HEIGHT} 1-bit greyscale PNG: ${why}`, details: { reason: why } });

/** The Paeth predictor (PNG spec §9.4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
}

/**
 * Decode a PNG written by {@link encodeFramePng}, or by any tool that keeps it a non-interlaced
 * 250×122 1-bit greyscale image (every filter type is undone). Throws BOX_DISPLAY_FRAME_INVALID.
 */
export function decodeFramePng(png: Uint8Array): Frame {
  const buf = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  if (buf.length < 8 || !buf.subarray(0, 8).equals(SIGNATURE)) throw notAFrame('no PNG signature');
  const idat: Buffer[] = [];
  let header: Buffer | undefined;
  for (let at = 8; at + 12 <= buf.length; ) {
    const length = buf.readUInt32BE(at);
    const type = buf.toString('latin1', at + 4, at + 8);
    const data = buf.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') header = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
    at += 12 + length;
  }
  if (header === undefined || header.length < 13) throw notAFrame('no IHDR chunk');
  if (header.readUInt32BE(0) !== FRAME_WIDTH || header.readUInt32BE(4) !== FRAME_HEIGHT) {
    throw notAFrame(`size ${header.readUInt32BE(0)}×${header.readUInt32BE(4)}`);
  }
  if (header[8] !== 1 || header[9] !== 0 || header[12] !== 0) throw notAFrame('not 1-bit greyscale, or interlaced');
  const raw = inflateSync(Buffer.concat(idat));
  if (raw.length < FRAME_HEIGHT * (1 + ROW_BYTES)) throw notAFrame('image data too short');
  const frame = createFrame();
  const prior = new Uint8Array(ROW_BYTES);
  const row = new Uint8Array(ROW_BYTES);
  for (let y = 0; y < FRAME_HEIGHT; y++) {
    const at = y * (1 + ROW_BYTES);
    const filter = raw[at]!;
    for (let i = 0; i < ROW_BYTES; i++) {
      const x = raw[at + 1 + i]!;
      // Below 8 bits per pixel the filter's "previous pixel" is the previous byte (§9.2).
      const a = i > 0 ? row[i - 1]! : 0;
      const b = prior[i]!;
      const c = i > 0 ? prior[i - 1]! : 0;
      const predictor = filter === 0 ? 0 : filter === 1 ? a : filter === 2 ? b : filter === 3 ? (a + b) >> 1 : filter === 4 ? paeth(a, b, c) : -1;
      if (predictor < 0) throw notAFrame(`unknown filter type ${filter}`);
      row[i] = (x + predictor) & 0xff;
    }
    prior.set(row);
    for (let i = 0; i < ROW_BYTES; i++) frame.bits[y * FRAME_STRIDE + i] = ~row[i]! & 0xff;
    // The 6 bits past pixel 249 are padding: keep them clear, as frames require.
    frame.bits[y * FRAME_STRIDE + ROW_BYTES - 1] = frame.bits[y * FRAME_STRIDE + ROW_BYTES - 1]! & 0xc0;
  }
  return frame;
}
