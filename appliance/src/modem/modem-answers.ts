/**
 * Parsers of the information lines of the commands SerialModem uses (3GPP TS 27.007, TS 27.005).
 * Each takes the lines of an `AtResponse` and tolerates the variants real modems print (quotes,
 * spaces, extra trailing fields).
 */
import type { ModemHealth } from './port.ts';
import { modemErrors } from './errors.ts';

function fieldsOf(line: string, prefix: string): string[] {
  return line
    .slice(prefix.length)
    .split(',')
    .map((f) => f.trim());
}

function unexpected(command: string, reason = 'lacks its information line'): Error {
  return modemErrors.create('BOX_MODEM_UNEXPECTED_ANSWER', { message: `The modem answer to ${command} ${reason}`, details: { command, reason } });
}

/** TP-MR, the message reference of a sent part: one octet (TS 23.040 §9.2.3.6). */
const MAX_MESSAGE_REFERENCE = 0xff;

/**
 * The largest storage index taken from the modem. TS 27.005 §3.1 only says "integer in the range of
 * location numbers of the memory": SIMs hold tens, phone memories hundreds. 65535 keeps every real
 * memory and refuses an index that is a misread number (`AT+CMGR=1e+23`).
 */
export const MAX_STORAGE_INDEX = 0xffff;

/** `field` as a plain decimal integer from 0 to `max`; undefined for anything else (`''`, `1e3`, `-5`, `0x1F`). */
function decimal(field: string | undefined, max: number): number | undefined {
  if (field === undefined || !/^\d{1,6}$/.test(field)) return undefined;
  const value = Number(field);
  return value <= max ? value : undefined;
}

/** `+CPIN: <code>` (TS 27.007 §8.3): READY, or a PIN/PUK the SIM waits for. */
export function parseCpin(lines: readonly string[]): ModemHealth['sim'] {
  const line = lines.find((l) => l.startsWith('+CPIN:'));
  if (!line) return 'unknown';
  const code = line.slice('+CPIN:'.length).trim().replace(/"/g, '');
  if (code === 'READY') return 'ready';
  if (/PIN|PUK/.test(code)) return 'pin_required';
  if (/NOT INSERTED|NOT READY/i.test(code)) return 'missing';
  return 'unknown';
}

/**
 * The SIM state a failed AT+CPIN? (or SMS command) reveals: `+CME ERROR: 10` / `+CMS ERROR: 310`
 * SIM not inserted, 13 / 15 SIM failure / wrong, 11 / 12 / 311 / 312 PIN or PUK required
 * (TS 27.007 §9.2.1, TS 27.005 §3.2.5), or their verbose texts.
 */
export function simStateOfError(err: unknown): ModemHealth['sim'] | undefined {
  if (!modemErrors.is(err, 'BOX_MODEM_CME_ERROR') && !modemErrors.is(err, 'BOX_MODEM_CMS_ERROR')) return undefined;
  const code = err.details.cme ?? err.details.cms;
  if (code === 10 || code === 13 || code === 15 || code === 310 || code === 313 || code === 315) return 'missing';
  if (code === 11 || code === 12 || code === 311 || code === 312 || code === 316 || code === 317 || code === 318) return 'pin_required';
  if (typeof code === 'string') {
    if (/not inserted|failure|wrong/i.test(code)) return 'missing';
    if (/PIN|PUK/.test(code)) return 'pin_required';
  }
  return undefined;
}

/**
 * `<stat>` of `+CREG: <n>,<stat>[,<lac>,<ci>[,<AcT>]]` (TS 27.007 §7.2): 1 home, 5 roaming. A
 * `+CREG: <stat>[,"<lac>",…]` URC slipped into the answer has a quoted second field and is skipped.
 */
export function parseCreg(lines: readonly string[]): number {
  for (const line of lines) {
    if (!line.startsWith('+CREG:')) continue;
    const fields = fieldsOf(line, '+CREG:');
    if (fields.length >= 2 && /^\d+$/.test(fields[1]!)) return Number(fields[1]);
  }
  throw unexpected('AT+CREG?');
}

/** `+CSQ: <rssi>,<ber>` (TS 27.007 §8.5): rssi 0..31, 99 = unknown → null. */
export function parseCsq(lines: readonly string[]): number | null {
  const line = lines.find((l) => l.startsWith('+CSQ:'));
  if (!line) throw unexpected('AT+CSQ');
  const rssi = Number(fieldsOf(line, '+CSQ:')[0]);
  return Number.isInteger(rssi) && rssi >= 0 && rssi <= 31 ? rssi : null;
}

/** The operator of `+COPS: <mode>[,<format>,<oper>[,<AcT>]]` (TS 27.007 §7.3), null when absent. */
export function parseCops(lines: readonly string[]): string | null {
  const line = lines.find((l) => l.startsWith('+COPS:'));
  const match = line ? /^\+COPS:\s*\d+\s*,\s*\d+\s*,\s*"([^"]*)"/.exec(line) : null;
  return match && match[1] !== '' ? match[1]! : null;
}

/**
 * The first field of the `prefix` line of an answer as a decimal integer from 0 to `max`. Throws
 * BOX_MODEM_UNEXPECTED_ANSWER when the line is missing or the field is anything else.
 */
function firstInteger(lines: readonly string[], prefix: string, max: number, command: string): number {
  const line = lines.find((l) => l.startsWith(prefix));
  if (!line) throw unexpected(command);
  const value = decimal(fieldsOf(line, prefix)[0], max);
  if (value === undefined) throw unexpected(command, `holds no decimal integer from 0 to ${max}`);
  return value;
}

/** `+CMGS: <mr>` (TS 27.005 §3.5.1): the message reference of the part just sent, 0..255. */
export function parseCmgs(lines: readonly string[]): number {
  return firstInteger(lines, '+CMGS:', MAX_MESSAGE_REFERENCE, 'AT+CMGS');
}

/** `+CMGW: <index>` (TS 27.005 §3.5.3): where the message just written is stored, 0..{@link MAX_STORAGE_INDEX}. */
export function parseCmgw(lines: readonly string[]): number {
  return firstInteger(lines, '+CMGW:', MAX_STORAGE_INDEX, 'AT+CMGW');
}

/** `+CMSS: <mr>[,<scts>|<ackpdu>]` (TS 27.005 §3.5.2): the message reference of the stored part just sent, 0..255. */
export function parseCmss(lines: readonly string[]): number {
  return firstInteger(lines, '+CMSS:', MAX_MESSAGE_REFERENCE, 'AT+CMSS');
}

/** PDU-mode message status (TS 27.005 §3.1 <stat>). */
export const MESSAGE_STATUS = { receivedUnread: 0, receivedRead: 1, storedUnsent: 2, storedSent: 3 } as const;

/** The text-mode forms of <stat> (TS 27.005 §3.1), which some modems print even in PDU mode. */
const STATUS_TEXT: Readonly<Record<string, number>> = {
  'REC UNREAD': MESSAGE_STATUS.receivedUnread,
  'REC READ': MESSAGE_STATUS.receivedRead,
  'STO UNSENT': MESSAGE_STATUS.storedUnsent,
  'STO SENT': MESSAGE_STATUS.storedSent,
};

/** A <stat> field, numeric or in its text form (quoted or not), as a MESSAGE_STATUS; undefined for anything else. */
function messageStatus(field: string | undefined): number | undefined {
  if (field === undefined) return undefined;
  const text = field.replace(/^"(.*)"$/, '$1').trim().toUpperCase();
  return STATUS_TEXT[text] ?? decimal(text, MESSAGE_STATUS.storedSent);
}

/** Whether a stored message is one the modem received (an SMS-DELIVER), not one written with AT+CMGW. */
export function isReceived(status: number): boolean {
  return status === MESSAGE_STATUS.receivedUnread || status === MESSAGE_STATUS.receivedRead;
}

/**
 * A message as stored on the SIM: its index (CMGL), its status (TS 27.005 §3.1 <stat>: 0 received
 * unread, 1 received read, 2 stored unsent, 3 stored sent) and its PDU.
 */
export interface StoredPdu {
  readonly index: number;
  readonly status: number;
  readonly pdu: string;
}

/**
 * `+CMGR: <stat>,[<alpha>],<length>` then the PDU line (TS 27.005 §3.4.3, PDU mode); undefined when
 * the PDU line is missing (an empty index answered `+CMGR: 0,,0` then OK). <stat> may be numeric or in
 * its text form ("REC UNREAD"…); any other throws BOX_MODEM_UNEXPECTED_ANSWER, so no message is taken
 * or deleted on a status nobody understood.
 */
export function parseCmgr(lines: readonly string[], index: number): StoredPdu | undefined {
  const at = lines.findIndex((l) => l.startsWith('+CMGR:'));
  const pdu = lines[at + 1];
  if (at < 0 || pdu === undefined) return undefined;
  const status = messageStatus(fieldsOf(lines[at]!, '+CMGR:')[0]);
  if (status === undefined) throw unexpected('AT+CMGR', 'holds an unknown message status');
  return { index, status, pdu };
}

/**
 * `+CMGL: <index>,<stat>,[<alpha>],<length>` then the PDU line, per message (TS 27.005 §3.4.2). An
 * entry whose index or <stat> cannot be read is skipped: the others are still taken.
 */
export function parseCmgl(lines: readonly string[]): StoredPdu[] {
  const out: StoredPdu[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith('+CMGL:')) continue;
    const fields = fieldsOf(lines[i]!, '+CMGL:');
    const index = decimal(fields[0], MAX_STORAGE_INDEX);
    const status = messageStatus(fields[1]);
    const pdu = lines[i + 1];
    if (pdu !== undefined && index !== undefined && status !== undefined) out.push({ index, status, pdu });
    i++;
  }
  return out;
}

/**
 * The storage index of a `+CMTI: <mem>,<index>` URC (TS 27.005 §3.4.1); undefined when the line is
 * not a +CMTI or its index is not a decimal integer from 0 to {@link MAX_STORAGE_INDEX}.
 */
export function parseCmti(line: string): number | undefined {
  const match = /^\+CMTI:\s*"?[A-Z]*"?\s*,\s*([^,]*?)\s*(?:,.*)?$/i.exec(line);
  return match ? decimal(match[1], MAX_STORAGE_INDEX) : undefined;
}
