/**
 * GSM 7-bit default alphabet and its extension table (3GPP TS 23.038 §6.2.1 and §6.2.1.1), and the
 * packing of septets into octets (TS 23.038 §6.1.2.1.1).
 */

/** The escape septet: the next septet is read in the extension table. */
export const GSM7_ESCAPE = 0x1b;

/**
 * The default alphabet, indexed by septet value (TS 23.038 §6.2.1). 0x1B is the escape, never a
 * character of its own; 0x09 is the capital Ç (the lower-case ç is not in the alphabet).
 */
const DEFAULT_ALPHABET =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

/** The extension table (TS 23.038 §6.2.1.1): septet after ESC → character. */
const EXTENSION: ReadonlyMap<number, string> = new Map([
  [0x0a, '\f'],
  [0x14, '^'],
  [0x28, '{'],
  [0x29, '}'],
  [0x2f, '\\'],
  [0x3c, '['],
  [0x3d, '~'],
  [0x3e, ']'],
  [0x40, '|'],
  [0x65, '€'],
]);

const ENCODE = new Map<string, readonly number[]>();
for (let i = 0; i < DEFAULT_ALPHABET.length; i++) {
  if (i !== GSM7_ESCAPE) ENCODE.set(DEFAULT_ALPHABET[i]!, [i]);
}
for (const [septet, char] of EXTENSION) ENCODE.set(char, [GSM7_ESCAPE, septet]);

/**
 * The septets of one character (one or two: ESC + extension), or undefined when the character is not
 * in the default alphabet nor its extension table.
 */
export function gsm7SeptetsOf(char: string): readonly number[] | undefined {
  return ENCODE.get(char);
}

/** The septets of `text`, or undefined when a character is outside GSM-7 (the text needs UCS-2). */
export function toGsm7(text: string): number[] | undefined {
  const septets: number[] = [];
  for (const char of text) {
    const s = ENCODE.get(char);
    if (!s) return undefined;
    septets.push(...s);
  }
  return septets;
}

/**
 * Text of a septet sequence. An escape followed by a septet absent from the extension table shows the
 * default-table character (TS 23.038 §6.2.1.1 note); a lone or doubled escape shows a space.
 */
export function fromGsm7(septets: ArrayLike<number>): string {
  let text = '';
  for (let i = 0; i < septets.length; i++) {
    const s = septets[i]! & 0x7f;
    if (s !== GSM7_ESCAPE) {
      text += DEFAULT_ALPHABET[s];
      continue;
    }
    const next = i + 1 < septets.length ? septets[i + 1]! & 0x7f : undefined;
    i++;
    if (next === undefined || next === GSM7_ESCAPE) text += ' ';
    else text += EXTENSION.get(next) ?? DEFAULT_ALPHABET[next];
  }
  return text;
}

/**
 * Pack septets into `out`, the first one starting at bit `startBit` (LSB first, TS 23.038
 * §6.1.2.1.1). `out` must be long enough: `ceil((startBit + 7 * septets.length) / 8)` octets.
 */
export function packSeptets(septets: ArrayLike<number>, out: Uint8Array, startBit = 0): void {
  for (let i = 0; i < septets.length; i++) {
    const bit = startBit + i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    const s = septets[i]! & 0x7f;
    out[byte] = (out[byte]! | (s << shift)) & 0xff;
    if (shift > 1) out[byte + 1] = (out[byte + 1]! | (s >> (8 - shift))) & 0xff;
  }
}

/** Read `count` septets from `bytes` starting at bit `startBit`. */
export function unpackSeptets(bytes: Uint8Array, count: number, startBit = 0): number[] {
  const septets: number[] = [];
  for (let i = 0; i < count; i++) {
    const bit = startBit + i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    let s = (bytes[byte] ?? 0) >> shift;
    if (shift > 1) s |= (bytes[byte + 1] ?? 0) << (8 - shift);
    septets.push(s & 0x7f);
  }
  return septets;
}
