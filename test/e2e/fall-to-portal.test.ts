/**
 * The walking skeleton end to end, each part in its own process as in production: the cloud
 * (PGlite, or PostgreSQL when DATABASE_URL is set), the bracelet simulator, and the box whose GSM
 * modem is the modem emulator at the far end of a real pty pair (socat). A headless Chromium logs
 * in as the demo doctor, watches heart rate arrive, and sees the fall alert appear without a
 * reload while the emulator receives one AT+CMGS per contact; the doctor has no demo page (it is
 * the demo admin's only), and the demo admin's demo page then lists those SMS (photographed into
 * docs/screenshots/demo-page.png). The doctor then opens the alert's page: the time of each stage
 * (detected, received by the box, raised, SMS stored and accepted by the modem, received by the
 * cloud, shown in the portal) and, once acknowledged from the inbox, who took it in charge
 * (docs/screenshots/alert-timeline.png).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dataPaths } from '@vigie/common';
import { skipUnlessTool } from '@vigie/common/testing';
import { sendSimulatorCommand } from '@vigie/bracelet';
import { ModemEmulator, serveEmulatorOnDevice } from '../../appliance/src/modem/index.ts';
import { startPtyPair } from '../../appliance/src/modem/pty-pair.ts';
import { DEMO } from '../../scripts/lib/demo-setup.ts';
import { ensureWebBuild } from '../../scripts/lib/web-build.ts';
import { assertAccessible, launchChromium, newPortalPage, screenshot, skipUnlessChromium } from './lib/browser.ts';
import { e2eRun, startDemoCloud, until } from './lib/system.ts';

const skip = skipUnlessTool('socat') || skipUnlessChromium();

test('a fall reaches every contact by SMS over a real serial line and appears live in the doctor\'s portal', { skip, timeout: 240_000 }, async (t) => {
  const run = e2eRun(t, 'vigie-e2e-');
  const paths = dataPaths(run.dir);
  ensureWebBuild((line) => t.diagnostic(line));

  // The modem: an emulator serving one end of a pty pair; the box opens the other end. It records
  // each SMS where the box's built-in emulator would, so the demo page lists them.
  const pty = await startPtyPair(run.dir);
  run.defer(() => pty.close());
  const emulator = new ModemEmulator({ recordFile: paths.emulatorSmsLog });
  const served = await serveEmulatorOnDevice(emulator, pty.b);
  run.defer(() => served.close());

  const { url: cloudUrl, env } = await startDemoCloud(run);
  const bracelet = run.start('bracelet', 'bracelet/src/cli.ts', ['run', '--id', DEMO.braceletId, '--speed', '240'], env);
  await bracelet.waitFor(/vigie-bracelet running/);
  const box = run.start('box', 'appliance/src/cli.ts', ['run'], {
    ...env,
    VIGIE_MODEM_DEVICE: pty.a,
    VIGIE_MQTT_PORT: '0',
    VIGIE_SYNC_INTERVAL_MS: '250',
  });
  await box.waitFor(/vigie-box running/);

  // The doctor logs in and opens the patient's page.
  const browser = await launchChromium();
  run.defer(() => browser.close());
  const page = await newPortalPage(browser);
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
  const pointsBefore = Number(await until(() => chart.getAttribute('data-points'), 'chart points', 30_000));
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

  // The alert's page (issue 16): the time of each stage, from the bracelet to the portal.
  const alertId = (await alert.getAttribute('data-alert-id'))!;
  await alert.locator('[data-testid=alert-timeline-link]').click();
  const stages = page.locator('[data-testid=alert-stage]');
  const stageNames = () => stages.evaluateAll((els) => els.map((e) => e.getAttribute('data-stage')!));
  const before = ['detected', 'received_by_box', 'raised', 'sms_stored', 'sms_accepted', 'received_by_cloud', 'shown_in_portal'];
  await until(async () => {
    const shown = await stageNames();
    return before.every((s) => shown.includes(s)) && shown.filter((s) => s === 'sms_accepted').length === DEMO.contacts.length;
  }, 'every stage up to the portal on the alert page', 15_000);
  // Acknowledged from the inbox: the box takes it, reports it, and the page adds who and when (live).
  await page.click('[data-testid=role-nav] a[href="/inbox"]');
  const inboxItem = page.locator(`[data-testid=inbox-item][data-alert-id="${alertId}"]`);
  await inboxItem.locator('[data-testid=ack-button]').click();
  await until(async () => (await inboxItem.getAttribute('data-alert-state')) === 'acknowledged', 'the box reporting the acknowledgement', 30_000);
  await inboxItem.locator('[data-testid=alert-timeline-link]').click();
  await until(async () => (await stageNames()).includes('acknowledged'), 'the acknowledgement on the alert page', 15_000);
  const at = Object.fromEntries(await stages.evaluateAll((els) => els.map((e) => [e.getAttribute('data-stage')!, Number(e.getAttribute('data-at'))] as const)));
  for (const [earlier, later] of [['detected', 'raised'], ['raised', 'sms_stored'], ['sms_stored', 'sms_accepted'], ['received_by_cloud', 'acknowledged']] as const) {
    assert.ok(at[earlier]! <= at[later]!, `${earlier} (${at[earlier]}) before ${later} (${at[later]})`);
  }
  // The box's clock is this machine's: its stages, set on the cloud's clock, are within seconds of the fall.
  assert.ok(Math.abs(at.detected! - fallAt) < 5_000, `detected ${at.detected! - fallAt} ms from the fall`);
  for (const text of await stages.allInnerTexts()) assert.match(text, /\d\d:\d\d:\d\d/);
  const summary = await page.locator('[data-testid=alert-timeline-summary]').innerText();
  assert.match(summary, /^Chute détectée \d\d:\d\d:\d\d · SMS envoyés \+\d+(,\d)? s · pris en charge par Dr Claire Martin( \(portail\))? \+\d+(,\d)? (s|min)$/);
  await screenshot(page, 'alert-timeline.png');
  await assertAccessible(page, 'alert timeline');
  t.diagnostic(`alert timeline: ${summary}`);

  // The demo page (SMS with names and phone numbers) is not the doctor's: no link to it.
  assert.equal(await page.locator('[data-testid=nav-demo]').count(), 0, 'the doctor has no demo page');

  // The demo admin, in their own browser, sees the SMS the modem emulator received, newest first.
  const adminPage = await newPortalPage(browser);
  await adminPage.goto(`${cloudUrl}/login`);
  await adminPage.fill('input[name=email]', 'admin@vigie.demo');
  await adminPage.fill('input[name=password]', 'demo-admin');
  await adminPage.click('[data-testid=login-form] button[type=submit]');
  await adminPage.click('[data-testid=nav-demo]');
  const items = adminPage.locator('[data-testid=sms-item]');
  await until(async () => (await items.count()) >= DEMO.contacts.length, 'the SMS on the demo page');
  const shown = await items.allInnerTexts();
  for (const contact of DEMO.contacts) assert.ok(shown.some((text) => text.includes(contact.phone)), 'each contact\'s SMS is listed');
  assert.match(shown[0]!, /chute détectée chez Jeanne Dupont/);
  await screenshot(adminPage, 'demo-page.png');
  await assertAccessible(adminPage, 'demo page');
});
