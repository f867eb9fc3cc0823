/**
 * The shared test suite of the Modem port (style habit 2, after aedes-persistence's abstract.js):
 * every adapter runs it, the real serial adapter against the strongest stand-in available (a
 * pty pair served by the emulator). The emulator plays the modem and the network, and injects the
 * faults.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { VigieError } from '@vigie/common';
import type { ModemEmulator } from './emulator/modem-emulator.ts';
import type { IncomingSms, Modem } from './port.ts';

/** A modem under test and the emulator behind it. */
export interface ModemHarness {
  readonly modem: Modem;
  readonly emulator: ModemEmulator;
  close(): Promise<void>;
}

const NURSE = '+33639980001';
const RELATIVE = '+33639980002';
/** A fall alert as the safety core words it, GSM-7 only, 200 characters: two parts. */
const ALERT =
  'ALERTE Vigie no 12 : chute détectée chez Mme Jeanne Dupont à 14:05. Répondez OK 12 si vous vous en occupez. ' +
  'Sans réponse possible de votre part, appelez le 15. Adresse : 12, rue des Lilas, 69003 Lyon.';
/** Needs UCS-2 (ê, ç, œ, °): three parts of at most 67 characters. */
const ALERT_UCS2 = 'ALERTE Vigie n°13 : arrêt cardiaque suspecté chez M. François Lœuvre à 03:12. Appelez le 15 immédiatement. Répondez OK 13 si vous êtes en route.';

function isCode(code: string, details: Record<string, unknown> = {}) {
  return (err: unknown) => {
    assert.ok(err instanceof VigieError, `expected ${code}, got ${String(err)}`);
    assert.equal(err.code, code);
    for (const [key, value] of Object.entries(details)) assert.equal(err.details[key], value, `details.${key}`);
    return true;
  };
}

/** The next incoming SMS, or a failure after `ms`. */
function nextSms(modem: Modem, ms = 3_000): Promise<IncomingSms> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      modem.off('sms', listener);
      reject(new Error('no sms event'));
    }, ms);
    const listener = (sms: IncomingSms) => {
      clearTimeout(timer);
      modem.off('sms', listener);
      resolve(sms);
    };
    modem.on('sms', listener);
  });
}

/** Resolves once `condition` holds, checked after each command the emulator handles. */
function until(emulator: ModemEmulator, condition: () => boolean, ms = 3_000): Promise<void> {
  if (condition()) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emulator.off('command', check);
      reject(new Error('condition not reached'));
    }, ms);
    const check = () => {
      if (!condition()) return;
      clearTimeout(timer);
      emulator.off('command', check);
      resolve();
    };
    emulator.on('command', check);
  });
}

/** What a harness is built with. */
export interface HarnessOptions {
  /** Timeout of the modem's ordinary commands: short only in the cases that wait for a timeout. */
  readonly commandTimeoutMs: number;
}

/** Timeouts of the cases that do not expect one: generous, so a loaded CI machine does not fail them. */
const RELAXED = { commandTimeoutMs: 5_000 };
/** Timeouts of the fault cases, which wait for them: short, yet far above a round trip (under 1 ms). */
const SHORT = { commandTimeoutMs: 400 };

/** Register the suite for one adapter. `makeHarness` builds a fresh, unstarted modem. */
export function modemPortSuite(adapter: string, makeHarness: (options: HarnessOptions) => Promise<ModemHarness>, options: { skip?: string | false } = {}): void {
  /** One case on a fresh harness, closed whatever happens. */
  const it = (name: string, body: (h: ModemHarness) => Promise<void>, harnessOptions: HarnessOptions = RELAXED): void => {
    test(name, async () => {
      const harness = await makeHarness(harnessOptions);
      try {
        await body(harness);
      } finally {
        await harness.close();
      }
    });
  };

  describe(`Modem port over ${adapter}`, { skip: options.skip }, () => {
    it('sends a French alert of 200 characters in two parts and the modem records the exact text for the right recipient', async ({ modem, emulator }) => {
      assert.equal(ALERT.length, 200);
      await modem.start();
      const { references } = await modem.sendSms(NURSE, ALERT);
      assert.equal(references.length, 2);
      assert.equal(emulator.sent.length, 1);
      assert.deepEqual({ ...emulator.sent[0], at: 0 }, { to: NURSE, text: ALERT, parts: 2, references, at: 0 });
    });

    it('sends text outside GSM-7 (ê, ç, œ, °) whole, in UCS-2 parts', async ({ modem, emulator }) => {
      await modem.start();
      const { references } = await modem.sendSms(RELATIVE, ALERT_UCS2);
      assert.equal(references.length, 3);
      assert.equal(emulator.sent[0]?.text, ALERT_UCS2);
      assert.equal(emulator.sent[0]?.to, RELATIVE);
    });

    it('raises an sms event for an incoming "OK 12" with its sender and text, then deletes it from the SIM', async ({ modem, emulator }) => {
      await modem.start();
      const received = nextSms(modem);
      const at = Date.UTC(2025, 0, 15, 14, 7, 0);
      const [index] = emulator.deliver(RELATIVE, 'OK 12', { at });
      assert.deepEqual(await received, { from: RELATIVE, text: 'OK 12', receivedAt: at, storageIndex: index });
      await until(emulator, () => emulator.storedIndexes.length === 0);
    });

    it('reads and deletes the messages stored on the SIM before it started, long ones reassembled', async ({ modem, emulator }) => {
      const longReply = `OK 12, j'arrive dans dix minutes. ${'Je préviens aussi le médecin traitant. '.repeat(5)}`;
      emulator.deliver(NURSE, 'OK 7');
      emulator.deliver(RELATIVE, longReply);
      const received: IncomingSms[] = [];
      modem.on('sms', (sms) => received.push(sms));
      await modem.start();
      assert.deepEqual(received.map((s) => [s.from, s.text]), [
        [NURSE, 'OK 7'],
        [RELATIVE, longReply],
      ]);
      assert.deepEqual(emulator.storedIndexes, []);
    });

    it('reports SIM, registration, roaming, signal and operator', async ({ modem, emulator }) => {
      await modem.start();
      assert.deepEqual(await modem.health(), { sim: 'ready', registered: true, roaming: false, signal: 20, operator: 'Orange F' });
      emulator.setRegistration('roaming');
      emulator.setSignal(null);
      assert.deepEqual(await modem.health(), { sim: 'ready', registered: true, roaming: true, signal: null, operator: 'Orange F' });
      emulator.setRegistration('searching');
      assert.deepEqual(await modem.health(), { sim: 'ready', registered: false, roaming: false, signal: null, operator: null });
    });

    it('refuses to start without a SIM with BOX_MODEM_NO_SIM, reports it in health, and works once a SIM is in', async ({ modem, emulator }) => {
      emulator.setSim('missing');
      await assert.rejects(modem.start(), (err: unknown) => isCode('BOX_MODEM_NO_SIM')(err) && isCode('BOX_MODEM_CME_ERROR', { cme: 10 })((err as Error).cause));
      assert.deepEqual(await modem.health(), { sim: 'missing', registered: false, roaming: false, signal: 20, operator: null });
      await assert.rejects(modem.sendSms(NURSE, ALERT), isCode('BOX_MODEM_NO_SIM'));
      emulator.setSim('ready');
      await modem.sendSms(NURSE, 'Test');
      assert.equal(emulator.sent[0]?.text, 'Test');
    });

    it('refuses to start on a SIM that asks for its PIN with BOX_MODEM_SIM_LOCKED', async ({ modem, emulator }) => {
      emulator.setSim('pin_required');
      await assert.rejects(modem.start(), isCode('BOX_MODEM_SIM_LOCKED'));
      assert.equal((await modem.health()).sim, 'pin_required');
    });

    it('refuses to send while not registered with BOX_MODEM_NOT_REGISTERED', async ({ modem, emulator }) => {
      await modem.start();
      emulator.setRegistration('searching');
      await assert.rejects(modem.sendSms(NURSE, ALERT), isCode('BOX_MODEM_NOT_REGISTERED', { stat: 2 }));
      assert.deepEqual(emulator.sent, []);
    });

    it('fails a send refused with +CMS ERROR: 500 with BOX_MODEM_CMS_ERROR carrying the number, and sends the next one', async ({ modem, emulator }) => {
      await modem.start();
      emulator.failNextSend(500);
      await assert.rejects(modem.sendSms(NURSE, 'Test'), isCode('BOX_MODEM_CMS_ERROR', { cms: 500, part: 1, parts: 1 }));
      await modem.sendSms(NURSE, 'Test again');
      assert.deepEqual(emulator.sent.map((s) => s.text), ['Test again']);
    });

    it('fails with BOX_MODEM_TIMEOUT when the modem stops answering, and the next command works once it answers again', async ({ modem, emulator }) => {
      await modem.start();
      emulator.stopAnswering();
      await assert.rejects(modem.health(), isCode('BOX_MODEM_TIMEOUT'));
      emulator.resumeAnswering();
      assert.equal((await modem.health()).signal, 20);
      await modem.sendSms(NURSE, 'Test');
      assert.equal(emulator.sent.length, 1);
    }, SHORT);

    it('drops answers that come after their timeout instead of taking them for the next command', async ({ modem, emulator }) => {
      await modem.start();
      // Answers come 100 ms after the timeout: the late one lands inside the next command's window.
      emulator.setDelay(SHORT.commandTimeoutMs + 100);
      await assert.rejects(modem.health(), isCode('BOX_MODEM_TIMEOUT'));
      emulator.setDelay(0);
      emulator.setSignal(7);
      assert.equal((await modem.health()).signal, 7);
    }, SHORT);

    it('handles unsolicited codes interleaved with answers, an incoming-message notice included', async ({ modem, emulator }) => {
      await modem.start();
      emulator.interleaveUrc('RING');
      assert.equal((await modem.health()).sim, 'ready');
      const [index] = emulator.deliver(RELATIVE, 'OK 12', { notify: false });
      const received = nextSms(modem);
      emulator.interleaveUrc(`+CMTI: "SM",${index}`); // before, between and after the CREG answer of the send
      emulator.interleaveUrc('+CREG: 1');
      const { references } = await modem.sendSms(NURSE, 'Test');
      assert.equal(references.length, 1);
      assert.equal((await received).text, 'OK 12');
      await until(emulator, () => emulator.storedIndexes.length === 0);
    });

    it('keeps working when garbage bytes arrive on the line', async ({ modem, emulator }) => {
      await modem.start();
      // Noise, a lone "> ", a notice for a message that is not there, a half line.
      emulator.emitRaw(Buffer.from([0x00, 0xff, 0xfe, 0x1b, 0x0d, 0x3e, 0x20, 0x80, 0x0a, 0x7f, 0x1a, 0x0d, 0x0a]));
      emulator.emitRaw('\r\n+CMTI: "SM",99\r\n\r\nÿÿ NO CARRIER\r\n+CS');
      assert.equal((await modem.health()).registered, true);
      await modem.sendSms(NURSE, 'Test');
      assert.equal(emulator.sent.length, 1);
    });

    it('copes with a modem that keeps echoing after ATE0', async ({ modem, emulator }) => {
      emulator.ignoreEchoOff();
      await modem.start();
      await modem.sendSms(NURSE, ALERT);
      assert.equal(emulator.sent[0]?.text, ALERT);
      assert.equal((await modem.health()).operator, 'Orange F');
    });

    it('refuses a recipient that is not in E.164 form with BOX_MODEM_BAD_NUMBER', async ({ modem, emulator }) => {
      await modem.start();
      await assert.rejects(modem.sendSms('0639980001', 'Test'), isCode('BOX_MODEM_BAD_NUMBER'));
      assert.deepEqual(emulator.sent, []);
    });

    it('rejects commands with BOX_MODEM_CLOSED once stopped, and works again when started again', async ({ modem, emulator }) => {
      await modem.start();
      await modem.stop();
      await assert.rejects(modem.sendSms(NURSE, 'Test'), isCode('BOX_MODEM_CLOSED'));
      await assert.rejects(modem.health(), isCode('BOX_MODEM_CLOSED'));
      await modem.start();
      await modem.sendSms(NURSE, 'Test');
      assert.equal(emulator.sent.length, 1);
    });

    storedSmsCases(it);
  });
}

type Case = (name: string, body: (h: ModemHarness) => Promise<void>, harnessOptions?: HarnessOptions) => void;

/** Store-then-send (TS 27.005 §3.5.3 AT+CMGW, §3.5.2 AT+CMSS): what survives a crash of the box. */
function storedSmsCases(it: Case): void {
  const statuses = (modem: Modem, indexes: readonly number[]) => Promise.all(indexes.map((i) => modem.storedStatus(i)));

  it('stores an alert in the modem memory, one index per part, without sending it, even off the network', async ({ modem, emulator }) => {
    await modem.start();
    emulator.setRegistration('searching');
    const { indexes } = await modem.storeSms(NURSE, ALERT);
    assert.equal(indexes.length, 2);
    assert.deepEqual(emulator.storedIndexes, [...indexes].sort((a, b) => a - b));
    assert.deepEqual(await statuses(modem, indexes), ['unsent', 'unsent']);
    await assert.rejects(modem.sendStored(indexes[0]!), isCode('BOX_MODEM_NOT_REGISTERED'));
    assert.deepEqual(await statuses(modem, indexes), ['unsent', 'unsent']);
    assert.deepEqual(emulator.sentParts, []);
  });

  it('sends stored parts one by one: each goes from unsent to sent, and the exact text arrives once the last is out', async ({ modem, emulator }) => {
    await modem.start();
    const { indexes } = await modem.storeSms(NURSE, ALERT);
    const first = await modem.sendStored(indexes[0]!);
    assert.deepEqual(await statuses(modem, indexes), ['sent', 'unsent']);
    assert.equal(emulator.sent.length, 0);
    const second = await modem.sendStored(indexes[1]!);
    assert.deepEqual(await statuses(modem, indexes), ['sent', 'sent']);
    assert.deepEqual({ ...emulator.sent[0], at: 0 }, { to: NURSE, text: ALERT, parts: 2, references: [first.reference, second.reference], at: 0 });
    assert.equal(emulator.sent.length, 1);
  });

  it('stores a three-part French alert in UCS-2 and, sent part by part, it arrives whole', async ({ modem, emulator }) => {
    await modem.start();
    const { indexes } = await modem.storeSms(RELATIVE, ALERT_UCS2);
    assert.equal(indexes.length, 3);
    const references: number[] = [];
    for (const index of indexes) references.push((await modem.sendStored(index)).reference);
    assert.deepEqual(emulator.sent.map((s) => [s.to, s.text, s.parts, s.references]), [[RELATIVE, ALERT_UCS2, 3, references]]);
    assert.deepEqual(emulator.sentParts.map((p) => p.storageIndex), indexes);
  });

  it('sends a stored part again when asked again, as a real modem does: the caller must check storedStatus first', async ({ modem, emulator }) => {
    await modem.start();
    const { indexes } = await modem.storeSms(NURSE, 'ALERTE Vigie no 12 : chute détectée.');
    await modem.sendStored(indexes[0]!);
    await modem.sendStored(indexes[0]!);
    assert.deepEqual(emulator.sent.map((s) => s.text), ['ALERTE Vigie no 12 : chute détectée.', 'ALERTE Vigie no 12 : chute détectée.']);
  });

  it('fails a stored send refused with +CMS ERROR: 500 with BOX_MODEM_CMS_ERROR, leaves the part unsent, and sends it on retry', async ({ modem, emulator }) => {
    await modem.start();
    const { indexes } = await modem.storeSms(NURSE, 'Test');
    emulator.failNextStoredSend(500);
    await assert.rejects(modem.sendStored(indexes[0]!), isCode('BOX_MODEM_CMS_ERROR', { cms: 500, storageIndex: indexes[0] }));
    assert.equal(await modem.storedStatus(indexes[0]!), 'unsent');
    await modem.sendStored(indexes[0]!);
    assert.equal(await modem.storedStatus(indexes[0]!), 'sent');
    assert.deepEqual(emulator.sent.map((s) => s.text), ['Test']);
  });

  it('frees a stored part with deleteStored, reports a freed or never used index as missing, and deletes a missing one without error', async ({ modem, emulator }) => {
    await modem.start();
    const { indexes } = await modem.storeSms(NURSE, 'Test');
    await modem.sendStored(indexes[0]!);
    await modem.deleteStored(indexes[0]!);
    assert.deepEqual(emulator.storedIndexes, []);
    assert.equal(await modem.storedStatus(indexes[0]!), 'missing');
    assert.equal(await modem.storedStatus(17), 'missing');
    await modem.deleteStored(indexes[0]!);
    await modem.deleteStored(17);
  });

  it('never deletes a received SMS that took the index of a freed stored part', async ({ modem, emulator }) => {
    await modem.start();
    const { indexes } = await modem.storeSms(NURSE, 'Test');
    await modem.deleteStored(indexes[0]!);
    const [received] = emulator.deliver(RELATIVE, 'OK 12', { notify: false });
    assert.equal(received, indexes[0]);
    await modem.deleteStored(indexes[0]!); // repeated, as after a crash between the delete and its record
    assert.equal(await modem.storedStatus(indexes[0]!), 'missing');
    assert.deepEqual(emulator.storedIndexes, [received]);
  });

  it('fails with BOX_MODEM_MEMORY_FULL when the memory is full, frees the parts it had written, and stores again once memory is freed', async ({ modem, emulator }) => {
    await modem.start();
    const capacity = 30; // the emulator's default
    const filled: number[] = [];
    for (let i = 0; i < capacity - 1; i++) filled.push(...(await modem.storeSms(NURSE, `Test ${i}`)).indexes);
    // The first part fits in the last slot, the second does not.
    await assert.rejects(modem.storeSms(NURSE, ALERT), isCode('BOX_MODEM_MEMORY_FULL', { part: 2, parts: 2 }));
    assert.deepEqual(emulator.storedIndexes, filled);
    await modem.deleteStored(filled[0]!);
    await modem.deleteStored(filled[1]!);
    const { indexes } = await modem.storeSms(NURSE, ALERT);
    assert.equal(indexes.length, 2);
    assert.equal(emulator.storedIndexes.length, capacity - 1);
  });

  it('leaves stored parts alone when reading the SIM at start and on +CMTI, and still takes the received SMS among them', async ({ modem, emulator }) => {
    await modem.start();
    const unsent = (await modem.storeSms(NURSE, ALERT)).indexes;
    const [sent] = (await modem.storeSms(RELATIVE, 'Test')).indexes;
    await modem.sendStored(sent!);
    const stored = emulator.storedMessages;
    await modem.stop();
    emulator.deliver(RELATIVE, 'OK 12');
    const received: string[] = [];
    modem.on('sms', (sms) => received.push(sms.text));
    await modem.start();
    assert.deepEqual(received, ['OK 12']);
    assert.deepEqual(emulator.storedMessages, stored);
    // A notice that points at a stored part (a confused modem), then a real one: the inbox handles
    // them in order, so once the second is emitted the first was dealt with.
    const next = nextSms(modem);
    emulator.emitRaw(`\r\n+CMTI: "SM",${unsent[0]}\r\n`);
    emulator.deliver(NURSE, 'OK 13');
    assert.equal((await next).text, 'OK 13');
    assert.deepEqual(received, ['OK 12', 'OK 13']);
    await until(emulator, () => emulator.storedMessages.length === stored.length);
    assert.deepEqual(emulator.storedMessages, stored);
    assert.equal(emulator.sent.length, 1);
  });

  it('recovers a modem left after the > prompt with half a message by a killed process: nothing stored or sent, and it works', async ({ modem, emulator }) => {
    // What a box process killed with SIGKILL in the middle of an AT+CMGW leaves behind.
    emulator.write('AT+CMGW=40,2\r');
    emulator.write('0011000B913336');
    assert.equal(emulator.awaitingPdu, true);
    await modem.start();
    assert.equal(emulator.awaitingPdu, false);
    const { indexes } = await modem.storeSms(NURSE, 'Test');
    assert.deepEqual(emulator.storedIndexes, indexes);
    await modem.sendStored(indexes[0]!);
    assert.deepEqual(emulator.sent.map((s) => s.text), ['Test']);
  });
}
