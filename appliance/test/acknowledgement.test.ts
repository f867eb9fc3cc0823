/**
 * Acknowledgement and escalation, with the box's modem on a real serial line: the modem emulator
 * serves one end of a socat pty pair, the box opens the other. No cloud is reachable.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger, dataPaths, createLogger } from '@vigie/common';
import pino from 'pino';
import { skipUnlessTool, tempDir, waitUntil } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import { readBoxFile } from '@vigie/provisioning';
import { loadBoxEnv } from '../src/config.ts';
import { createBox, type Box } from '../src/box.ts';
import type { ModemEmulator } from '../src/modem/index.ts';
import { NURSE, provisionTestBox, ptyModem, SON } from './fixtures.ts';

const DOCTOR = { name: 'Dr Martin', phone: '+33639980003', role: 'doctor', tier: 2 } as const;

const until = (condition: () => boolean, what: string, timeoutMs = 10_000) => waitUntil(condition, what, timeoutMs);

/**
 * Every SMS delivered to the modem has been read and handled: the box deletes a received message
 * (AT+CMGD) only after its listener ran, so once none is left on the SIM (stat 0/1) each reply
 * was handled and any answer to it is already in the outbox. Then `dispatcher.idle()` shows what
 * was sent: proof that nothing was, without waiting an arbitrary time.
 */
async function repliesHandled(emulator: ModemEmulator): Promise<void> {
  await until(() => emulator.storedMessages.every((m) => m.status >= 2), 'the replies read and deleted from the SIM');
}

interface Ctx {
  box: Box;
  bracelet: BraceletSimulator;
  emulator: ModemEmulator;
  clock: { t: number; now(): number };
  /** Run the fall until its first SMS are accepted; returns the alert number. */
  fall(): Promise<number>;
}

/** The box file of the box under test (pairing writes to it). */
let currentBoxFile: string | undefined;

async function withBoxOnPty(run: (ctx: Ctx) => Promise<void>, options: { fallCancelSeconds?: number } = {}): Promise<void> {
  const dir = tempDir('vigie-ack-');
  const paths = dataPaths(dir.path);
  currentBoxFile = paths.boxConfig;
  provisionTestBox(dir.path, { boxId: 'VB-TEST-0002', contacts: [NURSE, SON, DOCTOR], fallCancelSeconds: options.fallCancelSeconds });
  const modem = await ptyModem(dir.path);
  const { emulator } = modem;
  const clock = { t: Date.UTC(2026, 10, 25, 13, 0), now() { return this.t; } };
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0002', speed: 600, radioSocketPath: paths.braceletRadioSocket });
  const env = loadBoxEnv({ VIGIE_DATA_DIR: dir.path, VIGIE_MQTT_PORT: '0', VIGIE_MODEM_DEVICE: modem.device, VIGIE_GPIO: 'simulated' });
  const box = createBox({ env, boxFile: readBoxFile(paths.boxConfig), log: process.env.VIGIE_TEST_LOG ? createLogger('test', { level: 'debug' }, pino.destination(process.env.VIGIE_TEST_LOG)) : silentLogger(), clock });
  await bracelet.start();
  await box.start();
  const fall = async () => {
    await until(() => box.readings.depth().depth > 0, 'the bracelet linked');
    const before = emulator.sent.length;
    bracelet.injectFall();
    await until(() => emulator.sent.length >= before + 2, 'the first round of SMS');
    await box.dispatcher.idle();
    return Number(/ALERTE Vigie (\d+)/.exec(emulator.sent.at(-1)!.text)![1]);
  };
  try {
    await run({ box, bracelet, emulator, clock, fall });
  } finally {
    await box.stop();
    await bracelet.stop();
    await modem.close();
    dir.cleanup();
  }
}

const skip = skipUnlessTool('socat');

test('texts tier 1 at once, then escalates to tier 2 when nobody answers, then stops after the last round', { skip }, async () => {
  await withBoxOnPty(async ({ box, emulator, clock, fall }) => {
    const number = await fall();
    assert.deepEqual(emulator.sent.map((s) => s.to).sort(), [NURSE.phone, SON.phone]);
    clock.t += 4 * 60_000;
    box.followUp.sweep();
    await box.dispatcher.idle();
    assert.equal(emulator.sent.length, 2, 'no escalation before the delay');
    clock.t += 61_000;
    box.followUp.sweep();
    await until(() => emulator.sent.length === 5, 'round 2: tiers 1 and 2');
    const round2 = emulator.sent.slice(2);
    assert.deepEqual(round2.map((s) => s.to).sort(), [NURSE.phone, SON.phone, DOCTOR.phone]);
    assert.match(round2[0]!.text, new RegExp(`^RAPPEL ALERTE Vigie ${number} : chute détectée chez Jeanne Dupont`));
    clock.t += 5 * 60_000 + 1;
    box.followUp.sweep();
    await until(() => emulator.sent.length === 8, 'round 3');
    clock.t += 60 * 60_000;
    box.followUp.sweep();
    await box.dispatcher.idle();
    assert.equal(emulator.sent.length, 8, 'three rounds in all');
  });
});

test('an OK reply from a contact acknowledges the alert, stops the escalation and tells the others', { skip }, async () => {
  await withBoxOnPty(async ({ box, emulator, clock, fall }) => {
    const number = await fall();
    emulator.deliver(SON.phone, `OK ${number}`);
    await until(() => emulator.sent.length === 4, 'confirmation and notice');
    const [confirm, notice] = [emulator.sent.find((s) => s.to === SON.phone && /merci/.test(s.text)), emulator.sent.find((s) => s.to === NURSE.phone && /s'occupe/.test(s.text))];
    assert.ok(confirm, 'the son is thanked');
    assert.match(notice!.text, new RegExp(`^Vigie ${number} : Paul Dupont s'occupe de l'alerte \\(chute détectée chez Jeanne Dupont\\)\\.$`));
    const alertId = box.alerts.pendingUploads('VB-TEST-0002').at(-1)!.alertId;
    const event = box.alerts.event(alertId, 'VB-TEST-0002')!;
    assert.equal(event.state, 'acknowledged');
    assert.deepEqual(event.acknowledgement && { by: event.acknowledgement.by, via: event.acknowledgement.via }, { by: 'Paul Dupont', via: 'sms' });
    clock.t += 60 * 60_000;
    box.followUp.sweep();
    await box.dispatcher.idle();
    assert.equal(emulator.sent.length, 4, 'no escalation after the acknowledgement');
  });
});

test('never acknowledges on a reply from an unknown number, an OK with no open alert, or another word', { skip }, async () => {
  await withBoxOnPty(async ({ box, emulator, clock, fall }) => {
    emulator.deliver(NURSE.phone, 'OK');
    await repliesHandled(emulator);
    await box.dispatcher.idle();
    assert.equal(emulator.sent.length, 0, 'an OK with no open alert answers nothing');
    const number = await fall();
    emulator.deliver('+33700000000', `OK ${number}`);
    emulator.deliver(NURSE.phone, 'Qui est-ce ?');
    emulator.deliver(SON.phone, `OK ${number + 1}`);
    // Not understood: a short help reply to the nurse (REPLIES.md), and only that.
    await until(() => emulator.sent.length === 3, 'the help reply');
    await repliesHandled(emulator);
    await box.dispatcher.idle();
    assert.equal(emulator.sent.length, 3, 'nothing else sent in answer');
    assert.equal(emulator.sent[2]!.to, NURSE.phone);
    assert.match(emulator.sent[2]!.text, new RegExp(`^Vigie : réponse non comprise\\. Répondez OK ${number} si vous vous en occupez, ou NON si vous ne pouvez pas\\.$`));
    clock.t += 5 * 60_000 + 1;
    box.followUp.sweep();
    await until(() => emulator.sent.length === 6, 'the escalation still happens');
  });
});

test('holds a fall in its cancel window: a press of the button then sends nothing at all', { skip }, async () => {
  await withBoxOnPty(
    async ({ box, bracelet, emulator, clock }) => {
      await until(() => box.readings.depth().depth > 0, 'the bracelet linked');
      bracelet.injectFall();
      await until(() => box.alerts.pendingUploads('VB-TEST-0002').some((a) => a.kind === 'fall'), 'the fall stored');
      const fall = box.alerts.pendingUploads('VB-TEST-0002').find((a) => a.kind === 'fall')!;
      assert.equal(fall.cancelUntil, fall.raisedAt + 20_000);
      // A drain inside the window (the box's clock stands still) finds nothing due.
      box.dispatcher.kick();
      await box.dispatcher.idle();
      assert.equal(emulator.sent.length, 0, 'nothing leaves during the window');
      clock.t += 10_000;
      assert.equal(box.cancelFall(), fall.alertId);
      clock.t += 60 * 60_000;
      box.dispatcher.kick();
      box.followUp.sweep();
      await box.dispatcher.idle();
      assert.equal(emulator.sent.length, 0, 'a cancelled fall never texts nor escalates');
      assert.equal(box.alerts.event(fall.alertId, 'VB-TEST-0002')!.state, 'closed');
      assert.equal(box.cancelFall(), null, 'a second press finds nothing to cancel');
    },
    { fallCancelSeconds: 20 },
  );
});

test('sends the fall SMS as soon as the window ends without a press, and never delays a cardiac arrest', { skip }, async () => {
  await withBoxOnPty(
    async ({ box, bracelet, emulator, clock }) => {
      await until(() => box.readings.depth().depth > 0, 'the bracelet linked');
      bracelet.injectCardiacArrest();
      await until(() => emulator.sent.length === 2, 'the cardiac arrest SMS at once');
      bracelet.injectFall();
      await until(() => box.alerts.pendingUploads('VB-TEST-0002').some((a) => a.kind === 'fall'), 'the fall stored');
      await box.dispatcher.idle();
      assert.equal(emulator.sent.length, 2);
      clock.t += 20_001;
      box.dispatcher.kick();
      await until(() => emulator.sent.length === 4, 'the fall SMS after the window');
      assert.match(emulator.sent[3]!.text, /chute détectée/);
    },
    { fallCancelSeconds: 20 },
  );
});

test('a long press on the box button sends a help alert while the button is still held, and a short press cancels a fall', { skip }, async () => {
  await withBoxOnPty(
    async ({ box, bracelet, emulator }) => {
      const gpio = box.simulatedGpio!;
      gpio.press(5);
      // The button module's own timer (3 s hold): the alert leaves before the release.
      await until(() => emulator.sent.length === 2, 'the help SMS', 10_000);
      assert.match(emulator.sent[0]!.text, /demande d'aide \(bouton\) chez Jeanne Dupont/);
      gpio.release(5);
      // A person does not press again within the 30 ms debounce (it would read as a bounce): a
      // stimulus held for a real time, not a wait for something to happen.
      await new Promise((r) => setTimeout(r, 100));
      await until(() => box.readings.depth().depth > 0, 'the bracelet linked');
      bracelet.injectFall();
      await until(() => box.alerts.pendingUploads('VB-TEST-0002').some((a) => a.kind === 'fall'), 'the fall stored');
      gpio.press(5);
      await new Promise((r) => setTimeout(r, 200)); // a short press, held 200 ms (a stimulus, as above)
      gpio.release(5);
      await until(() => box.alerts.pendingUploads('VB-TEST-0002').some((a) => a.kind === 'fall' && a.state === 'closed'), 'the fall cancelled by the press');
    },
    { fallCancelSeconds: 20 },
  );
});

test('holding the pairing button pairs the bracelet the box finds, and keeps it across a restart', { skip }, async () => {
  await withBoxOnPty(async ({ box }) => {
    const gpio = box.simulatedGpio!;
    assert.equal(readBoxFile(currentBoxFile!).braceletId, undefined, 'no bracelet paired yet');
    gpio.press(6);
    await until(() => readBoxFile(currentBoxFile!).braceletId === 'BR-TEST-0002', 'the bracelet saved as paired', 10_000);
    gpio.release(6);
    const before = box.readings.depth().depth;
    await until(() => box.readings.depth().depth > before, 'readings after pairing');
  });
});

// The reply grammar (issue 10, finding 2; REPLIES.md), on the real serial line.

test('"OK?" and "OK, je ne peux pas" acknowledge nothing: the question gets one help reply, the refusal texts the next tier at once', { skip }, async () => {
  await withBoxOnPty(async ({ box, emulator, fall }) => {
    const number = await fall();
    emulator.deliver(NURSE.phone, 'OK?');
    await until(() => emulator.sent.length === 3, 'the help reply');
    assert.equal(emulator.sent[2]!.to, NURSE.phone);
    assert.match(emulator.sent[2]!.text, /^Vigie : réponse non comprise/);
    // A chatty sender does not make the box text in a loop: one help per number per 10 minutes.
    emulator.deliver(NURSE.phone, 'OK ??');
    emulator.deliver(NURSE.phone, 'allo ?');
    emulator.deliver(SON.phone, 'OK, je ne peux pas');
    // No clock advance: the refusal brings the next round forward (tier 2, the doctor, joins).
    await until(() => emulator.sent.some((s) => s.to === DOCTOR.phone), 'the next tier texted at once');
    await box.dispatcher.idle();
    const alertId = box.alerts.pendingUploads('VB-TEST-0002').at(-1)!.alertId;
    assert.equal(box.alerts.event(alertId, 'VB-TEST-0002')!.state, 'escalated');
    assert.equal(emulator.sent.filter((s) => s.to === NURSE.phone && /non comprise/.test(s.text)).length, 1, 'one help reply only');
    assert.match(emulator.sent.find((s) => s.to === DOCTOR.phone)!.text, new RegExp(`^RAPPEL ALERTE Vigie ${number}`));
  });
});

test('"OK <n>" acknowledges only an alert this contact was texted about', { skip }, async () => {
  await withBoxOnPty(async ({ box, emulator, fall }) => {
    const number = await fall();
    // The doctor (tier 2) has not been texted yet: their "OK <n>" acknowledges nothing.
    emulator.deliver(DOCTOR.phone, `OK ${number}`);
    const alertId = box.alerts.pendingUploads('VB-TEST-0002').at(-1)!.alertId;
    // Then the son's genuine OK acknowledges it, by him: the doctor's was not taken.
    emulator.deliver(SON.phone, `OK ${number}`);
    await until(() => box.alerts.event(alertId, 'VB-TEST-0002')!.state === 'acknowledged', 'acknowledged by the son');
    assert.equal(box.alerts.event(alertId, 'VB-TEST-0002')!.acknowledgement?.by, 'Paul Dupont');
  });
});

test("a reply from a contact's number written without the plus (33…) is theirs", { skip }, async () => {
  await withBoxOnPty(async ({ box, emulator, fall }) => {
    await fall();
    emulator.deliver('33639980001', 'ok.');
    const alertId = box.alerts.pendingUploads('VB-TEST-0002').at(-1)!.alertId;
    await until(() => box.alerts.event(alertId, 'VB-TEST-0002')!.state === 'acknowledged', 'acknowledged by the nurse');
    assert.equal(box.alerts.event(alertId, 'VB-TEST-0002')!.acknowledgement?.by, NURSE.name);
  });
});
