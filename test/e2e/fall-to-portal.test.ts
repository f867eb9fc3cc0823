/**
 * The walking skeleton end to end, each part in its own process as in production: the cloud
 * (PGlite, or PostgreSQL when DATABASE_URL is set), the bracelet simulator, and the box whose GSM
 * modem is the modem emulator at the far end of a real pty pair (socat). A headless Chromium logs
 * in as the demo doctor, watches heart rate arrive, and sees the fall alert appear without a
 * reload while the emulator receives one AT+CMGS per contact.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { dataPaths } from '@vigie/common';
import { skipUnlessTool, tempDir } from '@vigie/common/testing';
import { sendSimulatorCommand } from '@vigie/bracelet';
import { openTestDb, type TestDb } from '@vigie/cloud-ingest/testing';
import { ModemEmulator, serveEmulatorOnDevice } from '../../appliance/src/modem/index.ts';
import { startPtyPair } from '../../appliance/src/modem/pty-pair.ts';
import { startChild, type Child } from '../../scripts/lib/processes.ts';
import { DEMO, prepareDemo } from '../../scripts/lib/demo-setup.ts';
import { ensureWebBuild } from '../../scripts/lib/web-build.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function until<T>(probe: () => T | undefined | false | Promise<T | undefined | false>, what: string, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const skip = skipUnlessTool('socat') || skipUnlessTool('chromium');

test('a fall reaches every contact by SMS over a real serial line and appears live in the doctor\'s portal', { skip, timeout: 240_000 }, async (t) => {
  const dir = tempDir('vigie-e2e-');
  const paths = dataPaths(dir.path);
  const children: Child[] = [];
  const cleanups: (() => Promise<void> | void)[] = [() => dir.cleanup()];
  t.after(async () => {
    for (const child of children.reverse()) await child.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  const echo = process.env.VIGIE_E2E_ECHO === '1';
  ensureWebBuild((line) => t.diagnostic(line));

  // The modem: an emulator serving one end of a pty pair; the box opens the other end.
  const pty = await startPtyPair(dir.path);
  cleanups.push(() => pty.close());
  const emulator = new ModemEmulator({});
  const served = await serveEmulatorOnDevice(emulator, pty.b);
  cleanups.push(() => served.close());

  const port = await freePort();
  const cloudUrl = `http://127.0.0.1:${port}`;
  const demo = prepareDemo(dir.path, cloudUrl);
  let testDb: TestDb | undefined;
  if (process.env.DATABASE_URL) {
    testDb = await openTestDb({ fresh: true });
    cleanups.push(() => testDb!.close());
  }
  const env = {
    ...process.env,
    VIGIE_DATA_DIR: dir.path,
    PORT: String(port),
    LOG_LEVEL: echo ? 'info' : 'warn',
    ...(testDb ? { DATABASE_URL: testDb.databaseUrl! } : {}),
  };
  if (!testDb) delete env.DATABASE_URL;

  const cloud = startChild('cloud', 'cloud-portal/src/cli.ts', ['all'], { ...env, VIGIE_DEMO: '1', VIGIE_DEMO_BOX_ID: demo.boxId, VIGIE_DEMO_BOX_TOKEN: demo.token }, { echo });
  children.push(cloud);
  await cloud.waitFor(/vigie-cloud listening/);
  const bracelet = startChild('bracelet', 'bracelet/src/cli.ts', ['run', '--id', DEMO.braceletId, '--speed', '240'], env, { echo });
  children.push(bracelet);
  await bracelet.waitFor(/vigie-bracelet running/);
  const box = startChild('box', 'appliance/src/cli.ts', ['run'], {
    ...env,
    VIGIE_MODEM_DEVICE: pty.a,
    VIGIE_MQTT_PORT: '0',
    VIGIE_SYNC_INTERVAL_MS: '250',
  }, { echo });
  children.push(box);
  await box.waitFor(/vigie-box running/);

  // The doctor logs in and opens the patient's page.
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-dev-shm-usage'],
    });
  } catch (err) {
    throw new Error(`could not start Chromium (apt-get install -y chromium): ${String(err)}`);
  }
  cleanups.push(() => browser.close());
  const page = await browser.newPage();
  await page.goto(`${cloudUrl}/login`);
  await page.fill('input[name=email]', 'docteur@vigie.demo');
  await page.fill('input[name=password]', 'demo-docteur');
  await page.click('[data-testid=login-form] button[type=submit]');
  await page.locator('[data-testid=patient-row]').first().waitFor();
  await page.locator('[data-testid=patient-row] a').first().click();
  const chart = page.locator('[data-testid=heart-rate-chart]');
  await chart.waitFor();
  // A marker on the window: a reload would lose it.
  await page.evaluate(() => ((globalThis as unknown as { __e2e: boolean }).__e2e = true));

  // Heart rate arrives live: the chart gains points without a reload.
  const pointsBefore = Number(await until(() => chart.getAttribute('data-points'), 'chart points'));
  await until(async () => Number(await chart.getAttribute('data-points')) > pointsBefore, 'live heart-rate points', 60_000);

  // The fall.
  const sentBefore = emulator.sent.length;
  const fallAt = Date.now();
  const answer = await sendSimulatorCommand(paths.braceletControlSocket, { cmd: 'fall' });
  assert.equal(answer.ok, true);
  await until(() => emulator.sent.length >= sentBefore + DEMO.contacts.length, 'one SMS per contact', 10_000);
  const smsLatencyMs = Date.now() - fallAt;
  t.diagnostic(`fall → last SMS accepted by the modem over the pty: ${smsLatencyMs} ms`);
  assert.ok(smsLatencyMs <= 2_000, `SMS took ${smsLatencyMs} ms (acceptance: within 2 s)`);
  const sms = emulator.sent.slice(sentBefore);
  assert.deepEqual(sms.map((s) => s.to).sort(), DEMO.contacts.map((c) => c.phone).sort());
  for (const s of sms) assert.match(s.text, /^ALERTE Vigie \d+ : chute détectée chez Jeanne Dupont à \d\d:\d\d\. Répondez OK \d+ si vous vous en occupez\./);

  // The alert shows in the portal without a reload, and reaches "SMS sent".
  const alert = page.locator('[data-testid=alert-item][data-alert-kind=fall]').first();
  await alert.waitFor({ timeout: 15_000 });
  await until(async () => (await alert.getAttribute('data-alert-state')) === 'notified', 'alert state notified', 15_000);
  assert.equal(await page.evaluate(() => (globalThis as unknown as { __e2e?: boolean }).__e2e), true, 'the page was not reloaded');
});
