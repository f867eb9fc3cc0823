/**
 * The simulated bracelet's firmware image format. A real bracelet runs the image's code; the
 * simulator cannot, so the image header says how the simulated firmware behaves when booted:
 * `boots` (it starts and confirms itself) or `panics` (it crashes during boot, before confirming —
 * what a bad build does on a real device). The bootloader also refuses an image without the magic.
 *
 * | offset | type  | field                                  |
 * | ------ | ----- | -------------------------------------- |
 * | 0      | 4 B   | magic `VGFW`                           |
 * | 4      | uint8 | n, then n bytes: version (UTF-8)       |
 * | 5+n    | uint8 | boot behaviour: 0 boots, 1 panics      |
 * | 6+n    | …     | body (the code, opaque)                |
 */

const MAGIC = Buffer.from('VGFW');

export type BootBehaviour = 'boots' | 'panics';

/** Build a simulated firmware image (tests, `npm start`'s demo release). */
export function buildFirmwareImage(version: string, body: Uint8Array, behaviour: BootBehaviour = 'boots'): Buffer {
  const v = Buffer.from(version, 'utf8');
  return Buffer.concat([MAGIC, Buffer.from([v.length]), v, Buffer.from([behaviour === 'panics' ? 1 : 0]), body]);
}

/** What the bootloader reads of an image: its version and whether it runs; null when it is not an image. */
export function readFirmwareImage(image: Uint8Array): { version: string; behaviour: BootBehaviour } | null {
  const buf = Buffer.from(image.buffer, image.byteOffset, image.byteLength);
  if (buf.length < 6 || !buf.subarray(0, 4).equals(MAGIC)) return null;
  const n = buf[4]!;
  if (buf.length < 6 + n) return null;
  return { version: buf.subarray(5, 5 + n).toString('utf8'), behaviour: buf[5 + n] === 1 ? 'panics' : 'boots' };
}
