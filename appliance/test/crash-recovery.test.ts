/**
 * The safety core killed with SIGKILL at random moments while falls keep coming: afterwards every
 * stored alert has reached every recipient exactly once — none lost, none the modem had accepted
 * sent again. The core runs as its own process (`vigie-box safety`), its modem on a real pty to
 * the emulator, which records every SMS it sent.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import Database from 'better-sqlite3';
import { dataPaths } from '@vigie/common';
import { freePort, skipUnlessTool, tempDir, waitUntil } from '@vigie/common/testing';
import { BraceletSimulator } from '@vigie/bracelet';
import { provisionTestBox, ptyModem } from './fixtures.ts';
import { startChild, type Child } from '../../scripts/lib/processes.ts';

const ALERTS = Number(process.env.VIGIE_CRASH_ALERTS ?? 200);
const RECIPIENTS = ['+33639980001', '+33639980002'];


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const until = (condition: () => boolean, what: string, timeoutMs = 30_000) => waitUntil(condition, what, timeoutMs, 20);

test(`kill -9 of the safety core at random moments during ${ALERTS} alerts loses no SMS and sends none twice`, { skip: skipUnlessTool('socat'), timeout: 600_000 }, async (t) => {
  const dir = tempDir('vigie-crash-');
  const paths = dataPaths(dir.path);
  provisionTestBox(dir.path, { boxId: 'VB-TEST-0004' });
  const modem = await ptyModem(dir.path);
  const { emulator } = modem;
  const bracelet = new BraceletSimulator({ deviceId: 'BR-TEST-0004', radioSocketPath: paths.braceletRadioSocket });
  await bracelet.start();
  const env = { ...process.env, VIGIE_DATA_DIR: dir.path, VIGIE_MODEM_DEVICE: modem.device, VIGIE_MQTT_PORT: String(await freePort()), LOG_LEVEL: process.env.VIGIE_CRASH_LOG_LEVEL ?? 'error' };
  let core: Child | undefined;
  let db: Database.Database | undefined;
  t.after(async () => {
    db?.close();
    await core?.stop();
    await bracelet.stop();
    await modem.close();
    dir.cleanup();
  });
  const startCore = async () => {
    core = startChild('safety', 'appliance/src/cli.ts', ['safety'], env, { echo: process.env.VIGIE_E2E_ECHO === '1' });
    await core.waitFor(/vigie-box safety running/, 60_000);
    await until(() => bracelet.status().boxes > 0, 'the core linked to the bracelet');
  };
  const alertCount = () => {
    db ??= new Database(paths.boxDb, { readonly: true, fileMustExist: true });
    return (db.prepare('SELECT count(*) AS n FROM alerts').get() as { n: number }).n;
  };

  let kills = 0;
  await startCore();
  while (alertCount() < ALERTS) {
    // Falls keep coming while the core runs, then it is killed at a random moment.
    const uptime = 150 + Math.random() * 1_200;
    const until_ = Date.now() + uptime;
    while (Date.now() < until_ && alertCount() < ALERTS) {
      bracelet.injectFall();
      await sleep(40);
    }
    if (alertCount() >= ALERTS) break;
    core!.process.kill('SIGKILL');
    await new Promise((r) => core!.process.once('exit', r));
    kills++;
    await until(() => bracelet.status().boxes === 0, 'the bracelet saw the link drop');
    await startCore();
  }
  // The last core drains what is left.
  const unsent = () => (db!.prepare("SELECT count(*) AS n FROM sms_outbox WHERE state <> 'sent'").get() as { n: number }).n;
  await until(() => unsent() === 0, 'the outbox drained', 120_000);

  const numbers = (db!.prepare('SELECT number FROM alerts ORDER BY raised_at').all() as { number: number }[]).map((r) => r.number);
  assert.ok(numbers.length >= ALERTS);
  const received = new Map<string, number>();
  for (const sms of emulator.sent) {
    const number = /^ALERTE Vigie (\d+) :/.exec(sms.text)?.[1];
    assert.ok(number, `unexpected SMS: ${sms.text}`);
    const key = `${number}→${sms.to}`;
    received.set(key, (received.get(key) ?? 0) + 1);
  }
  const lost = numbers.flatMap((n) => RECIPIENTS.filter((to) => !received.has(`${n}→${to}`)).map((to) => `${n}→${to}`));
  const twice = [...received].filter(([, count]) => count > 1).map(([key]) => key);
  t.diagnostic(`${numbers.length} alerts, ${kills} kills, ${emulator.sent.length} SMS`);
  assert.deepEqual(lost, [], 'every alert reached every recipient');
  assert.deepEqual(twice, [], 'no SMS the modem accepted was sent again');
  assert.ok(kills >= 5, `the core was killed ${kills} times`);
});
