/**
 * Generators for the AT fuzz properties: SMS PDUs (valid, mutated, random), what a modem prints
 * (final results, `+CME`/`+CMS ERROR`, the `> ` prompt, information lines with PDUs, URCs, echoes,
 * control bytes, garbage, overlong lines) cut into chunks at any byte, and the commands SerialModem
 * sends with the options it sends them with.
 */
import fc from 'fast-check';
import type { AtCommandOptions } from '../at-channel.ts';
import { encodeDeliver, encodeSubmit, type PduPart } from '../pdu.ts';

const hexChars = '0123456789ABCDEF';
const digits = (max: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: max });

/** A phone number as a PDU address holds it: international or not, 1 to 15 digits. */
export const phoneNumber = fc.tuple(fc.boolean(), digits(15)).map(([international, d]) => (international ? `+${d}` : d));

/** SMS texts: GSM-7 (with its extension table), or anything, which goes in UCS-2; long ones in parts. */
const smsText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'grapheme', maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  fc.constantFrom('OK 12', 'Chute détectée chez Mme Dupont', '€[]{}^~|\\\f', ''),
);

/** TP-SCTS has two year digits, 90..99 read as the 1990s: instants in 2000..2089 come back as sent. */
export const deliveryInstant = fc.integer({ min: Date.UTC(2000, 0, 1), max: Date.UTC(2089, 11, 31, 23, 59, 59) });

/** The parts of an SMS-DELIVER as a modem stores them, with what was encoded. */
export const deliverSms = fc
  .record({ from: phoneNumber, text: smsText, timestamp: deliveryInstant, reference: fc.nat(255), smsc: fc.option(phoneNumber, { nil: undefined }) })
  .map((sms) => ({ ...sms, parts: encodeDeliver(sms.from, sms.text, sms) }));

/** The parts of an SMS-SUBMIT as the box sends them, with what was encoded. */
export const submitSms = fc
  .record({ to: phoneNumber, text: smsText, reference: fc.nat(255), relativeValidity: fc.nat(255), smsc: fc.option(phoneNumber, { nil: undefined }) })
  .map((sms) => ({ ...sms, parts: encodeSubmit(sms.to, sms.text, sms) }));

const onePart = (parts: fc.Arbitrary<{ parts: PduPart[] }>) => fc.tuple(parts, fc.nat()).map(([sms, i]) => sms.parts[i % sms.parts.length]!);

type HexMutation =
  | { readonly kind: 'replace'; readonly at: number; readonly char: string }
  | { readonly kind: 'cut'; readonly at: number }
  | { readonly kind: 'append'; readonly text: string }
  | { readonly kind: 'lower' };

const hexMutation: fc.Arbitrary<HexMutation> = fc.oneof(
  fc.record({ kind: fc.constant('replace' as const), at: fc.nat(), char: fc.oneof({ weight: 9, arbitrary: fc.constantFrom(...hexChars) }, { weight: 1, arbitrary: fc.string({ minLength: 1, maxLength: 1 }) }) }),
  fc.record({ kind: fc.constant('cut' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('append' as const), text: fc.string({ unit: fc.constantFrom(...hexChars), maxLength: 9 }) }),
  fc.constant({ kind: 'lower' as const }),
);

function mutateHex(hex: string, m: HexMutation): string {
  switch (m.kind) {
    case 'replace': {
      const at = m.at % (hex.length + 1);
      return `${hex.slice(0, at)}${m.char}${hex.slice(at + 1)}`;
    }
    case 'cut':
      return hex.slice(0, m.at % (hex.length + 1));
    case 'append':
      return hex + m.text;
    case 'lower':
      return hex.toLowerCase();
    default:
      return m satisfies never;
  }
}

/** `hexes` as they are, or with one to four mutations (a character changed, cut short, extended). */
function mutatedHex(hexes: fc.Arbitrary<string>): fc.Arbitrary<string> {
  return fc.tuple(hexes, fc.oneof(fc.constant([]), fc.array(hexMutation, { minLength: 1, maxLength: 4 }))).map(([hex, ms]) => ms.reduce(mutateHex, hex));
}

const deliverHex = onePart(deliverSms).map((p) => p.pdu);
const submitHex = onePart(submitSms).map((p) => p.pdu);
const randomHex = fc.uint8Array({ maxLength: 180 }).map((b) => Buffer.from(b).toString('hex').toUpperCase());

/** Hex text for a PDU decoder: mostly of `kind`, mutated or not; the other kind; random bytes; not hex. */
export function pduText(kind: 'deliver' | 'submit'): fc.Arbitrary<string> {
  const [same, other] = kind === 'deliver' ? [deliverHex, submitHex] : [submitHex, deliverHex];
  return fc.oneof(
    { weight: 8, arbitrary: mutatedHex(same) },
    { weight: 1, arbitrary: mutatedHex(other) },
    { weight: 3, arbitrary: randomHex },
    { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  );
}

const eol = fc.constantFrom('\r\n', '\r\n', '\r\n', '\r', '\n', '\r\r\n');
const numberText = fc.oneof(
  { weight: 6, arbitrary: fc.oneof(fc.nat(40), fc.nat(600), fc.integer({ min: -9, max: 99_999 })).map(String) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', '99999999999999999999999', '1e3', '0x1F', '3.5', 'NaN', 'REC UNREAD', '"SM"') },
);
const errorText = fc.oneof(
  numberText,
  fc.constantFrom('SIM not inserted', 'SIM PIN required', 'SIM PUK required', 'SIM failure', 'SIM wrong', 'operation not allowed', 'invalid memory index'),
  fc.string({ maxLength: 16 }),
);
const pduLine = fc.oneof({ weight: 4, arbitrary: pduText('deliver') }, { weight: 1, arbitrary: fc.constantFrom('', 'OK', 'ERROR', '+CMTI: "SM",1') });

/** Command lines SerialModem writes (and a modem may echo back). */
export const COMMAND_LINES = ['AT', 'ATE0', 'AT+CMEE?', 'AT+CMEE=1', 'AT+CPIN?', 'AT+CREG?', 'AT+CSQ', 'AT+COPS?', 'AT+CMGL=4', 'AT+CMGR=1', 'AT+CMGS=23', 'AT+CMGD=1'];

const fixedLines = fc.constantFrom(
  '+CMEE: 1', '+CMEE: 2', '+CSQ: 20,99', '+CSQ: 99,99', '+CSQ: ', '+CREG: 0,1', '+CREG: 0,5', '+CREG: 1', '+CREG: 2,1,"00C3","1A2B",7',
  '+CPIN: READY', '+CPIN: SIM PIN', '+CPIN: NOT INSERTED', '+CPIN: NOT READY', '+COPS: 0,0,"Orange F",7', '+COPS: 0', '+COPS: 0,0,"",7',
  'RING', 'RDY', 'Call Ready', 'SMS Ready', '^SYSSTART', '^RSSI: 12', 'NO CARRIER', '+QIND: SMS DONE', '+CREG: 2', '+CUSD: 0,"x",15',
);

/** One piece of modem output; pieces are concatenated, so lines also form across pieces. */
export const modemToken: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: eol },
  { weight: 5, arbitrary: fc.constantFrom('OK', 'ERROR', 'COMMAND NOT SUPPORT', 'OK ', ' OK', 'ok', 'OKAY') },
  { weight: 2, arbitrary: errorText.map((e) => `+CME ERROR: ${e}`) },
  { weight: 2, arbitrary: errorText.map((e) => `+CMS ERROR: ${e}`) },
  { weight: 3, arbitrary: fc.constantFrom('> ', '>', '\r\n> ', '>  ', ' > ') },
  { weight: 2, arbitrary: fc.tuple(fc.constantFrom('"SM"', '"ME"', 'SM', '""', ''), numberText).map(([mem, n]) => `+CMTI: ${mem},${n}`) },
  { weight: 2, arbitrary: numberText.map((n) => `+CMGS: ${n}`) },
  { weight: 2, arbitrary: fc.tuple(numberText, numberText, eol, pduLine).map(([stat, len, e, pdu]) => `+CMGR: ${stat},,${len}${e}${pdu}`) },
  { weight: 2, arbitrary: fc.tuple(numberText, numberText, numberText, eol, pduLine).map(([i, stat, len, e, pdu]) => `+CMGL: ${i},${stat},,${len}${e}${pdu}`) },
  { weight: 1, arbitrary: fc.tuple(fc.constantFrom('+CMT', '+CDS', '+CBM'), numberText, eol, pduLine).map(([urc, len, e, pdu]) => `${urc}: ,${len}${e}${pdu}`) },
  { weight: 4, arbitrary: fixedLines },
  { weight: 2, arbitrary: fc.constantFrom(...COMMAND_LINES, 'at+csq', '0011AB\x1a').map((c) => `${c}\r`) },
  { weight: 2, arbitrary: fc.constantFrom('\x00', '\x1a', '\x1b', '\x7f', '\xff', ' ', '\t', '\x00\x00\x00\x00') },
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 12 }).map((b) => Buffer.from(b).toString('latin1')) },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
  // Past the channel's 4,096-character limit on an unterminated line.
  { weight: 1, arbitrary: fc.integer({ min: 4_090, max: 4_200 }).map((n) => 'x'.repeat(n)) },
);

/** A stretch of modem output. */
export const modemText = fc.array(modemToken, { maxLength: 14 }).map((tokens) => tokens.join(''));

/** `bytes` cut into chunks at arbitrary positions, as serial reads return them. */
export function chunked(bytes: fc.Arbitrary<Buffer>): fc.Arbitrary<Buffer[]> {
  return fc.tuple(bytes, fc.array(fc.nat(), { maxLength: 6 })).map(([all, cuts]) => {
    const at = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
    return [0, ...at].map((start, i) => all.subarray(start, at[i] ?? all.length)).filter((c) => c.length > 0);
  });
}

/** Modem output as latin1 bytes, chunked. */
export const modemChunks = chunked(modemText.map((t) => Buffer.from(t, 'latin1')));
/** Random bytes, chunked. */
export const randomChunks = chunked(fc.uint8Array({ maxLength: 160 }).map((b) => Buffer.from(b)));

/** Which parser of `modem-answers.ts` SerialModem applies to a command's answer. */
export type AnswerParser = 'cpin' | 'creg' | 'csq' | 'cops' | 'cmgs' | 'cmgr' | 'cmgl';

/** A command with its options, as SerialModem sends it, or any other. */
export interface CommandCase {
  readonly command: string;
  readonly options: AtCommandOptions;
  readonly answer?: AnswerParser;
}

const required = (expect: string): AtCommandOptions => ({ expect, required: true });
const serialModemCommands = fc.oneof(
  fc.constantFrom<CommandCase>(
    { command: 'AT', options: {} },
    { command: 'ATE0', options: {} },
    { command: 'AT+CMEE=1', options: {} },
    { command: 'AT+CMGF=0', options: {} },
    { command: 'AT+CNMI=2,1,0,0,0', options: {} },
    { command: 'AT+CPIN?', options: required('+CPIN:'), answer: 'cpin' },
    { command: 'AT+CREG?', options: required('+CREG:'), answer: 'creg' },
    { command: 'AT+CSQ', options: required('+CSQ:'), answer: 'csq' },
    { command: 'AT+COPS?', options: required('+COPS:'), answer: 'cops' },
    { command: 'AT+CMGL=4', options: { expect: '+CMGL:', dataLines: true }, answer: 'cmgl' },
  ),
  // Indexes 1..3 are where the emulator stores the first SMS delivered to it.
  fc.oneof(fc.integer({ min: 1, max: 3 }), fc.nat(40)).map((i): CommandCase => ({ command: `AT+CMGR=${i}`, options: { expect: '+CMGR:', dataLines: true }, answer: 'cmgr' })),
  fc.nat(40).map((i): CommandCase => ({ command: `AT+CMGD=${i}`, options: {} })),
  onePart(submitSms).map((p): CommandCase => ({ command: `AT+CMGS=${p.length}`, options: { body: p.pdu, ...required('+CMGS:') }, answer: 'cmgs' })),
);
const anyCommand = fc.record({
  command: fc.string({ minLength: 1, maxLength: 12 }).map((s) => `AT${s}`),
  options: fc.record(
    {
      expect: fc.constantFrom('+X:', '+CSQ:', '+CMGR:', '+', 'O'),
      dataLines: fc.boolean(),
      required: fc.boolean(),
      body: fc.string({ maxLength: 24 }),
    },
    { requiredKeys: [] },
  ),
});

/** Virtual timeouts: 1 ms, 30 ms, the defaults of SerialModem (5 s, 60 s), or the channel's default. */
const timeoutMs = fc.option(fc.constantFrom(1, 30, 1_000, 5_000, 60_000), { nil: undefined });

/** A command to send, with a timeout or none. */
export const commandCase: fc.Arbitrary<CommandCase> = fc
  .tuple(fc.oneof({ weight: 4, arbitrary: serialModemCommands }, { weight: 1, arbitrary: anyCommand }), timeoutMs)
  .map(([c, t]) => (t === undefined ? c : { ...c, options: { ...c.options, timeoutMs: t } }));
