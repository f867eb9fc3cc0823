import { outOfRange } from './bytes.ts';

/**
 * IEEE 11073-20601 SFLOAT-Type (used by PLXS and other health profiles): 16 bits, a 4-bit signed
 * exponent (high nibble) and a 12-bit signed mantissa (low 12 bits), both two's complement;
 * value = mantissa × 10^exponent.
 *
 * Five codes are special values, all with exponent 0 (IEEE 11073-20601, SFLOAT-Type; same table in
 * the Bluetooth Personal Health Devices Transcoding White Paper):
 *
 * | code     | mantissa    | meaning                     |
 * | -------- | ----------- | --------------------------- |
 * | `0x07FF` | +(2^11 − 1) | NaN (not a number)          |
 * | `0x0800` | −(2^11)     | NRes (not at this resolution) |
 * | `0x07FE` | +(2^11 − 2) | +INFINITY                   |
 * | `0x0802` | −(2^11 − 2) | −INFINITY                   |
 * | `0x0801` | −(2^11 − 1) | reserved for future use     |
 *
 * Decoding follows the standard literally: only these exact codes are special, so `0x17FF` is
 * 2047 × 10. Encoding never produces a mantissa in the special set (|mantissa| ≤ 2045), so a lenient
 * peer that tests the mantissa alone cannot misread what we send.
 */

/** A decoded SFLOAT: a finite number or one of the special values, told apart. */
export type Sfloat =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'nan' }
  | { readonly kind: 'nres' }
  | { readonly kind: 'positive_infinity' }
  | { readonly kind: 'negative_infinity' }
  | { readonly kind: 'reserved' };

/** The special SFLOAT codes. */
export const SFLOAT_SPECIAL = {
  nan: 0x07ff,
  nres: 0x0800,
  positive_infinity: 0x07fe,
  negative_infinity: 0x0802,
  reserved: 0x0801,
} as const satisfies Record<Exclude<Sfloat['kind'], 'number'>, number>;

/** Largest mantissa magnitude the encoder uses (2046 and 2047 belong to special values). */
const MAX_MANTISSA = 2045;
const MIN_EXPONENT = -8;
const MAX_EXPONENT = 7;

/** Decode a 16-bit SFLOAT code (0..0xFFFF). */
export function decodeSfloat(raw: number): Sfloat {
  const code = raw & 0xffff;
  switch (code) {
    case SFLOAT_SPECIAL.nan:
      return { kind: 'nan' };
    case SFLOAT_SPECIAL.nres:
      return { kind: 'nres' };
    case SFLOAT_SPECIAL.positive_infinity:
      return { kind: 'positive_infinity' };
    case SFLOAT_SPECIAL.negative_infinity:
      return { kind: 'negative_infinity' };
    case SFLOAT_SPECIAL.reserved:
      return { kind: 'reserved' };
  }
  // Sign-extend: shift the field to the top of a 32-bit int, then arithmetic-shift it back.
  const exponent = (code << 16) >> 28;
  const mantissa = (code << 20) >> 20;
  // Dividing by an exact power of ten rounds once (987 / 10 = 98.7), multiplying by 0.1 would not.
  const value = exponent < 0 ? mantissa / 10 ** -exponent : mantissa * 10 ** exponent;
  return { kind: 'number', value };
}

/**
 * The plain number of a decoded SFLOAT: NaN for NaN, NRes and reserved, ±Infinity for the
 * infinities. Use the {@link Sfloat} itself when NRes and reserved must be told apart.
 */
export function sfloatToNumber(value: Sfloat): number {
  switch (value.kind) {
    case 'number':
      return value.value;
    case 'positive_infinity':
      return Infinity;
    case 'negative_infinity':
      return -Infinity;
    case 'nan':
    case 'nres':
    case 'reserved':
      return NaN;
    default:
      return value satisfies never;
  }
}

/** A finite value, or null for every special value (what a reading can carry). */
export function sfloatToFinite(value: Sfloat): number | null {
  return value.kind === 'number' ? value.value : null;
}

/**
 * Encode a number, or a special value, as a 16-bit SFLOAT code. A number is rounded to the finest
 * exponent whose mantissa fits (3 to 4 significant digits: relative error below 1/400), then trailing zeros of the mantissa move into the exponent
 * (98 → `0x0062`, not 980 × 10⁻¹). NaN and ±Infinity map to their special codes; values whose
 * magnitude reaches 2046 × 10⁷ throw `PROTOCOL_GATT_VALUE_OUT_OF_RANGE`; values below half of
 * 10⁻⁸ become 0.
 */
export function encodeSfloat(value: number | Sfloat): number {
  if (typeof value !== 'number') {
    return value.kind === 'number' ? encodeSfloat(value.value) : SFLOAT_SPECIAL[value.kind];
  }
  if (Number.isNaN(value)) return SFLOAT_SPECIAL.nan;
  if (value === Infinity) return SFLOAT_SPECIAL.positive_infinity;
  if (value === -Infinity) return SFLOAT_SPECIAL.negative_infinity;
  for (let exponent = MIN_EXPONENT; exponent <= MAX_EXPONENT; exponent++) {
    const scaled = exponent < 0 ? value * 10 ** -exponent : value / 10 ** exponent;
    if (Math.abs(scaled) >= MAX_MANTISSA + 1) continue;
    // 2045.5 ≤ |scaled| < 2046 would round onto a special mantissa: clamping costs under one unit
    // of this exponent, where moving to the next exponent could cost five.
    let mantissa = Math.max(-MAX_MANTISSA, Math.min(MAX_MANTISSA, Math.round(scaled)));
    if (mantissa === 0) return 0;
    while (mantissa % 10 === 0 && exponent < MAX_EXPONENT) {
      mantissa /= 10;
      exponent++;
    }
    return ((exponent & 0x0f) << 12) | (mantissa & 0x0fff);
  }
  throw outOfRange('SFLOAT value', `finite with magnitude at most ${MAX_MANTISSA}e${MAX_EXPONENT}`);
}
