/**
 * Modem faults, each over a real pty to the modem emulator: each ends in a retry that gets the SMS
 * out, and a problem the screen shows meanwhile — never silence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { silentLogger, dataPaths } from '@vigie/common';
import { skipUnlessTool, tempDir, waitUntil } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import { readBoxFile } from '@vigie/provisioning';
import { provisionTestBox } from './fixtures.ts';
import { loadBoxEnv } from '../src/config.ts';
import { createBox, type Box } from '../src/box.ts';
import { ModemEmulator, serveEmulatorOnDevice } from '../src/modem/index.ts';
import { startPtyPair } from '../src/modem/pty-pair.ts';
import { PngDisplay } from '../src/display/png-display.ts';

const until = (condition: () => boolean, what: string, timeoutMs = 10_000) => waitUntil(condition, what, timeoutMs);

interface Ctx {
  box: Box;
  bracelet: BraceletSimulator;
  emulator: ModemEmulator;
  clock: { t: number; now(): number };
  /** Swap the modem for a new one on the same line, as after a power cycle of the modem. */
  resetModem(): Promise<ModemEmulator>;
  /** Let retries come due and run them until `done`. */
  retryUntil(done: () => boolean, what: string): Promise<void>;
}

async function withFaultyModem(prepare: (emulator: ModemEmulator) => void, run: (ctx: Ctx) => Promise<void>): Promise<void> {
  const dir = tempDir('vigie-faults-');
  const paths = dataPaths(dir.path);
  provisionTestBox(dir.path, { boxId: 'VB-TEST-0005' });
  const pty = await startPtyPair(dir.path);
  let emulator = new ModemEmulator({});
  prepare(emulator);
  let served = await serveEmulatorOnDevice(emulator, pty.b);
  const clock = { t: Date.UTC(2026, 10, 25, 13, 0), now() { return this.t; } };
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0005', speed: 600, radioSocketPath: paths.braceletRadioSocket });
  const env = loadBoxEnv({
    VIGIE_DATA_DIR: dir.path,
    VIGIE_MQTT_PORT: '0',
    VIGIE_MODEM_DEVICE: pty.a,
    VIGIE_MODEM_COMMAND_TIMEOUT_MS: '300',
    VIGIE_MODEM_SEND_TIMEOUT_MS: '600',
  });
  const display = new PngDisplay({ path: join(dir.path, 'screen.png'), log: silentLogger() });
  const box = createBox({ env, boxFile: readBoxFile(paths.boxConfig), log: silentLogger(), clock, display });
  await bracelet.start();
  await box.start();
  await until(() => box.readings.depth().depth > 0, 'the bracelet linked');
  const ctx: Ctx = {
    box,
    bracelet,
    get emulator() {
      return emulator;
    },
    clock,
    async resetModem() {
      await served.close();
      emulator = new ModemEmulator({});
      served = await serveEmulatorOnDevice(emulator, pty.b);
      return emulator;
    },
    async retryUntil(done, what) {
      const deadline = Date.now() + 20_000;
      while (!done()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        clock.t += 5 * 60_000;
        box.dispatcher.kick();
        await box.dispatcher.idle();
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
  try {
    await run(ctx);
  } finally {
    await box.stop();
    await bracelet.stop();
    await served.close();
    await pty.close();
    dir.cleanup();
  }
}

const skip = skipUnlessTool('socat');
const fallSmsCount = (e: ModemEmulator) => e.sent.filter((s) => /chute détectée/.test(s.text)).length;

test('no SIM: the screen says so, the fall SMS are retried, and leave once a SIM is in', { skip }, async () => {
  await withFaultyModem(
    (e) => e.setSim('missing'),
    async ({ box, bracelet, emulator, retryUntil }) => {
      const expected = JSON.stringify({ kind: 'problem', problems: ['no_sim'] });
      await until(() => JSON.stringify(box.screen!.state()) === expected, 'the no_sim screen');
      bracelet.injectFall();
      await until(() => box.alerts.pendingUploads('VB-TEST-0005').some((a) => a.notifications.some((n) => n.status === 'failed')), 'a failed attempt');
      assert.equal(emulator.sent.length, 0);
      emulator.setSim('ready');
      await retryUntil(() => fallSmsCount(emulator) === 2, 'the SMS once the SIM is back');
    },
  );
});

test('no network: the screen says so and the SMS wait for registration', { skip }, async () => {
  await withFaultyModem(
    (e) => e.setRegistration('searching'),
    async ({ box, bracelet, emulator, retryUntil }) => {
      const expected = JSON.stringify({ kind: 'problem', problems: ['no_network'] });
      await until(() => JSON.stringify(box.screen!.state()) === expected, 'the no_network screen');
      bracelet.injectFall();
      await until(() => box.alerts.pendingUploads('VB-TEST-0005').some((a) => a.notifications.some((n) => n.status === 'failed')), 'a failed attempt');
      emulator.setRegistration('home');
      await retryUntil(() => fallSmsCount(emulator) === 2, 'the SMS once registered');
    },
  );
});

test('+CMS ERROR on a send: retried, and the SMS is sent once', { skip }, async () => {
  await withFaultyModem(
    (e) => e.failNextSend(500),
    async ({ bracelet, emulator, retryUntil }) => {
      bracelet.injectFall();
      await retryUntil(() => fallSmsCount(emulator) === 2, 'both SMS');
      assert.deepEqual(emulator.sent.map((s) => s.to).sort(), ['+33639980001', '+33639980002']);
    },
  );
});

test('a modem that stops answering mid-send: the screen shows no modem, and the SMS go out, once each, when it answers again', { skip }, async () => {
  await withFaultyModem(
    () => {},
    async ({ box, bracelet, emulator, retryUntil }) => {
      await until(() => box.screen!.state().kind === 'ok', 'all is well');
      emulator.stopAnswering();
      bracelet.injectFall();
      await until(() => box.alerts.pendingUploads('VB-TEST-0005').some((a) => a.notifications.some((n) => n.status === 'failed')), 'a timed-out attempt');
      await until(() => box.screen!.state().kind === 'alert', 'the alert screen');
      emulator.resumeAnswering();
      await retryUntil(() => fallSmsCount(emulator) === 2, 'both SMS');
      assert.deepEqual(emulator.sent.map((s) => s.to).sort(), ['+33639980001', '+33639980002'], 'none twice');
    },
  );
});

test('a modem reset that loses its memory: stored SMS are written again and sent', { skip }, async () => {
  await withFaultyModem(
    (e) => e.failNextSend(500),
    async (ctx) => {
      ctx.bracelet.injectFall();
      await until(() => ctx.box.alerts.pendingUploads('VB-TEST-0005').some((a) => a.notifications.some((n) => n.status === 'failed')), 'a failed attempt');
      const before = ctx.emulator;
      const fresh = await ctx.resetModem();
      await ctx.retryUntil(() => fallSmsCount(before) + fallSmsCount(fresh) === 2, 'both SMS');
    },
  );
});

test('a modem that keeps refusing to send is rebooted after three failures, then the SMS go out', { skip }, async () => {
  await withFaultyModem(
    (e) => e.wedgeUntilReset(),
    async ({ bracelet, emulator, retryUntil }) => {
      bracelet.injectFall();
      await retryUntil(() => fallSmsCount(emulator) === 2, 'both SMS after the reboot');
      assert.equal(emulator.resets, 1);
    },
  );
});
