/**
 * The fuzz properties of the modem's parsing: the AT channel with commands in flight on random and
 * on modem-like byte streams, the line classifiers and information-line parsers, the PDU decoders,
 * and the emulator's command reader. Run long by `at-parser.fuzz.ts`, short by its quick test.
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { hasDataLine, isUnsolicited, parseFinalResult, resultError } from '../at-lines.ts';
import { ModemEmulator } from '../emulator/modem-emulator.ts';
import { parseCmti } from '../modem-answers.ts';
import { COMMAND_LINES, commandCase, deliverSms, modemChunks, modemText, modemToken, pduText, randomChunks, submitSms } from './at-arbitraries.ts';
import { assertAnswerParses, assertDeliverOutcome, assertRejection, assertSubmitOutcome } from './at-checks.ts';
import { runScenario, type ModemAction, type Responder, type Scenario, type Step } from './at-scenario.ts';
import type { FuzzProperty } from '@vigie/common/fuzz';

const lineEvent: fc.Arbitrary<Step> = fc.constantFrom<Step>(
  { kind: 'stop' },
  { kind: 'start' },
  { kind: 'abort' },
  { kind: 'out-of-sync', cancelInput: false },
  { kind: 'out-of-sync', cancelInput: true },
);

/** Faults of the emulated modem, and SMS arriving on it. */
const modemAction: fc.Arbitrary<ModemAction> = fc.oneof(
  fc.oneof(fc.constant(0), fc.constantFrom(10, 29, 30, 31, 1_000, 5_001), fc.nat(70_000)).map((ms): ModemAction => ({ kind: 'delay', ms })),
  fc.constantFrom<ModemAction>({ kind: 'silence' }, { kind: 'resume' }, { kind: 'ignore-echo-off' }),
  fc.constantFrom('ready', 'missing', 'pin_required').map((sim): ModemAction => ({ kind: 'sim', sim })),
  fc.constantFrom('none', 'home', 'searching', 'denied', 'roaming').map((registration): ModemAction => ({ kind: 'registration', registration })),
  fc.constantFrom(304, 321, 331, 500).map((code): ModemAction => ({ kind: 'fail-next-send', code })),
  fc.constantFrom('+CMTI: "SM",1', 'RING', '+CREG: 1', '+CMT: ,24').map((urc): ModemAction => ({ kind: 'interleave-urc', urc })),
  deliverSms.map(({ from, text }): ModemAction => ({ kind: 'deliver', from, text })),
);

function steps(data: fc.Arbitrary<Buffer[]>, modem: boolean): fc.Arbitrary<Step[]> {
  const step = fc.oneof(
    { weight: 8, arbitrary: data.map((chunks): Step => ({ kind: 'data', chunks })) },
    { weight: 3, arbitrary: fc.oneof(fc.constantFrom(0, 1, 29, 30, 31, 999, 1_000, 5_000, 60_000), fc.nat(70_000)).map((ms): Step => ({ kind: 'advance', ms })) },
    { weight: 2, arbitrary: commandCase.map((command): Step => ({ kind: 'send', command })) },
    { weight: 1, arbitrary: lineEvent },
    { weight: modem ? 4 : 0, arbitrary: modemAction.map((action): Step => ({ kind: 'modem', action })) },
  );
  return fc.array(step, { maxLength: 16 });
}

function scenario(steps: fc.Arbitrary<Step[]>, responder: fc.Arbitrary<Responder>): fc.Arbitrary<Scenario> {
  return fc.record({
    defaultTimeoutMs: fc.option(fc.constantFrom(30, 1_000, 5_000), { nil: undefined }),
    initial: fc.array(commandCase, { minLength: 1, maxLength: 3 }),
    steps,
    responder,
  });
}

const scripted = (data: fc.Arbitrary<Buffer[]>): fc.Arbitrary<Responder> =>
  fc.record({ kind: fc.constant('scripted' as const), replies: fc.array(data, { maxLength: 6 }), echo: fc.boolean() });

/** A case of the channel: no violation, and a sane modem understood again afterwards. */
async function keepsItsPromises(s: Scenario): Promise<void> {
  const violations = await runScenario(s, { recover: true });
  assert.equal(violations.length, 0, violations.join('\n'));
}

const channelOnRandomBytes: FuzzProperty = {
  name: 'AtChannel settles every command in flight with its answer or a catalogued BOX_MODEM_* error within its timeouts, whatever bytes the modem sends, then understands a sane modem by the second command',
  property: fc.asyncProperty(scenario(steps(randomChunks, false), scripted(randomChunks)), keepsItsPromises),
};

const channelOnModemLikeOutput: FuzzProperty = {
  name: 'AtChannel keeps those promises on modem-like output (results, errors, prompts, URCs, PDUs, echoes) cut at any byte',
  property: fc.asyncProperty(scenario(steps(modemChunks, false), scripted(modemChunks)), keepsItsPromises),
};

const channelOnFaultyEmulator: FuzzProperty = {
  name: 'AtChannel keeps those promises against the modem emulator with its faults (slow, silent, no SIM, refused sends, URCs inside answers) and line noise',
  property: fc.asyncProperty(scenario(steps(modemChunks, true), fc.constant<Responder>({ kind: 'emulator' })), keepsItsPromises),
};

const anyLine = fc.oneof(modemToken, modemText, fc.string({ maxLength: 30 }), fc.string({ unit: 'binary', maxLength: 30 }));

const lineParsers: FuzzProperty = {
  name: 'the AT line classifiers and the information-line parsers give documented values, or BOX_MODEM_UNEXPECTED_ANSWER, for any lines',
  property: fc.property(fc.array(anyLine, { maxLength: 8 }), fc.nat(40), (lines, index) => {
    for (const line of lines) {
      const final = parseFinalResult(line);
      if (final !== undefined && final.kind !== 'ok') assertRejection(resultError(final, 'AT+X'));
      else if (final !== undefined) assert.equal(final.kind, 'ok');
      assert.equal(typeof isUnsolicited(line), 'boolean');
      assert.ok(!hasDataLine(line) || isUnsolicited(line), `${line}: a two-line URC not classified as a URC`);
      const cmti = parseCmti(line);
      assert.ok(cmti === undefined || (Number.isInteger(cmti) && cmti >= 0), `+CMTI index ${cmti}`);
    }
    for (const parser of ['cpin', 'creg', 'csq', 'cops', 'cmgs', 'cmgr', 'cmgl'] as const) assertAnswerParses(parser, `AT+CMGR=${index}`, lines);
  }),
};

const smscField = fc.constantFrom(undefined, true, false);

const decodeDeliverOfAnyHex: FuzzProperty = {
  name: 'decodeDeliver gives a well-formed message or BOX_MODEM_PDU_INVALID for any hex, and gives back exactly what encodeDeliver encoded',
  property: fc.property(fc.oneof({ weight: 4, arbitrary: fc.tuple(pduText('deliver'), smscField) }, { weight: 1, arbitrary: deliverSms }), (input) => {
    if (Array.isArray(input)) return void assertDeliverOutcome(...input);
    const decoded = input.parts.map((part) => assertDeliverOutcome(part.pdu));
    const texts = decoded.map((m, i) => {
      assert.ok(m, `part ${i + 1} of an encoded SMS-DELIVER was refused`);
      assert.equal(m.from, input.from);
      assert.equal(m.smsc, input.smsc ?? null);
      assert.equal(m.timestamp, Math.floor(input.timestamp / 1000) * 1000);
      if (decoded.length > 1) assert.deepEqual(m.concat, { reference: input.reference, total: decoded.length, sequence: i + 1 });
      return m.text;
    });
    assert.equal(texts.join(''), input.text);
  }),
};

const decodeSubmitOfAnyHex: FuzzProperty = {
  name: 'decodeSubmit gives a well-formed message or BOX_MODEM_PDU_INVALID for any hex, and gives back exactly what encodeSubmit encoded',
  property: fc.property(fc.oneof({ weight: 4, arbitrary: fc.tuple(pduText('submit'), smscField) }, { weight: 1, arbitrary: submitSms }), (input) => {
    if (Array.isArray(input)) return void assertSubmitOutcome(...input);
    const decoded = input.parts.map((part) => assertSubmitOutcome(part.pdu));
    const texts = decoded.map((m, i) => {
      assert.ok(m, `part ${i + 1} of an encoded SMS-SUBMIT was refused`);
      assert.equal(m.to, input.to);
      assert.equal(m.smsc, input.smsc ?? null);
      if (decoded.length > 1) assert.deepEqual(m.concat, { reference: input.reference, total: decoded.length, sequence: i + 1 });
      return m.text;
    });
    assert.equal(texts.join(''), input.text);
  }),
};

/** What the box may write: command lines (also cut, or with arguments), PDUs after a prompt, ESC, Ctrl-Z, bytes. */
const boxOutput = fc.oneof(
  fc.constantFrom(...COMMAND_LINES, 'ATE1', 'ATZ', 'AT+CMEE=2', 'AT+CREG=2', 'AT+CNMI=2,1', 'AT+CMGF=1', 'AT+CPMS="SM"', 'AT+CSCA?').map((c) => `${c}\r`),
  fc.tuple(fc.constantFrom('AT+CMGS=', 'AT+CMGR=', 'AT+CMGD=', 'AT+CMGL=', 'AT+CMEE=', 'ATE'), fc.oneof(fc.nat(400).map(String), fc.string({ maxLength: 6 }))).map(([c, n]) => `${c}${n}\r`),
  pduText('submit').map((pdu) => `${pdu}\x1a`),
  fc.constantFrom('\x1a', '\x1b', '\r', '\n', '\b'),
  fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString('latin1')),
);

const emulatorOnAnyInput: FuzzProperty = {
  name: 'the modem emulator answers anything the box may write without throwing',
  property: fc.property(fc.array(boxOutput, { maxLength: 12 }), fc.boolean(), (writes, asBuffer) => {
    const emulator = new ModemEmulator();
    emulator.on('output', (data) => assert.ok(Buffer.isBuffer(data)));
    for (const text of writes) emulator.write(asBuffer ? Buffer.from(text, 'latin1') : text);
    emulator.dispose();
  }),
};

/** Every AT-side fuzz property. */
export function atFuzzProperties(): FuzzProperty[] {
  return [channelOnRandomBytes, channelOnModemLikeOutput, channelOnFaultyEmulator, lineParsers, decodeDeliverOfAnyHex, decodeSubmitOfAnyHex, emulatorOnAnyInput];
}
