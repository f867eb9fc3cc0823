/**
 * Each role's main journey in the portal, in real headless Chromium (Debian's `chromium`, driven
 * by playwright-core) against the real app on a real socket (PGlite, or PostgreSQL with
 * DATABASE_URL) and the built web front end:
 * - doctor: the list at a glance, then the patient page over a month (downsampled, gaps, alert markers),
 *   then a first version of thresholds and contacts sent to the box and applied by it;
 * - nurse: the summary before a visit, then the inbox: acknowledge, see « acquittement envoyé au
 *   boîtier », then « pris en charge » live when the box reports it;
 * - relative: the alerts and where each stands;
 * - patient: the status page with its plain fixes, and a support ticket;
 * - support: the fleet and the ticket.
 * Each main page is checked by axe-core (no serious or critical violation) and photographed into
 * docs/screenshots/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { silentLogger } from '@vigie/common';
import { insertMeasurements, type MeasurementRow } from '@vigie/cloud-store';
import { createBox, createPatient, openTestDb } from '@vigie/cloud-store/testing';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { buildCloudApp } from '../../cloud-portal/src/app.ts';
import { ensureAccount, linkCare } from '../../cloud-portal/src/auth/accounts.ts';
import { loadCloudConfig } from '../../cloud-portal/src/config.ts';
import { ensureWebBuild } from '../../scripts/lib/web-build.ts';
import { assertAccessible, launchChromium, newPortalPage, screenshot, skipUnlessChromium } from './lib/browser.ts';
import { until } from './lib/system.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

const PEOPLE = {
  doctor: { email: 'docteur@e2e.test', password: 'e2e-docteur-pw', displayName: 'Dr Claire Martin', role: 'doctor' },
  nurse: { email: 'infirmiere@e2e.test', password: 'e2e-infirmiere-pw', displayName: 'Sophie Bernard', role: 'nurse' },
  relative: { email: 'proche@e2e.test', password: 'e2e-proche-pw', displayName: 'Paul Dupont', role: 'relative' },
  patient: { email: 'patient@e2e.test', password: 'e2e-patient-pw', displayName: 'Jeanne Dupont', role: 'patient' },
  support: { email: 'support@e2e.test', password: 'e2e-support-pw', displayName: 'Samir Haddad', role: 'support' },
} as const;
type Who = keyof typeof PEOPLE;

const skip = skipUnlessChromium();

test('each role\'s journey in the portal, in headless Chromium', { skip, timeout: 240_000 }, async (t) => {
  ensureWebBuild((line) => t.diagnostic(line));
  const db = await openTestDb();
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => db.close()];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  });

  // The care team around Jeanne Dupont, her box, a month of readings with an 8-hour outage.
  const now = Date.now();
  const patientId = await createPatient(db, 'Jeanne Dupont', 1938);
  const box = await createBox(db, { boxId: 'VB-E2E-0001', patientId, since: now - 60 * DAY });
  await db.query("UPDATE boxes SET provisioned_at = now() - interval '60 days' WHERE id = $1", [box.boxId]);
  const ids = {} as Record<Who, string>;
  for (const [who, p] of Object.entries(PEOPLE) as [Who, (typeof PEOPLE)[Who]][]) {
    ids[who] = (await ensureAccount(db, { email: p.email, password: p.password, displayName: p.displayName, role: p.role })).id;
    if (who !== 'support') await linkCare(db, patientId, ids[who], who as 'doctor' | 'nurse' | 'relative' | 'patient');
  }
  const outageFrom = now - 3 * DAY;
  const rows: MeasurementRow[] = [];
  const series = (metric: string, step: number, value: (i: number) => number) => {
    for (let ts = now - 30 * DAY, i = 0; ts < now; ts += step, i++) {
      if (ts >= outageFrom && ts < outageFrom + 8 * HOUR) continue;
      rows.push({ patientId, boxId: box.boxId, metric, ts, value: value(i), periodS: step / 1000 });
    }
  };
  series('heart_rate', 2 * MIN, (i) => Math.round(72 + 10 * Math.sin(i / 60) + (i % 7)));
  series('spo2', 5 * MIN, (i) => (i % 97 === 0 ? 88 : 95 + (i % 3)));
  series('steps', 30 * MIN, (i) => {
    const hour = (i / 2) % 24;
    return hour >= 8 && hour <= 20 ? 150 + ((i * 37) % 200) : 0;
  });
  for (let i = 0; i < rows.length; i += 5_000) await insertMeasurements(db, rows.slice(i, i + 5_000));

  const config = loadCloudConfig({ VIGIE_DATA_DIR: '/nonexistent-vigie-e2e', VIGIE_STAFF_TOTP: 'optional' });
  const app = await buildCloudApp({ db, config, log: silentLogger(), roles: { ingest: true, portal: true }, ingestRoutes, keepAliveMs: 2_000 });
  await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => app.close());
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;

  // The box reports: a heartbeat (bracelet battery low), a fall 2 h ago (SMS sent), an older one taken in charge.
  const boxPost = async (path: string, payload: object) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { authorization: `Bearer ${box.token}`, 'content-type': 'application/json' }, body: JSON.stringify(payload) });
    assert.ok(res.ok, `${path}: ${res.status} ${await res.text()}`);
  };
  await boxPost('/ingest/v1/heartbeats', {
    v: 1, boxId: box.boxId, at: Date.now(), software: { box: '1.4.2' }, bufferDepth: 4, oldestUnsentAt: null,
    lastBraceletContactAt: Date.now() - MIN, braceletBattery: 11, modem: { registered: true, signal: 17 }, diskFreeBytes: 2e9,
  });
  const fall = {
    v: 1, boxId: box.boxId, alertId: randomUUID(), number: 12, revision: 2, kind: 'fall', severity: 'critical', state: 'notified',
    raisedAt: now - 2 * HOUR, updatedAt: now - 2 * HOUR + 8_000,
    notifications: [
      { contact: 'Sophie Bernard', channel: 'sms', status: 'sent', at: now - 2 * HOUR + 6_000 },
      { contact: 'Paul Dupont', channel: 'sms', status: 'sent', at: now - 2 * HOUR + 8_000 },
    ],
  };
  await boxPost('/ingest/v1/alerts', fall);
  await boxPost('/ingest/v1/alerts', {
    v: 1, boxId: box.boxId, alertId: randomUUID(), number: 11, revision: 3, kind: 'hypoxemia', severity: 'critical', state: 'acknowledged',
    raisedAt: now - 4 * DAY, updatedAt: now - 4 * DAY + 5 * MIN,
    notifications: [{ contact: 'Paul Dupont', channel: 'sms', status: 'sent', at: now - 4 * DAY + 10_000 }],
    acknowledgement: { by: 'Paul Dupont', via: 'sms', at: now - 4 * DAY + 5 * MIN },
  });

  const browser = await launchChromium();
  cleanups.push(() => browser.close());

  const signIn = async (who: Who): Promise<Page> => {
    const page = await newPortalPage(browser);
    await page.goto(`${base}/login`);
    await page.fill('input[name=email]', PEOPLE[who].email);
    await page.fill('input[name=password]', PEOPLE[who].password);
    await page.click('[data-testid=login-form] button[type=submit]');
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    // A script error in the page would otherwise surface only as a time-out.
    page.on('pageerror', (e) => t.diagnostic(`${who} page error: ${e.message}`));
    return page;
  };

  await t.test('doctor: the list at a glance, a month of charts downsampled by the server, then thresholds and contacts applied by the box', async () => {
    const page = await signIn('doctor');
    const row = page.locator('[data-testid=patient-row]').first();
    await row.waitFor();
    assert.match(await row.innerText(), /Jeanne Dupont/);
    assert.match(await row.locator('[data-testid=device-problems]').innerText(), /Batterie du bracelet faible/);
    assert.match(await row.locator('[data-testid=open-alerts]').innerText(), /1 alerte ouverte/);
    await assertAccessible(page, 'patient list');
    await row.locator('a.patients__link').click();
    const hr = page.locator('[data-testid=heart-rate-chart]');
    await hr.waitFor();
    await page.click('[data-testid=range-month]');
    await until(async () => Number(await hr.getAttribute('data-points')) > 900, 'a month of heart rate');
    const points = Number(await hr.getAttribute('data-points'));
    assert.ok(points > 900 && points <= 1_000, `${points} heart-rate points`);
    assert.ok(Number(await hr.getAttribute('data-gaps')) >= 1, 'the outage is drawn as a gap');
    assert.equal(Number(await hr.getAttribute('data-markers')), 2, 'both alerts are on the time axis');
    assert.ok(Number(await page.locator('[data-testid=steps-chart]').getAttribute('data-points')) > 0);
    assert.match(await page.locator('[data-testid=heart_rate-resolution]').innerText(), /mesures, regroupées par 43 min/);
    await screenshot(page, 'doctor-dashboard.png');
    await assertAccessible(page, 'patient page');
    // Thresholds and contacts: the doctor sends a first version to the box, which applies it.
    await page.click('[data-testid=box-config-link]');
    await page.locator('[data-testid=box-config-first]').waitFor();
    await page.click('[data-testid=add-contact]');
    await page.fill('#bc-contacts-0-name', 'Paul Dupont');
    await page.fill('#bc-contacts-0-phone', '06 12 34 56 78');
    await page.fill('#bc-thresholds-heartRateHigh', '125');
    await page.click('[data-testid=box-config-save]');
    await until(async () => /Version 1 enregistrée — en attente d’application par le boîtier/.test(await page.locator('[data-testid=box-config-saved]').innerText()), 'version 1 saved');
    const served = await fetch(`${base}/ingest/v1/config`, { headers: { authorization: `Bearer ${box.token}` } });
    const held = (await served.json()) as { version: number; config: { contacts: { phone: string }[]; thresholds: { heartRateHigh: number } } };
    assert.equal(held.version, 1);
    assert.deepEqual([held.config.contacts[0]?.phone, held.config.thresholds.heartRateHigh], ['+33612345678', 125]);
    await boxPost('/ingest/v1/heartbeats', {
      v: 1, boxId: box.boxId, at: Date.now(), software: { box: '1.4.2' }, bufferDepth: 4, oldestUnsentAt: null,
      lastBraceletContactAt: Date.now() - MIN, braceletBattery: 11, modem: { registered: true, signal: 17 }, diskFreeBytes: 2e9, configVersion: 1,
    });
    // The page asks again every 10 s while pending, and at once when it gets the focus back.
    await page.evaluate("window.dispatchEvent(new Event('focus'))");
    await until(async () => /Version 1 appliquée par le boîtier/.test(await page.locator('[data-testid=box-config-saved]').innerText()), 'version 1 applied');
    await screenshot(page, 'doctor-box-config.png');
    await assertAccessible(page, 'thresholds and contacts');
    await page.context().close();
  });

  await t.test('nurse: the summary, then acknowledging from the inbox until the box confirms', async () => {
    const page = await signIn('nurse');
    await page.locator('[data-testid=summary-link]').first().click();
    await page.locator('[data-testid=summary-table]').waitFor();
    await page.click('[data-testid=window-h48]');
    await until(async () => (await page.locator('[data-testid=window-h48]').getAttribute('aria-pressed')) === 'true', 'the 48 h window');
    const hrRow = page.locator('[data-testid=summary-row][data-metric=heart_rate]');
    await until(async () => /\d\s?\d{3}/.test(await hrRow.locator('td').nth(3).innerText()), '48 h of heart-rate readings');
    assert.match(await hrRow.innerText(), /bpm/);
    assert.ok((await page.locator('[data-testid=steps-trend] li').count()) >= 2);
    await screenshot(page, 'nurse-summary.png');
    await assertAccessible(page, 'summary');

    await page.click('[data-testid=role-nav] a[href="/inbox"]');
    const item = page.locator(`[data-testid=inbox-item][data-alert-id="${fall.alertId}"]`);
    await item.waitFor();
    await item.locator('[data-testid=ack-button]').click();
    await item.locator('[data-testid=ack-sent]').waitFor();
    assert.match(await item.locator('[data-testid=ack-sent]').innerText(), /Acquittement envoyé au boîtier/);
    await screenshot(page, 'nurse-inbox.png');
    await assertAccessible(page, 'inbox');
    // The box applies it and reports the alert acknowledged: the inbox follows, live.
    await boxPost('/ingest/v1/alerts', { ...fall, revision: 3, state: 'acknowledged', updatedAt: Date.now(), acknowledgement: { by: 'Sophie Bernard (portail)', via: 'portal', at: Date.now() } });
    await until(async () => (await item.getAttribute('data-alert-state')) === 'acknowledged', 'the acknowledgement reported by the box');
    assert.match(await item.innerText(), /Sophie Bernard \(portail\)/);
    assert.equal(await item.locator('[data-testid=ack-sent]').count(), 0);
    await page.context().close();
  });

  await t.test('relative: the alerts and who is on them, no measurement', async () => {
    const page = await signIn('relative');
    const cards = page.locator('[data-testid=relative-alert]');
    await cards.first().waitFor();
    assert.equal(await cards.count(), 2);
    const first = await cards.first().innerText();
    assert.match(first, /Chute détectée/);
    assert.match(first, /SMS envoyés à Sophie Bernard, Paul Dupont/);
    assert.match(first, /Prise en charge par Sophie Bernard \(portail\)/);
    assert.doesNotMatch(await page.locator('main').innerText(), /bpm|SpO2/);
    await screenshot(page, 'relative-alerts.png');
    await assertAccessible(page, 'relative alerts');
    await page.context().close();
  });

  await t.test('patient: does my system work, the fix in plain words, and a support request', async () => {
    const page = await signIn('patient');
    await page.locator('[data-testid=me-verdict]').waitFor();
    assert.equal(await page.locator('[data-testid=me-verdict]').getAttribute('data-ok'), 'false');
    assert.equal(await page.locator('[data-testid=me-check][data-check=box]').getAttribute('data-ok'), 'true');
    assert.match(await page.locator('[data-testid=me-check][data-check=battery]').innerText(), /Mettez le bracelet à charger/);
    assert.match(await page.locator('[data-testid=me-sync]').innerText(), /Dernière synchronisation/);
    await page.selectOption('#support-topic', 'bracelet');
    await page.fill('#support-message', 'Le bracelet ne tient plus la charge.');
    await page.fill('#support-callback', '01 23 45 67 89');
    await page.click('[data-testid=support-form] button[type=submit]');
    await page.locator('[data-testid=support-status] .notice').waitFor();
    assert.match(await page.locator('[data-testid=support-status]').innerText(), /Votre demande n° \d+ est bien envoyée/);
    await page.locator('[data-testid=my-ticket]').first().waitFor();
    await screenshot(page, 'patient-status.png');
    await assertAccessible(page, 'patient status');
    await page.context().close();
  });

  await t.test('support: the fleet without medical data, and the patient\'s ticket', async () => {
    const page = await signIn('support');
    const row = page.locator(`[data-testid=fleet-row][data-box-id="${box.boxId}"]`);
    await row.waitFor();
    const text = await row.innerText();
    assert.match(text, /11 %/);
    assert.match(text, /17\/31/);
    assert.match(text, /1\.4\.2/);
    assert.doesNotMatch(await page.locator('main').innerText(), /Jeanne|bpm/);
    await screenshot(page, 'support-fleet.png');
    await assertAccessible(page, 'fleet');
    // English on demand, French by default.
    await page.click('.language-switch button[lang=en]');
    await page.getByRole('heading', { level: 1, name: 'Box fleet' }).waitFor();
    await assertAccessible(page, 'fleet (English)');
    await page.click('.language-switch button[lang=fr]');
    await page.click('[data-testid=role-nav] a[href="/support/tickets"]');
    const ticket = page.locator('[data-testid=ticket-row]').first();
    await ticket.waitFor();
    assert.match(await ticket.innerText(), /Le bracelet ne tient plus la charge/);
    await ticket.locator('[data-testid=ticket-status]').selectOption('in_progress');
    await until(async () => (await ticket.getAttribute('data-ticket-status')) === 'in_progress', 'the ticket in progress');
    await assertAccessible(page, 'tickets');
    await page.context().close();
  });
});
