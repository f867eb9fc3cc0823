/**
 * Generators of GATT values for the fuzz properties: random bytes, and frames shaped like each
 * characteristic (flags and the fields they announce, vendor version byte, SFLOAT special codes)
 * that are then bit-flipped, truncated or extended, so that most cases reach the parsers' deep
 * branches instead of stopping at the first length check. Values come as Uint8Array, Buffer or a
 * view at an offset into a larger buffer (what noble hands over), or now and then as something that
 * is not bytes at all (a JavaScript caller's mistake).
 */
import fc from 'fast-check';
import { NOTIFIED_CHARACTERISTICS, type DecodedKind } from '../src/gatt/decode.ts';
import { SFLOAT_SPECIAL } from '../src/gatt/sfloat.ts';
import { VIGIE_FORMAT_VERSION } from '../src/gatt/vendor.ts';

/** Bytes of a frame, little-endian fields pushed in order. */
function le(...fields: readonly [value: number, bytes: number][]): number[] {
  return fields.flatMap(([value, bytes]) => Array.from({ length: bytes }, (_, i) => (value >>> (8 * i)) & 0xff));
}

/** Heart Rate Measurement length its flags announce (HRS v1.0 §3.1), with `rr` RR-intervals. */
export function heartRateLength(flags: number, rr: number): number {
  return 1 + (flags & 0x01 ? 2 : 1) + (flags & 0x08 ? 2 : 0) + (flags & 0x10 ? 2 * rr : 0);
}

/** PLX Continuous Measurement length its flags announce (PLXS v1.0.1 §3.2). */
export function plxLength(flags: number): number {
  return 5 + (flags & 0x01 ? 4 : 0) + (flags & 0x02 ? 4 : 0) + (flags & 0x04 ? 2 : 0) + (flags & 0x08 ? 3 : 0) + (flags & 0x10 ? 2 : 0);
}

/** An SFLOAT code, the five special ones much more often than 5 in 65,536. */
const sfloatCode = fc.oneof({ weight: 3, arbitrary: fc.nat(0xffff) }, { weight: 1, arbitrary: fc.constantFrom(...Object.values(SFLOAT_SPECIAL)) });

/** The format-version byte of a vendor value: mostly the one we read. */
const vendorVersion = fc.oneof({ weight: 8, arbitrary: fc.constant(VIGIE_FORMAT_VERSION) }, { weight: 1, arbitrary: fc.nat(0xff) });

/** A byte mostly inside `0..max`, sometimes anywhere. */
const byteUpTo = (max: number) => fc.oneof({ weight: 3, arbitrary: fc.nat(max) }, { weight: 1, arbitrary: fc.nat(0xff) });

/** Frames with the layout of each characteristic and random field values (valid or not). */
export const FRAME_SHAPES: Readonly<Record<DecodedKind, fc.Arbitrary<Uint8Array>>> = {
  heart_rate: fc
    .tuple(fc.nat(0xff), fc.nat(12), fc.uint8Array({ minLength: 28, maxLength: 28 }))
    .map(([flags, rr, body]) => Uint8Array.of(flags, ...body.subarray(0, heartRateLength(flags, rr) - 1))),
  spo2: fc
    .record({ flags: fc.nat(0xff), codes: fc.array(sfloatCode, { minLength: 7, maxLength: 7 }), status: fc.nat(0xffff), device: fc.nat(0xffffff) })
    .map(({ flags, codes, status, device }) => {
      const [s1, p1, s2, p2, s3, p3, pai] = codes as [number, number, number, number, number, number, number];
      const bytes = [flags, ...le([s1, 2], [p1, 2])];
      if (flags & 0x01) bytes.push(...le([s2, 2], [p2, 2]));
      if (flags & 0x02) bytes.push(...le([s3, 2], [p3, 2]));
      if (flags & 0x04) bytes.push(...le([status, 2]));
      if (flags & 0x08) bytes.push(...le([device, 3]));
      if (flags & 0x10) bytes.push(...le([pai, 2]));
      return Uint8Array.from(bytes);
    }),
  battery: byteUpTo(100).map((level) => Uint8Array.of(level)),
  steps: fc
    .tuple(vendorVersion, fc.nat({ max: 0xffffffff }), fc.oneof(fc.constant(0), fc.nat(0xffff)))
    .map(([version, count, period]) => Uint8Array.from([version, ...le([count, 4], [period, 2])])),
  emergency: fc
    .tuple(vendorVersion, fc.oneof(fc.constantFrom(1, 2, 3), fc.nat(0xff)), fc.nat(0xffff), byteUpTo(100))
    .map(([version, kind, seq, confidence]) => Uint8Array.from([version, kind, ...le([seq, 2]), confidence])),
  worn: fc.tuple(vendorVersion, byteUpTo(1)).map(([version, worn]) => Uint8Array.of(version, worn)),
};

type Mutation =
  | { readonly kind: 'flip'; readonly bits: readonly number[] }
  | { readonly kind: 'truncate'; readonly keep: number }
  | { readonly kind: 'extend'; readonly extra: Uint8Array };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.array(fc.nat(), { minLength: 1, maxLength: 4 }).map((bits): Mutation => ({ kind: 'flip', bits })),
  fc.nat().map((keep): Mutation => ({ kind: 'truncate', keep })),
  fc.uint8Array({ minLength: 1, maxLength: 8 }).map((extra): Mutation => ({ kind: 'extend', extra })),
);

function mutate(frame: Uint8Array, m: Mutation): Uint8Array {
  switch (m.kind) {
    case 'flip': {
      const out = Uint8Array.from(frame);
      if (out.length > 0) for (const bit of m.bits) out[(bit >> 3) % out.length]! ^= 1 << (bit & 7);
      return out;
    }
    case 'truncate':
      return frame.slice(0, m.keep % (frame.length + 1));
    case 'extend':
      return Uint8Array.from([...frame, ...m.extra]);
    default:
      return m satisfies never;
  }
}

/** `frames` as sent (no mutation, half of the time), or with one to three mutations. */
export function mutated(frames: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(frames, fc.oneof(fc.constant([]), fc.array(mutation, { minLength: 1, maxLength: 3 })))
    .map(([frame, mutations]) => mutations.reduce(mutate, frame));
}

type Container = 'uint8array' | 'buffer' | 'view';

function inContainer(bytes: Uint8Array, container: Container): Uint8Array {
  if (container === 'buffer') return Buffer.from(bytes);
  if (container === 'uint8array') return bytes;
  const backing = new Uint8Array(bytes.length + 8).fill(0xee);
  backing.set(bytes, 5);
  return backing.subarray(5, 5 + bytes.length);
}

/** Random bytes: mostly short, sometimes up to past the 512-octet GATT value limit. */
export const randomBytes = fc.oneof(
  { weight: 4, arbitrary: fc.uint8Array({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 25, maxLength: 600 }) },
);

/** Values a JavaScript caller might pass instead of bytes. Typed as bytes on purpose. */
const notBytes = fc.oneof(
  fc.constantFrom<unknown>(null, undefined, 0, 'AEg=', [1, 2, 3], new Uint16Array([0x16, 0x48]), new ArrayBuffer(3), new DataView(new ArrayBuffer(2))),
  fc.anything(),
) as fc.Arbitrary<unknown> as fc.Arbitrary<Uint8Array>;

/** Any input for the parser of `kind`: shaped and mutated, another characteristic's, random, or not bytes. */
export function gattValue(kind: DecodedKind): fc.Arbitrary<Uint8Array> {
  const bytes = fc.oneof(
    { weight: 6, arbitrary: mutated(FRAME_SHAPES[kind]) },
    { weight: 1, arbitrary: mutated(fc.oneof(...Object.values(FRAME_SHAPES))) },
    { weight: 3, arbitrary: randomBytes },
  );
  const contained = fc.tuple(bytes, fc.constantFrom<Container>('uint8array', 'buffer', 'view')).map(([b, c]) => inContainer(b, c));
  return fc.oneof({ weight: 19, arbitrary: contained }, { weight: 1, arbitrary: notBytes });
}

const BASE_SUFFIX = '-0000-1000-8000-00805f9b34fb';

/** Every way a valid UUID may be written: alias, 32-bit alias, 128-bit with or without dashes, 0x, case, blanks. */
export function spellingsOf(normalized: string): string[] {
  const full = normalized.length === 4 ? `0000${normalized}${BASE_SUFFIX}` : normalized;
  const forms = [normalized, full, full.replaceAll('-', '')];
  if (normalized.length === 4) forms.push(`0x${normalized}`, `0000${normalized}`);
  return forms.flatMap((f) => [f, f.toUpperCase(), ` ${f}\n`]);
}

/** A known (service, characteristic) pair in any of its spellings. */
export const knownPair = fc.constantFrom(...NOTIFIED_CHARACTERISTICS).chain((pair) =>
  fc.record({ pair: fc.constant(pair), service: fc.constantFrom(...spellingsOf(pair.service)), characteristic: fc.constantFrom(...spellingsOf(pair.characteristic)) }),
);

const hexDigits = (length: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdefABCDEF'), minLength: length, maxLength: length });

/** Text that may or may not be a Bluetooth UUID, or not even a string. Typed as a string on purpose. */
export const uuidLike: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(...NOTIFIED_CHARACTERISTICS.flatMap((c) => [c.service, c.characteristic]), '180a', '2a38'),
  fc.constantFrom(...NOTIFIED_CHARACTERISTICS.flatMap((c) => spellingsOf(c.characteristic))),
  hexDigits(4),
  hexDigits(8),
  hexDigits(32),
  fc.tuple(hexDigits(8), hexDigits(4), hexDigits(4), hexDigits(4), hexDigits(12)).map((parts) => parts.join('-')),
  hexDigits(4).map((h) => `0x${h}`),
  fc.tuple(fc.constantFrom(...NOTIFIED_CHARACTERISTICS.map((c) => c.characteristic)), fc.nat(), fc.string({ minLength: 1, maxLength: 1 })).map(
    ([uuid, at, char]) => `${uuid.slice(0, at % uuid.length)}${char}${uuid.slice((at % uuid.length) + 1)}`,
  ),
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.anything() as fc.Arbitrary<unknown> as fc.Arbitrary<string>,
);
