/**
 * What the AT fuzz properties demand of each outcome: of a command's answer or refusal, of an
 * unsolicited code, of the information-line parsers SerialModem applies to them, and of a decoded
 * PDU. Each check throws an AssertionError saying what was wrong.
 */
import assert from 'node:assert/strict';
import type { AtCommandOptions, AtResponse, UnsolicitedCode } from '../at-channel.ts';
import { hasDataLine, parseFinalResult } from '../at-lines.ts';
import { modemErrors, type ModemErrorCode } from '../errors.ts';
import { parseCmgl, parseCmgr, parseCmgs, parseCmti, parseCops, parseCpin, parseCreg, parseCsq, simStateOfError } from '../modem-answers.ts';
import { decodeDeliver, decodeSubmit, type DeliverMessage, type SubmitMessage } from '../pdu.ts';
import type { AnswerParser } from './at-arbitraries.ts';

/** What `AtChannel.send` documents it may reject with. */
const CHANNEL_ERRORS: readonly ModemErrorCode[] = ['BOX_MODEM_ERROR', 'BOX_MODEM_CME_ERROR', 'BOX_MODEM_CMS_ERROR', 'BOX_MODEM_TIMEOUT', 'BOX_MODEM_CLOSED'];

/** Run `fn`; a throw must be a catalogued modem error of `codes`. Returns the value, or undefined. */
export function valueOrCatalogued<T>(fn: () => T, codes: readonly ModemErrorCode[]): T | undefined {
  try {
    return fn();
  } catch (err) {
    assertModemError(err, codes);
    return undefined;
  }
}

/** `err` is a VigieError of the modem catalogue with one of `codes`. */
export function assertModemError(err: unknown, codes: readonly ModemErrorCode[]): void {
  assert.ok(modemErrors.is(err), `not a catalogued modem error: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`);
  assert.ok(codes.includes(err.code as ModemErrorCode), `${err.code} is not one of ${codes.join(', ')}`);
}

/** A line as the channel hands it over: not empty, no control characters, no surrounding blanks. */
function assertCleanLine(what: string, line: unknown): void {
  assert.equal(typeof line, 'string', `${what} is not a string`);
  // eslint-disable-next-line no-control-regex
  assert.ok(line !== '' && !/[\x00-\x1f\x7f]/.test(line as string) && (line as string).trim() === line, `${what} ${JSON.stringify(line)} is not a clean line`);
}

/** A successful answer: clean lines; with `expect`, only its lines and their data lines; with `required`, at least one. */
export function assertResponse(options: AtCommandOptions, response: AtResponse): void {
  assert.ok(Array.isArray(response.lines), 'lines is not an array');
  response.lines.forEach((line, i) => assertCleanLine(`answer line ${i}`, line));
  const { expect } = options;
  if (expect === undefined) return;
  response.lines.forEach((line, i) => {
    const follows = options.dataLines === true && i > 0 && response.lines[i - 1]!.startsWith(expect);
    assert.ok(line.startsWith(expect) || follows, `answer line ${JSON.stringify(line)} is neither ${expect} nor its data line`);
  });
  if (options.required) assert.ok(response.lines.some((l) => l.startsWith(expect)), `resolved without the required ${expect} line`);
}

/** A refusal: one of the channel's catalogued errors, with the modem's code in details when it gave one. */
export function assertRejection(err: unknown): void {
  assertModemError(err, CHANNEL_ERRORS);
  const e = err as { code: string; details: Record<string, unknown> };
  const code = e.details.cme ?? e.details.cms;
  if (e.code === 'BOX_MODEM_CME_ERROR' || e.code === 'BOX_MODEM_CMS_ERROR') {
    assert.ok((Number.isInteger(code) && (code as number) >= 0) || (typeof code === 'string' && code.trim() === code), `modem error code ${String(code)}`);
  }
  assert.ok([undefined, 'missing', 'pin_required'].includes(simStateOfError(err)), 'simStateOfError gave an unknown state');
}

/** An unsolicited code: a clean line that is not a final result; a data line only after +CMT/+CDS/+CBM. */
export function assertUnsolicited(code: UnsolicitedCode): void {
  assertCleanLine('unsolicited line', code.line);
  assert.equal(parseFinalResult(code.line), undefined, `final result ${code.line} passed on as unsolicited`);
  if (code.data !== undefined) {
    assertCleanLine('unsolicited data line', code.data);
    assert.ok(hasDataLine(code.line), `${code.line} carries a data line`);
    assertDeliverOutcome(code.data);
  }
  const index = parseCmti(code.line);
  if (index !== undefined) assert.ok(Number.isInteger(index) && index >= 0, `+CMTI index ${index}`);
}

/** decodeDeliver of `hex` gives a well-formed message or BOX_MODEM_PDU_INVALID. */
export function assertDeliverOutcome(hex: string, smscField?: boolean): DeliverMessage | undefined {
  const message = valueOrCatalogued(() => decodeDeliver(hex, { smscField }), ['BOX_MODEM_PDU_INVALID']);
  if (!message) return undefined;
  assert.equal(typeof message.from, 'string');
  assert.ok(Number.isFinite(message.timestamp), `timestamp ${message.timestamp}`);
  assertMessageCommon(message);
  return message;
}

/** decodeSubmit of `hex` gives a well-formed message or BOX_MODEM_PDU_INVALID. */
export function assertSubmitOutcome(hex: string, smscField?: boolean): SubmitMessage | undefined {
  const message = valueOrCatalogued(() => decodeSubmit(hex, { smscField }), ['BOX_MODEM_PDU_INVALID']);
  if (!message) return undefined;
  assert.equal(typeof message.to, 'string');
  assert.ok(Number.isInteger(message.messageReference) && message.messageReference >= 0 && message.messageReference <= 0xff);
  assertMessageCommon(message);
  return message;
}

function assertMessageCommon(m: DeliverMessage | SubmitMessage): void {
  assert.equal(typeof m.text, 'string');
  assert.ok(['gsm7', '8bit', 'ucs2'].includes(m.alphabet), `alphabet ${m.alphabet}`);
  assert.ok(m.smsc === null || typeof m.smsc === 'string');
  if (m.concat) {
    const { reference, total, sequence } = m.concat;
    assert.ok(Number.isInteger(reference) && reference >= 0 && reference <= 0xffff, `concat reference ${reference}`);
    assert.ok(Number.isInteger(total) && total >= 0 && total <= 0xff && Number.isInteger(sequence) && sequence >= 0 && sequence <= 0xff);
  }
}

const UNEXPECTED: readonly ModemErrorCode[] = ['BOX_MODEM_UNEXPECTED_ANSWER'];

/** What SerialModem does with an answer: its information-line parser, then decodeDeliver of each stored PDU. */
export function assertAnswerParses(parser: AnswerParser, command: string, lines: readonly string[]): void {
  switch (parser) {
    case 'cpin':
      return assert.ok(['ready', 'pin_required', 'missing', 'unknown'].includes(parseCpin(lines)));
    case 'creg': {
      const stat = valueOrCatalogued(() => parseCreg(lines), UNEXPECTED);
      return assert.ok(stat === undefined || (Number.isInteger(stat) && stat >= 0), `+CREG stat ${stat}`);
    }
    case 'csq': {
      const rssi = valueOrCatalogued(() => parseCsq(lines), UNEXPECTED);
      return assert.ok(rssi === undefined || rssi === null || (Number.isInteger(rssi) && rssi >= 0 && rssi <= 31), `rssi ${rssi}`);
    }
    case 'cops': {
      const operator = parseCops(lines);
      return assert.ok(operator === null || (typeof operator === 'string' && operator !== ''));
    }
    case 'cmgs': {
      const mr = valueOrCatalogued(() => parseCmgs(lines), UNEXPECTED);
      return assert.ok(mr === undefined || Number.isInteger(mr), `message reference ${mr}`);
    }
    case 'cmgr': {
      const index = Number(command.slice('AT+CMGR='.length));
      const stored = valueOrCatalogued(() => parseCmgr(lines, index), UNEXPECTED);
      if (!stored) return;
      assert.equal(stored.index, index);
      assert.equal(typeof stored.status, 'number');
      assert.equal(typeof stored.pdu, 'string');
      assertDeliverOutcome(stored.pdu);
      return;
    }
    case 'cmgl':
      for (const stored of parseCmgl(lines)) {
        assert.ok(Number.isInteger(stored.index) && Number.isInteger(stored.status), `+CMGL ${stored.index},${stored.status}`);
        assertDeliverOutcome(stored.pdu);
      }
      return;
    default:
      return parser satisfies never;
  }
}
