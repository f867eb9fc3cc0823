/**
 * The daily questionnaire end to end (issue 12), in real headless Chromium against the real app on
 * a real socket (PGlite, or PostgreSQL with DATABASE_URL), the built web front end, the real
 * reminder scheduler and a real local push service that decrypts per RFC 8291 (web-push-testing):
 * - the doctor picks three questions of the bank and writes one of their own, daily at 10:00;
 * - the patient (phone viewport, touch) turns the reminder on; the scheduler's pass runs at 10:00;
 *   the push service receives the encrypted reminder and decrypts it; it is delivered to the
 *   page's service worker, which shows the notification;
 * - the patient answers with one tap per question, the doctor reads the grid, the nurse the summary;
 * - the next day, the patient answers with the network cut (Chromium's offline emulation); the
 *   answer is kept in IndexedDB and arrives exactly once when the network returns; a replay of it
 *   is answered 200 duplicate.
 * axe-core finds no serious violation on the patient's and the doctor's pages; screenshots go to
 * docs/screenshots/questionnaire-*.png.
 *
 * Push in headless Chromium: `pushManager.subscribe` needs the browser's push service (FCM), which
 * headless Chromium does not have (it rejects with « AbortError: Registration failed - permission
 * denied » even with the permission granted; the test records the real attempt). So the page's
 * own opt-in code runs unchanged except that `PushManager.prototype.subscribe` is replaced, in the
 * page, by a call that subscribes to web-push-testing with the page's applicationServerKey (the
 * VAPID key the portal gave it) and returns that subscription; the page POSTs it to the portal as
 * it would a real one. The scheduler encrypts for that subscription; web-push-testing checks the
 * VAPID JWT and decrypts; the decrypted payload is then handed to the real service worker as a
 * real `push` event through the DevTools protocol (`ServiceWorker.deliverPushMessage`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import webpush from 'web-push';
import { silentLogger } from '@vigie/common';
import { createPatient, openTestDb } from '@vigie/cloud-store/testing';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { buildCloudApp } from '../../cloud-portal/src/app.ts';
import { ensureAccount, linkCare } from '../../cloud-portal/src/auth/accounts.ts';
import { loadCloudConfig } from '../../cloud-portal/src/config.ts';
import { createQuestionnaireScheduler } from '../../cloud-portal/src/questionnaire/scheduler.ts';
import { createWebPushSender } from '../../cloud-portal/src/questionnaire/web-push.ts';
import { ensureWebBuild } from '../../scripts/lib/web-build.ts';
import { assertAccessible, launchChromium, newPortalPage, screenshot, skipUnlessChromium } from './lib/browser.ts';
import { freePort, until } from './lib/system.ts';

const PEOPLE = {
  doctor: { email: 'docteur.q@e2e.test', password: 'e2e-docteur-q-pw', displayName: 'Dr Claire Martin', role: 'doctor' },
  nurse: { email: 'infirmiere.q@e2e.test', password: 'e2e-infirmiere-q-pw', displayName: 'Sophie Bernard', role: 'nurse' },
  patient: { email: 'patient.q@e2e.test', password: 'e2e-patient-q-pw', displayName: 'Jeanne Dupont', role: 'patient' },
  relative: { email: 'proche.q@e2e.test', password: 'e2e-proche-q-pw', displayName: 'Paul Dupont', role: 'relative' },
} as const;
type Who = keyof typeof PEOPLE;

const OWN_QUESTION = 'Avez-vous pris tous vos médicaments hier ?';
const PHONE = { width: 390, height: 844 } as const;
const DAY_MS = 86_400_000;

/** web-push-testing's server and model (CommonJS, no types): what this test uses of them. */
interface PushTestingServer {
  startServer(): void;
  _server: { close(cb: () => void): void; once(event: 'listening', cb: () => void): void; listening: boolean };
}
const require = createRequire(import.meta.url);
const { PushApiModel } = require('web-push-testing/src/PushApiModel.js') as { PushApiModel: new () => object };
const WebPushTestingServer = require('web-push-testing/src/server.js') as new (model: object, port: number) => PushTestingServer;

/** The instant of `hh:mm` in Paris on the Paris date of `ms` (whatever the season). */
function parisTime(ms: number, hh: number, mm = 0): number {
  const date = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(ms));
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  for (const offsetH of [1, 2]) {
    const candidate = Date.UTC(y, m - 1, d, hh - offsetH, mm);
    const shown = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(candidate);
    if (shown === `${String(hh).padStart(2, '0')}:${String(mm).padStart(2, '0')}`) return candidate;
  }
  throw new Error(`no ${hh}:${mm} in Paris on ${date}`);
}

const skip = skipUnlessChromium();

test('the daily questionnaire: chosen by the doctor, reminded by Web Push at 10:00, answered on a phone, read by the care team; offline answers arrive once', { skip, timeout: 240_000 }, async (t) => {
  ensureWebBuild((line) => t.diagnostic(line));
  const db = await openTestDb();
  const cleanups: (() => Promise<unknown> | unknown)[] = [() => db.close()];
  t.after(async () => {
    for (const cleanup of cleanups.reverse()) {
      const started = Date.now();
      await cleanup();
      if (Date.now() - started > 5_000) t.diagnostic(`slow cleanup (${Date.now() - started} ms): ${cleanup.toString().slice(0, 80)}`);
    }
    t.diagnostic(`still active after the cleanup: ${process.getActiveResourcesInfo().join(', ')}`);
  });

  // The portal's clock: today 09:55 in Paris, moved by the test (the browsers keep real time;
  // sessions idle out after 30 min of the portal's clock, so the test signs in again after a jump).
  let nowMs = parisTime(Date.now(), 9, 55);
  const now = () => nowMs;

  const patientId = await createPatient(db, 'Jeanne Dupont', 1938);
  const ids = {} as Record<Who, string>;
  for (const [who, p] of Object.entries(PEOPLE) as [Who, (typeof PEOPLE)[Who]][]) {
    ids[who] = (await ensureAccount(db, { email: p.email, password: p.password, displayName: p.displayName, role: p.role })).id;
    await linkCare(db, patientId, ids[who], who);
  }

  // The local push service (RFC 8030 endpoint, decrypts RFC 8291 aes128gcm, checks VAPID).
  const pushPort = await freePort();
  const pushService = new WebPushTestingServer(new PushApiModel(), pushPort);
  pushService.startServer();
  if (!pushService._server.listening) await new Promise<void>((resolve) => pushService._server.once('listening', resolve));
  cleanups.push(() => new Promise<void>((resolve) => pushService._server.close(() => resolve())));
  const pushApi = async <T>(path: string, body: object): Promise<T> => {
    const res = await fetch(`http://localhost:${pushPort}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const text = await res.text();
    assert.ok(res.ok, `web-push-testing ${path}: ${res.status} ${text}`);
    return JSON.parse(text) as T;
  };

  const vapid = { ...webpush.generateVAPIDKeys(), subject: 'mailto:e2e@vigie.test' };
  const config = loadCloudConfig({ VIGIE_DATA_DIR: '/nonexistent-vigie-e2e', VIGIE_STAFF_TOTP: 'optional' });
  const app = await buildCloudApp({
    db, config, log: silentLogger(), roles: { ingest: true, portal: true }, ingestRoutes, keepAliveMs: 2_000, now, vapidPublicKey: () => vapid.publicKey,
  });
  await app.listen({ port: 0, host: '127.0.0.1' });
  cleanups.push(() => app.close());
  const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const mails: unknown[] = [];
  const scheduler = createQuestionnaireScheduler({
    db,
    clock: now,
    push: createWebPushSender(vapid),
    mail: { send: async (message: unknown) => void mails.push(message) },
    log: silentLogger(),
  });

  // The PWA's files are served as the browser needs them.
  for (const [path, type] of [['/sw.js', /javascript/], ['/manifest.webmanifest', /manifest\+json|json/], ['/icons/icon-192.png', /image\/png/]] as const) {
    const res = await fetch(`${base}${path}`);
    assert.equal(res.status, 200, path);
    assert.match(res.headers.get('content-type') ?? '', type, `${path} content-type`);
  }

  const browser: Browser = await launchChromium();
  cleanups.push(() => browser.close());

  const signIn = async (who: Who, page: Page): Promise<Page> => {
    await page.goto(`${base}/login`);
    await page.fill('input[name=email]', PEOPLE[who].email);
    await page.fill('input[name=password]', PEOPLE[who].password);
    await page.click('[data-testid=login-form] button[type=submit]');
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    page.on('pageerror', (e) => t.diagnostic(`${who} page error: ${e.message}`));
    page.on('console', (m) => m.type() === 'error' && t.diagnostic(`${who} console: ${m.text()}`));
    // An API refusal would otherwise surface only as a time-out.
    page.on('response', (res) => {
      if (res.status() >= 400 && new URL(res.url()).pathname.startsWith('/api/'))
        void res.text().then(
          (body) => t.diagnostic(`${who}: ${res.request().method()} ${new URL(res.url()).pathname} → ${res.status()} ${body.slice(0, 300)}`),
          () => t.diagnostic(`${who}: ${res.request().method()} ${new URL(res.url()).pathname} → ${res.status()} (body: ${res.request().postData()?.slice(0, 300)})`),
        );
    });
    return page;
  };
  const phoneContext = async (): Promise<BrowserContext> => {
    const context = await browser.newContext({ viewport: PHONE, isMobile: true, hasTouch: true, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    await context.grantPermissions(['notifications'], { origin: base });
    return context;
  };
  const answerAll = async (page: Page, answers: readonly ('positive' | 'neutral' | 'negative')[]) => {
    for (const [i, answer] of answers.entries()) {
      const question = page.locator('[data-testid=q-question]');
      await until(async () => (await page.locator('[data-testid=q-progress]').innerText()).includes(`${i + 1} / ${answers.length}`), `question ${i + 1}`);
      await question.locator(`[data-testid=q-answer-${answer}]`).tap();
    }
  };

  const doctor = await signIn('doctor', await newPortalPage(browser));
  let patient: Page;
  let subscription: { endpoint: string; keys: { p256dh: string; auth: string }; clientHash: string } | undefined;

  await t.test('doctor: three bank questions and one of their own, every day at 10:00', async () => {
    await doctor.goto(`${base}/patients/${patientId}`);
    const section = doctor.locator('[data-testid=q-section]');
    await section.locator('[data-testid=q-editor]').waitFor();
    const bank = section.locator('[data-testid=q-bank-item]');
    assert.ok((await bank.count()) >= 8, `${await bank.count()} questions in the bank`);
    for (let i = 0; i < 3; i++) await bank.nth(i).locator('input[type=checkbox]').check();
    await section.locator('#q-own-fr').fill(OWN_QUESTION);
    await section.locator('[data-testid=q-own-add]').click();
    const own = section.locator('[data-testid=q-bank-item][data-origin=own]');
    await own.waitFor();
    assert.equal(await own.locator('input[type=checkbox]').isChecked(), true, 'the new question is ticked');
    await section.locator('[data-testid=q-kind-daily]').check();
    await section.locator('#q-time').fill('10:00');
    await section.locator('[data-testid=q-save]').click();
    await until(async () => (await section.locator('[data-testid=q-saved]').count()) > 0, 'saved', 15_000).catch(async (e: unknown) => {
      throw new Error(`${String(e)}; the section says: ${(await section.locator('[role=alert]').allInnerTexts()).join(' | ')}`);
    });
    assert.match(await section.locator('[data-testid=q-saved]').innerText(), /Version 1 enregistrée/);
    await until(async () => (await section.locator('[data-testid=q-version]').getAttribute('data-version')) === '1', 'version 1 shown');
    await assertAccessible(doctor, 'doctor: questionnaire editor');
    await section.screenshot({ path: 'docs/screenshots/questionnaire-doctor-editor.png' });
  });

  await t.test('patient: the reminder turned on, the 10:00 pass pushes it, the service worker shows it', async () => {
    const context = await phoneContext();
    patient = await signIn('patient', await context.newPage());
    await patient.goto(`${base}/questionnaire`);
    await patient.locator('[data-testid=q-question]').waitFor(); // today's questionnaire is open all day; 10:00 is the reminder
    const remind = patient.locator('[data-testid=q-remind]');
    await remind.waitFor();

    // The real subscription first: headless Chromium has no push service.
    const real = (await patient.evaluate(`navigator.serviceWorker.ready.then((r) => r.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: ${JSON.stringify(vapid.publicKey)} }))
      .then(() => 'subscribed', (e) => e.name + ': ' + e.message)`)) as string;
    t.diagnostic(`real pushManager.subscribe in headless Chromium: ${real}`);

    // Then the page's own opt-in, with subscribe() answered by web-push-testing for the key the page passes.
    await patient.exposeFunction('__vigieWebPushTestingSubscribe', async (applicationServerKey: string) => {
      subscription = (await pushApi<{ data: NonNullable<typeof subscription> }>('/subscribe', { userVisibleOnly: 'true', applicationServerKey })).data;
      return subscription;
    });
    await patient.evaluate(`(() => {
      let current = null;
      const toBase64Url = (key) => btoa(String.fromCharCode(...new Uint8Array(key instanceof ArrayBuffer ? key : key.buffer))).replace(/\\+/g, '-').replace(/\\//g, '_').replace(/=+$/, '');
      PushManager.prototype.subscribe = async function (options) {
        const json = await window.__vigieWebPushTestingSubscribe(toBase64Url(options.applicationServerKey));
        current = { endpoint: json.endpoint, expirationTime: null, options, toJSON: () => ({ endpoint: json.endpoint, expirationTime: null, keys: json.keys }), unsubscribe: async () => true };
        return current;
      };
      PushManager.prototype.getSubscription = async function () { return current; };
    })()`);
    await remind.tap();
    await until(async () => (await patient.locator('[data-testid=q-reminder]').getAttribute('data-state')) === 'on', 'reminder on').catch(async (e: unknown) => {
      throw new Error(`${String(e)}: the opt-in says ${await patient.locator('[data-testid=q-reminder]').getAttribute('data-state')}`);
    });
    assert.ok(subscription, 'subscribed to web-push-testing');
    assert.equal(subscription.endpoint.startsWith(`http://localhost:${pushPort}/`), true);
    const stored = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM push_subscriptions WHERE endpoint = $1', [subscription.endpoint]);
    assert.equal(stored.rows[0]!.n, 1, 'the portal keeps the subscription');
    await assertAccessible(patient, 'patient: nothing due yet, reminder on');

    // 10:00 in Paris: the scheduler's pass.
    nowMs = parisTime(nowMs, 10);
    await scheduler.runPass(new Date(nowMs));
    const { data } = await until(async () => {
      const got = await pushApi<{ data: { messages: string[] } }>('/get-notifications', { clientHash: subscription!.clientHash });
      return got.data.messages.length > 0 && got;
    }, 'the reminder at the push service');
    assert.equal(data.messages.length, 1, 'one reminder');
    const payload = JSON.parse(data.messages[0]!) as { kind: string; slotId: string; title: string; body: string; url: string };
    assert.equal(payload.kind, 'questionnaire-reminder');
    assert.equal(payload.title, 'Questionnaire du jour');
    assert.equal(payload.url, '/questionnaire');
    assert.equal(payload.slotId, new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(nowMs)));
    assert.doesNotMatch(data.messages[0]!, /Jeanne|Dupont|douleur|fatigue|médicament/i, 'no name nor medical content in the push');
    // A second pass (a restart, another instance) does not remind again.
    await scheduler.runPass(new Date(nowMs + 60_000));
    assert.equal((await pushApi<{ data: { messages: string[] } }>('/get-notifications', { clientHash: subscription.clientHash })).data.messages.length, 1);

    // The decrypted message, delivered to the page's service worker as a push event.
    await patient.evaluate(`(() => { window.__vigiePushes = []; navigator.serviceWorker.addEventListener('message', (e) => window.__vigiePushes.push(e.data)); })()`);
    const cdp = await patient.context().newCDPSession(patient);
    const registrationId = new Promise<string>((resolve) => {
      cdp.on('ServiceWorker.workerRegistrationUpdated', (event: { registrations: { registrationId: string; scopeURL: string; isDeleted: boolean }[] }) => {
        const found = event.registrations.find((r) => r.scopeURL === `${base}/` && !r.isDeleted);
        if (found) resolve(found.registrationId);
      });
    });
    await cdp.send('ServiceWorker.enable');
    await cdp.send('ServiceWorker.deliverPushMessage', { origin: base, registrationId: await registrationId, data: data.messages[0]! });
    const shown = await until(async () => ((await patient.evaluate('window.__vigiePushes')) as { title: string; body: string; data: { url: string } }[])[0], 'the service worker shows the reminder');
    assert.equal(shown.title, 'Questionnaire du jour');
    assert.equal(shown.body, payload.body);
    assert.equal(shown.data.url, '/questionnaire');
    const notifications = (await patient.evaluate(`navigator.serviceWorker.ready.then((r) => r.getNotifications()).then((ns) => ns.map((n) => n.title))`)) as string[];
    t.diagnostic(`notifications the service worker holds: ${JSON.stringify(notifications)}`);
    await cdp.detach();
  });

  await t.test('patient: one tap per question on a phone, readable at 200 % zoom, then the confirmation', async () => {
    // The notification opens /questionnaire.
    await patient.goto(`${base}/questionnaire`);
    await patient.locator('[data-testid=q-question]').waitFor();
    assert.match(await patient.locator('[data-testid=q-progress]').innerText(), /1 \/ 4/);
    for (const answer of ['positive', 'neutral', 'negative'] as const) {
      const button = patient.locator(`[data-testid=q-answer-${answer}]`);
      const box = (await button.boundingBox())!;
      assert.ok(box.height >= 88 && box.width >= 300, `${answer} button ${box.width}×${box.height}`);
      assert.ok((await button.locator('svg').count()) === 1 && (await button.innerText()).trim().length > 0, `${answer}: a symbol and a word`);
    }
    await assertAccessible(patient, 'patient: a question');
    await screenshot(patient, 'questionnaire-patient-question.png');

    // 200 % zoom on this phone = a layout 195 CSS px wide (each CSS px drawn 4 device px): everything
    // still fits, nothing scrolls sideways. (A context of its own: mobile emulation widens a layout
    // viewport narrower than its own minimum instead of showing the overflow.)
    const zoomed = await browser.newContext({ viewport: { width: PHONE.width / 2, height: PHONE.height / 2 }, deviceScaleFactor: 4, hasTouch: true, locale: 'fr-FR', timezoneId: 'Europe/Paris' });
    const zoomPage = await signIn('patient', await zoomed.newPage());
    await zoomPage.goto(`${base}/questionnaire`);
    await zoomPage.locator('[data-testid=q-question]').waitFor();
    const layout = (await zoomPage.evaluate(`({ client: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth,
      wide: (() => {
        const out = [];
        const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
        for (let n = walker.nextNode(); n; n = walker.nextNode()) {
          const range = document.createRange();
          range.selectNodeContents(n);
          const r = range.getBoundingClientRect();
          if (r.right > document.documentElement.clientWidth + 1) out.push(n.parentElement.tagName + '.' + n.parentElement.className + ' « ' + n.textContent.slice(0, 30) + ' » ' + Math.round(r.right));
        }
        return out.slice(0, 8);
      })() })`)) as { client: number; scroll: number; wide: string[] };
    assert.ok(layout.scroll <= layout.client, `horizontal scroll at 200 %: ${JSON.stringify(layout)}`);
    await zoomPage.screenshot({ path: 'docs/screenshots/questionnaire-patient-zoom200.png', fullPage: false });
    await zoomed.close();

    await answerAll(patient, ['positive', 'neutral', 'negative', 'positive']);
    const done = patient.locator('[data-testid=q-done]');
    await until(async () => (await done.getAttribute('data-phase')) === 'sent', 'answers sent');
    assert.match(await done.innerText(), /Merci/);
    await assertAccessible(patient, 'patient: confirmation');
    await screenshot(patient, 'questionnaire-patient-done.png');
    const rows = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM questionnaire_answers WHERE patient_id = $1', [patientId]);
    assert.equal(rows.rows[0]!.n, 4);
  });

  await t.test('doctor: the answers in the grid; nurse: the last answers in the summary', async () => {
    await doctor.goto(`${base}/patients/${patientId}`);
    const grid = doctor.locator('[data-testid=q-grid]');
    await grid.waitFor();
    const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(nowMs));
    const cells = grid.locator(`[data-testid=q-grid-cell][data-date="${today}"]`);
    assert.deepEqual(await cells.evaluateAll((els) => els.map((e) => e.getAttribute('data-answer'))), ['positive', 'neutral', 'negative', 'positive']);
    assert.match(await grid.innerText(), new RegExp(OWN_QUESTION.replace(/[?]/g, '\\?')));
    await assertAccessible(doctor, 'doctor: answers grid');

    const nurse = await signIn('nurse', await newPortalPage(browser));
    await nurse.goto(`${base}/patients/${patientId}/summary`);
    const answers = nurse.locator('[data-testid=summary-questionnaire] [data-testid=summary-answer]');
    await until(async () => (await answers.count()) === 4, 'four last answers in the summary');
    await assertAccessible(nurse, 'nurse: summary with the last answers');
  });

  await t.test('offline: the next day, answered with the network cut, arrives once when it returns', async () => {
    nowMs = parisTime(nowMs + DAY_MS, 10, 5);
    const slotId = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(nowMs));
    await signIn('patient', patient); // a day later: the session idled out
    await patient.goto(`${base}/questionnaire`);
    await patient.locator('[data-testid=q-question]').waitFor();
    await patient.context().setOffline(true);
    // The third question answered « Mal » a second day running: a negative streak.
    await answerAll(patient, ['negative', 'neutral', 'negative', 'positive']);
    const done = patient.locator('[data-testid=q-done]');
    await until(async () => (await done.getAttribute('data-phase')) === 'offline', 'kept offline');
    await screenshot(patient, 'questionnaire-patient-offline.png');
    const kept = (await patient.evaluate(`new Promise((resolve, reject) => {
      const open = indexedDB.open('vigie');
      open.onsuccess = () => { const r = open.result.transaction('questionnaire-outbox').objectStore('questionnaire-outbox').getAll(); r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); };
      open.onerror = () => reject(open.error);
    })`)) as { clientId: string; slotId: string; patientId: string }[];
    assert.equal(kept.length, 1, 'one answer waits in IndexedDB');
    assert.equal(kept[0]!.slotId, slotId);
    const count = async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM questionnaire_responses WHERE patient_id = $1 AND slot_date = $2', [patientId, slotId])).rows[0]!.n;
    assert.equal(await count(), 0, 'nothing reached the server while offline');

    await patient.context().setOffline(false);
    await until(async () => (await done.getAttribute('data-phase')) === 'sent', 'sent when the network returns');
    assert.equal(await count(), 1);
    // A reload (the load-time flush) sends nothing more, and a replay of the same clientId is a duplicate.
    await patient.reload();
    await patient.locator('[data-testid=q-already-answered]').waitFor();
    const replay = await patient.request.post(`${base}/api/my/questionnaire/responses`, {
      headers: { 'x-vigie-csrf': '1' },
      data: kept[0]!,
    });
    assert.equal(replay.status(), 200, `replay: ${replay.status()} ${await replay.text()}`);
    assert.equal(((await replay.json()) as { duplicate?: boolean }).duplicate, true);
    assert.equal(await count(), 1, 'exactly one stored response');
  });

  await t.test('relative: allowed by the patient, answers on their behalf; the doctor sees who answered', async () => {
    // Two days later: the day between was missed.
    nowMs = parisTime(nowMs + 2 * DAY_MS, 10, 15);
    const slotId = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(nowMs));
    await signIn('patient', patient);
    await patient.goto(`${base}/questionnaire`);
    const proxy = patient.locator('[data-testid=q-proxies] [data-testid=q-proxy]');
    await proxy.waitFor();
    assert.match(await patient.locator('[data-testid=q-proxies]').innerText(), /Paul Dupont/);
    await proxy.check();
    await until(async () => (await db.query<{ n: number }>('SELECT count(*)::int AS n FROM questionnaire_proxies WHERE patient_id = $1', [patientId])).rows[0]!.n === 1, 'the relative allowed');

    const relative = await signIn('relative', await (await phoneContext()).newPage());
    await relative.goto(`${base}/questionnaire`);
    await relative.locator('[data-testid=q-question]').waitFor();
    assert.match(await relative.locator('[data-testid=q-for]').innerText(), /Pour Jeanne Dupont/);
    await answerAll(relative, ['neutral', 'neutral', 'neutral', 'positive']);
    await until(async () => (await relative.locator('[data-testid=q-done]').getAttribute('data-phase')) === 'sent', 'the relative\'s answers sent');
    await assertAccessible(relative, 'relative: confirmation');
    const row = await db.query<{ answered_as: string; answered_by: string }>('SELECT answered_as, answered_by FROM questionnaire_responses WHERE patient_id = $1 AND slot_date = $2', [patientId, slotId]);
    assert.deepEqual(row.rows, [{ answered_as: 'relative', answered_by: ids.relative }]);

    const doctor = await signIn('doctor', await newPortalPage(browser));
    await doctor.goto(`${base}/patients/${patientId}`);
    const day = doctor.locator(`[data-testid=q-grid] th[data-date="${slotId}"]`);
    await day.waitFor();
    assert.match(await day.innerText(), /répondu par un proche/);
    const missed = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris' }).format(new Date(nowMs - DAY_MS));
    assert.equal(await doctor.locator(`[data-testid=q-grid] th[data-date="${missed}"]`).getAttribute('data-status'), 'missed');
    assert.match(await doctor.locator(`[data-testid=q-grid] th[data-date="${missed}"]`).innerText(), /Pas de réponse/);
    // The third question: « Mal » two days running, outlined and named.
    assert.equal(await doctor.locator('[data-testid=q-streaks]').getAttribute('data-count'), '1');
    const streak = doctor.locator('[data-testid=q-grid-row]').nth(2).locator('[data-testid=q-grid-cell][data-streak]');
    assert.equal(await streak.count(), 2);
    assert.match(await streak.first().innerText(), /Mal\s*\(série négative\)/);
    await assertAccessible(doctor, 'doctor: grid with a streak, a missed day and a relative\'s answers');
    await doctor.locator('[data-testid=q-section]').screenshot({ path: 'docs/screenshots/questionnaire-doctor-grid.png' });
  });
});
