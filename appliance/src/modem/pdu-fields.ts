/**
 * The fields SMS TPDUs are built from (3GPP TS 23.040 §9.1.2 and §9.2.3): addresses in semi-octets,
 * the service-centre time stamp, the data coding scheme (TS 23.038 §4), the user-data header.
 */
import { fromGsm7, packSeptets, unpackSeptets } from './gsm7.ts';
import { modemErrors } from './errors.ts';

/** A malformed PDU: one catalogued error, the reason in details (never the PDU: it holds a number). */
export function invalidPdu(reason: string): Error {
  return modemErrors.create('BOX_MODEM_PDU_INVALID', { message: `Invalid SMS PDU: ${reason}`, details: { reason } });
}

/** Bytes of a hex string; throws BOX_MODEM_PDU_INVALID on odd length or a non-hex character. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw invalidPdu('not an even-length hex string');
  return Uint8Array.from(Buffer.from(hex, 'hex'));
}

/** Upper-case hex of bytes, as modems print PDUs. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('hex').toUpperCase();
}

/** A bounds-checked cursor over a PDU. */
export class PduReader {
  #offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  get offset(): number {
    return this.#offset;
  }

  get remaining(): number {
    return this.bytes.length - this.#offset;
  }

  octet(what: string): number {
    if (this.#offset >= this.bytes.length) throw invalidPdu(`truncated at ${what}`);
    return this.bytes[this.#offset++]!;
  }

  take(length: number, what: string): Uint8Array {
    if (length > this.remaining) throw invalidPdu(`truncated at ${what}`);
    const out = this.bytes.subarray(this.#offset, this.#offset + length);
    this.#offset += length;
    return out;
  }
}

const SEMI_OCTET_DIGITS = '0123456789*#abc';

/** TON/NPI octet (TS 23.040 §9.1.2.5): international/ISDN, unknown/ISDN, alphanumeric. */
export const TON_INTERNATIONAL = 0x91;
export const TON_UNKNOWN = 0x81;
const TON_ALPHANUMERIC = 0b101;

function semiOctets(digits: string): Uint8Array {
  const out = new Uint8Array(Math.ceil(digits.length / 2)).fill(0xff);
  for (let i = 0; i < digits.length; i++) {
    const value = SEMI_OCTET_DIGITS.indexOf(digits[i]!.toLowerCase());
    if (value < 0) throw invalidPdu('an address holds a character that is not a digit');
    // Semi-octets: the first digit in the low nibble (TS 23.040 §9.1.2.3); F fills an odd count.
    out[i >> 1] = i % 2 === 0 ? (out[i >> 1]! & 0xf0) | value : (out[i >> 1]! & 0x0f) | (value << 4);
  }
  return out;
}

function digitsOf(bytes: Uint8Array, count: number): string {
  let digits = '';
  for (let i = 0; i < count; i++) {
    const byte = bytes[i >> 1]!;
    const nibble = i % 2 === 0 ? byte & 0x0f : byte >> 4;
    if (nibble === 0x0f) break;
    digits += SEMI_OCTET_DIGITS[nibble];
  }
  return digits;
}

/**
 * TP-DA / TP-OA (TS 23.040 §9.1.2.5): length in useful semi-octets, TON/NPI, digits. `+33…` is
 * international (0x91); anything else is sent as dialled, TON unknown (0x81), for the network to
 * interpret with its national prefix.
 */
export function encodeAddress(number: string): Uint8Array {
  const international = number.startsWith('+');
  const digits = international ? number.slice(1) : number;
  if (digits.length === 0 || digits.length > 20) throw invalidPdu('an address must have 1 to 20 digits');
  return Uint8Array.from([digits.length, international ? TON_INTERNATIONAL : TON_UNKNOWN, ...semiOctets(digits)]);
}

/** Read a TP-OA / TP-DA; alphanumeric senders (TON 101) are GSM-7 packed. */
export function readAddress(reader: PduReader): string {
  const length = reader.octet('address length');
  const type = reader.octet('address type');
  const octets = reader.take(Math.ceil(length / 2), 'address');
  if (((type >> 4) & 0b111) === TON_ALPHANUMERIC) return fromGsm7(unpackSeptets(octets, Math.floor((length * 4) / 7)));
  const digits = digitsOf(octets, length);
  return ((type >> 4) & 0b111) === 0b001 ? `+${digits}` : digits;
}

/** The SMSC address field in front of a TPDU (TS 24.011 §8.2.5.1): length in octets, 0 = the SIM's. */
export function encodeSmscAddress(number: string | undefined): Uint8Array {
  if (!number) return Uint8Array.of(0);
  const address = encodeAddress(number);
  return Uint8Array.from([address.length - 1, ...address.subarray(1)]);
}

/** Read the SMSC address field; null when absent (length 0). */
export function readSmscAddress(reader: PduReader): string | null {
  const length = reader.octet('SMSC length');
  if (length === 0) return null;
  const type = reader.octet('SMSC type');
  const digits = digitsOf(reader.take(length - 1, 'SMSC address'), (length - 1) * 2);
  return ((type >> 4) & 0b111) === 0b001 ? `+${digits}` : digits;
}

function bcd(value: number): number {
  return ((value % 10) << 4) | Math.floor(value / 10) % 10;
}

/** Two BCD digits, swapped (TS 23.040 §9.2.3.11: the first digit in the low nibble); undefined when a nibble is not 0–9. */
function unbcd(octet: number): number | undefined {
  const tens = octet & 0x0f;
  const units = octet >> 4;
  return tens > 9 || units > 9 ? undefined : tens * 10 + units;
}

/** TP-SCTS (TS 23.040 §9.2.3.11) for an epoch-ms instant, written in UTC (time zone 0). */
export function encodeTimestamp(epochMs: number): Uint8Array {
  const d = new Date(epochMs);
  return Uint8Array.of(
    bcd(d.getUTCFullYear() % 100),
    bcd(d.getUTCMonth() + 1),
    bcd(d.getUTCDate()),
    bcd(d.getUTCHours()),
    bcd(d.getUTCMinutes()),
    bcd(d.getUTCSeconds()),
    0,
  );
}

/** Offsets from UTC in use span −12 h to +14 h: at most 56 quarters of an hour. */
const MAX_ZONE_QUARTERS = 14 * 4;

/**
 * Epoch ms of a TP-SCTS (TS 23.040 §9.2.3.11), or undefined when it is not a date: a nibble that is
 * not a BCD digit (an `FF…` filler), a field out of range (month 13, 30 February, hour 24, second
 * 60), or a zone beyond ±14 h. The 7 octets are consumed either way. The last octet is the offset
 * from UTC in quarters of an hour; bit 3 (the first semi-octet's high bit) is its sign. Years 90–99
 * are the 1990s (published test vectors).
 */
export function readTimestamp(reader: PduReader): number | undefined {
  const o = reader.take(7, 'time stamp');
  const [yy, month, day, hour, minute, second] = Array.from(o.subarray(0, 6), unbcd);
  const tz = o[6]!;
  const zoneTens = tz & 0x07;
  const zoneUnits = tz >> 4;
  if (yy === undefined || month === undefined || day === undefined || hour === undefined || minute === undefined || second === undefined) return undefined;
  if (zoneUnits > 9) return undefined;
  const quarters = (zoneTens * 10 + zoneUnits) * (tz & 0x08 ? -1 : 1);
  const year = yy >= 90 ? 1900 + yy : 2000 + yy;
  // Day 0 of the next month is the last day of this one.
  const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
  if (day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || Math.abs(quarters) > MAX_ZONE_QUARTERS) return undefined;
  const local = Date.UTC(year, month - 1, day, hour, minute, second);
  return local - quarters * 15 * 60_000;
}

/** Character sets of TP-DCS we handle. */
export type SmsAlphabet = 'gsm7' | '8bit' | 'ucs2';

/** TP-DCS for a text (TS 23.038 §4, general data coding, no class): 0x00 GSM-7, 0x08 UCS-2. */
export function dcsFor(alphabet: 'gsm7' | 'ucs2'): number {
  return alphabet === 'gsm7' ? 0x00 : 0x08;
}

/** The alphabet a TP-DCS announces (TS 23.038 §4); reserved and compressed codings are refused. */
export function alphabetOf(dcs: number): SmsAlphabet {
  const group = dcs >> 4;
  if (group <= 0b0111) {
    // General data coding (00xx) and automatic deletion (01xx): bit 5 = compressed, bits 3..2 = alphabet.
    if (dcs & 0x20) throw invalidPdu('compressed user data is not supported');
    const alphabet = (dcs >> 2) & 0b11;
    return alphabet === 0b01 ? '8bit' : alphabet === 0b10 ? 'ucs2' : 'gsm7';
  }
  if (group === 0b1110) return 'ucs2'; // message waiting, store, UCS-2
  if (group === 0b1111) return dcs & 0x04 ? '8bit' : 'gsm7'; // data coding / message class
  return 'gsm7'; // message waiting groups 1100/1101 and reserved groups 1000..1011 are GSM-7
}

/** Concatenation information element (TS 23.040 §9.2.3.24.1 and .8). */
export interface ConcatInfo {
  readonly reference: number;
  readonly total: number;
  readonly sequence: number;
}

/** A UDH with the 8-bit-reference concatenation IE: UDHL=5, IEI 0x00, IEDL 3, ref, total, seq. */
export function concatHeader(info: ConcatInfo): Uint8Array {
  return Uint8Array.of(5, 0x00, 3, info.reference & 0xff, info.total, info.sequence);
}

/** The concatenation IE of a UDH (8-bit 0x00 or 16-bit 0x08 reference), if any. */
export function readConcat(udh: Uint8Array): ConcatInfo | undefined {
  let i = 1; // udh[0] is UDHL
  while (i + 1 < udh.length) {
    const iei = udh[i]!;
    const length = udh[i + 1]!;
    const data = udh.subarray(i + 2, i + 2 + length);
    if (data.length < length) throw invalidPdu('user-data header overruns');
    if (iei === 0x00 && length === 3) return { reference: data[0]!, total: data[1]!, sequence: data[2]! };
    if (iei === 0x08 && length === 4) return { reference: (data[0]! << 8) | data[1]!, total: data[2]!, sequence: data[3]! };
    i += 2 + length;
  }
  return undefined;
}

/**
 * TP-UDL + TP-UD for one part. GSM-7: UDL counts septets, header included; after the header the
 * septets start on a septet boundary (fill bits, TS 23.040 §9.2.3.24). UCS-2: UDL counts octets.
 */
export function encodeUserData(body: { septets: readonly number[] } | { ucs2: string }, header?: Uint8Array): Uint8Array {
  const headerLength = header?.length ?? 0;
  if ('septets' in body) {
    const headerSeptets = Math.ceil((headerLength * 8) / 7);
    const udl = headerSeptets + body.septets.length;
    const ud = new Uint8Array(1 + Math.ceil((udl * 7) / 8));
    ud[0] = udl;
    if (header) ud.set(header, 1);
    const packed = ud.subarray(1);
    packSeptets(body.septets, packed, headerSeptets * 7);
    return ud;
  }
  const text = Buffer.from(body.ucs2, 'utf16le').swap16(); // UCS-2 is big-endian (TS 23.038 §6.2.3)
  const ud = new Uint8Array(1 + headerLength + text.length);
  ud[0] = headerLength + text.length;
  if (header) ud.set(header, 1);
  ud.set(text, 1 + headerLength);
  return ud;
}

/** Read TP-UDL + TP-UD: the text and the concatenation info of its header, if any. */
export function readUserData(reader: PduReader, alphabet: SmsAlphabet, hasHeader: boolean): { text: string; concat?: ConcatInfo } {
  const udl = reader.octet('user-data length');
  const octets = reader.take(alphabet === 'gsm7' ? Math.ceil((udl * 7) / 8) : udl, 'user data');
  let header: Uint8Array | undefined;
  if (hasHeader) {
    const udhl = octets[0];
    if (udhl === undefined || udhl + 1 > octets.length) throw invalidPdu('user-data header overruns');
    header = octets.subarray(0, udhl + 1);
  }
  const concat = header ? readConcat(header) : undefined;
  const headerLength = header?.length ?? 0;
  let text: string;
  if (alphabet === 'gsm7') {
    const headerSeptets = Math.ceil((headerLength * 8) / 7);
    if (headerSeptets > udl) throw invalidPdu('user-data header longer than the user data');
    text = fromGsm7(unpackSeptets(octets, udl - headerSeptets, headerSeptets * 7));
  } else if (alphabet === 'ucs2') {
    const body = Buffer.from(octets.subarray(headerLength));
    text = Buffer.from(body.subarray(0, body.length - (body.length % 2))).swap16().toString('utf16le');
  } else {
    text = Buffer.from(octets.subarray(headerLength)).toString('latin1');
  }
  return concat ? { text, concat } : { text };
}
