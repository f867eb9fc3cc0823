/**
 * SMS PDU codec (3GPP TS 23.040 §9.2.2): SMS-SUBMIT encoding for what the box sends, SMS-DELIVER
 * decoding for what it receives — and the reverse of each, for the modem emulator.
 *
 * Text goes in GSM 7-bit (TS 23.038 §6.2.1, with its extension table) when every character is in
 * it, else in UCS-2. Long texts are split into concatenated parts with an 8-bit-reference UDH
 * (TS 23.040 §9.2.3.24.1): 153 septets or 67 UCS-2 characters per part, an escape sequence or a
 * surrogate pair never cut in two.
 */
import { gsm7SeptetsOf, toGsm7 } from './gsm7.ts';
import { modemErrors } from './errors.ts';
import {
  alphabetOf,
  concatHeader,
  dcsFor,
  encodeAddress,
  encodeSmscAddress,
  encodeTimestamp,
  encodeUserData,
  fromHex,
  invalidPdu,
  PduReader,
  readAddress,
  readSmscAddress,
  readTimestamp,
  readUserData,
  toHex,
  type ConcatInfo,
  type SmsAlphabet,
} from './pdu-fields.ts';

export type { ConcatInfo, SmsAlphabet } from './pdu-fields.ts';

/** Capacity of one part (TS 23.040 §9.2.3.24.1: a 6-octet concatenation header costs 7 septets or 6 octets). */
export const PART_CAPACITY = { gsm7: { single: 160, multi: 153 }, ucs2: { single: 70, multi: 67 } } as const;

/** The 8-bit concatenation reference numbers at most 255 parts. */
const MAX_PARTS = 255;

/** TP-VP relative (TS 23.040 §9.2.3.12.1): 0xA7 = 24 h; an alert still undelivered a day later is stale. */
export const DEFAULT_RELATIVE_VALIDITY = 0xa7;

/** One PDU ready for the modem: what follows the `> ` prompt of AT+CMGS, or what AT+CMGR prints. */
export interface PduPart {
  /** The SMSC field then the TPDU, upper-case hex. */
  readonly pdu: string;
  /** TPDU length in octets, without the SMSC field: the `<length>` of AT+CMGS / +CMGR (TS 27.005 §3.1). */
  readonly length: number;
}

type PartBody = { septets: number[] } | { ucs2: string };

/** Split a text into part bodies, choosing GSM-7 when possible. Throws BOX_MODEM_TEXT_TOO_LONG. */
export function splitText(text: string): { alphabet: 'gsm7' | 'ucs2'; bodies: PartBody[] } {
  const septets = toGsm7(text);
  if (septets) {
    if (septets.length <= PART_CAPACITY.gsm7.single) return { alphabet: 'gsm7', bodies: [{ septets }] };
    const bodies: PartBody[] = [];
    let current: number[] = [];
    for (const char of text) {
      const s = gsm7SeptetsOf(char)!;
      if (current.length + s.length > PART_CAPACITY.gsm7.multi) {
        bodies.push({ septets: current });
        current = [];
      }
      current.push(...s);
    }
    bodies.push({ septets: current });
    return { alphabet: 'gsm7', bodies: checkParts(bodies) };
  }
  if (text.length <= PART_CAPACITY.ucs2.single) return { alphabet: 'ucs2', bodies: [{ ucs2: text }] };
  const bodies: PartBody[] = [];
  let start = 0;
  while (start < text.length) {
    let end = Math.min(start + PART_CAPACITY.ucs2.multi, text.length);
    // Do not end a part on a high surrogate: its pair would be split across two SMS.
    if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end--;
    bodies.push({ ucs2: text.slice(start, end) });
    start = end;
  }
  return { alphabet: 'ucs2', bodies: checkParts(bodies) };
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

function checkParts(bodies: PartBody[]): PartBody[] {
  if (bodies.length > MAX_PARTS) {
    throw modemErrors.create('BOX_MODEM_TEXT_TOO_LONG', { details: { parts: bodies.length, max: MAX_PARTS } });
  }
  return bodies;
}

function parts(
  text: string,
  reference: number,
  build: (alphabet: 'gsm7' | 'ucs2', userData: Uint8Array, hasHeader: boolean) => Uint8Array,
  smsc: string | undefined,
): PduPart[] {
  const { alphabet, bodies } = splitText(text);
  const smscField = encodeSmscAddress(smsc);
  return bodies.map((body, i) => {
    const header = bodies.length > 1 ? concatHeader({ reference, total: bodies.length, sequence: i + 1 }) : undefined;
    const tpdu = build(alphabet, encodeUserData(body, header), header !== undefined);
    return { pdu: toHex(smscField) + toHex(tpdu), length: tpdu.length };
  });
}

/**
 * SMS-SUBMIT PDUs for `text` to `to` (TS 23.040 §9.2.2.2): TP-MR 0 (the modem assigns it), TP-VP
 * relative, SMSC field `00` (the SIM's service centre) unless `smsc` is given.
 */
export function encodeSubmit(
  to: string,
  text: string,
  options: { reference?: number; relativeValidity?: number; smsc?: string } = {},
): PduPart[] {
  const address = encodeAddress(to);
  const validity = options.relativeValidity ?? DEFAULT_RELATIVE_VALIDITY;
  return parts(
    text,
    options.reference ?? 0,
    (alphabet, userData, hasHeader) => {
      // First octet: TP-MTI 01 (SUBMIT), TP-VPF 10 (relative), TP-UDHI when a header is present.
      const firstOctet = 0x01 | 0x10 | (hasHeader ? 0x40 : 0);
      return Uint8Array.from([firstOctet, 0x00, ...address, 0x00, dcsFor(alphabet), validity, ...userData]);
    },
    options.smsc,
  );
}

/**
 * SMS-DELIVER PDUs for `text` from `from` (TS 23.040 §9.2.2.1), as a modem stores them. Used by the
 * emulator; `smsc` is the service centre printed in front of the TPDU.
 */
export function encodeDeliver(
  from: string,
  text: string,
  options: { timestamp: number; reference?: number; smsc?: string },
): PduPart[] {
  const address = encodeAddress(from);
  const scts = encodeTimestamp(options.timestamp);
  return parts(
    text,
    options.reference ?? 0,
    (alphabet, userData, hasHeader) => {
      // First octet: TP-MTI 00 (DELIVER), TP-MMS 1 (no more messages waiting), TP-UDHI.
      const firstOctet = 0x04 | (hasHeader ? 0x40 : 0);
      return Uint8Array.from([firstOctet, ...address, 0x00, dcsFor(alphabet), ...scts, ...userData]);
    },
    options.smsc,
  );
}

/** A decoded SMS-SUBMIT. */
export interface SubmitMessage {
  readonly to: string;
  readonly text: string;
  readonly alphabet: SmsAlphabet;
  readonly messageReference: number;
  readonly concat?: ConcatInfo;
  readonly smsc: string | null;
}

/** A decoded SMS-DELIVER. */
export interface DeliverMessage {
  readonly from: string;
  readonly text: string;
  readonly alphabet: SmsAlphabet;
  /**
   * TP-SCTS (the service centre's clock), epoch ms; when the TP-SCTS is not a valid date (bad BCD
   * digits, a field out of range), the box's reception time instead (`DecodeOptions.now`), never a
   * made-up date. `timestampSource` says which.
   */
  readonly timestamp: number;
  readonly timestampSource: 'network' | 'box';
  readonly concat?: ConcatInfo;
  readonly smsc: string | null;
}

/** Options of the decoders: PDUs from AT commands start with the SMSC field (TS 27.005 §3.1). */
export interface DecodeOptions {
  readonly smscField?: boolean;
  /** The box's clock, epoch ms: the time stamp of an SMS-DELIVER whose TP-SCTS is not a date. Default `Date.now`. */
  readonly now?: () => number;
}

/** Decode an SMS-SUBMIT PDU (hex). Throws BOX_MODEM_PDU_INVALID. */
export function decodeSubmit(hex: string, options: DecodeOptions = {}): SubmitMessage {
  const reader = new PduReader(fromHex(hex));
  const smsc = options.smscField === false ? null : readSmscAddress(reader);
  const firstOctet = reader.octet('first octet');
  if ((firstOctet & 0b11) !== 0b01) throw invalidPdu('not an SMS-SUBMIT');
  const messageReference = reader.octet('message reference');
  const to = readAddress(reader);
  reader.octet('protocol identifier');
  const alphabet = alphabetOf(reader.octet('data coding scheme'));
  const vpf = (firstOctet >> 3) & 0b11; // TS 23.040 §9.2.3.3: none, enhanced (7), relative (1), absolute (7)
  if (vpf !== 0) reader.take(vpf === 0b10 ? 1 : 7, 'validity period');
  const { text, concat } = readUserData(reader, alphabet, (firstOctet & 0x40) !== 0);
  return { to, text, alphabet, messageReference, smsc, ...(concat ? { concat } : {}) };
}

/**
 * Decode an SMS-DELIVER PDU (hex). Throws BOX_MODEM_PDU_INVALID. A TP-SCTS that is not a valid date
 * does not refuse the message (its text matters more than its time): `timestamp` is then the box's
 * reception time, `options.now()`.
 */
export function decodeDeliver(hex: string, options: DecodeOptions = {}): DeliverMessage {
  const reader = new PduReader(fromHex(hex));
  const smsc = options.smscField === false ? null : readSmscAddress(reader);
  const firstOctet = reader.octet('first octet');
  if ((firstOctet & 0b11) !== 0b00) throw invalidPdu('not an SMS-DELIVER');
  const from = readAddress(reader);
  reader.octet('protocol identifier');
  const alphabet = alphabetOf(reader.octet('data coding scheme'));
  const scts = readTimestamp(reader);
  const { text, concat } = readUserData(reader, alphabet, (firstOctet & 0x40) !== 0);
  const timestamp = scts ?? (options.now ?? Date.now)();
  const timestampSource = scts === undefined ? 'box' : 'network';
  return { from, text, alphabet, timestamp, timestampSource, smsc, ...(concat ? { concat } : {}) };
}

/** TPDU length (octets) of a PDU hex string that starts with an SMSC field. */
export function tpduLength(hex: string): number {
  const smscLength = Number.parseInt(hex.slice(0, 2), 16);
  return Number.isNaN(smscLength) ? -1 : hex.length / 2 - 1 - smscLength;
}
