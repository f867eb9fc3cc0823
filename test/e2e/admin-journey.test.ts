/**
 * The accounts and admin journey in a real headless Chromium against a real `vigie-cloud`
 * process, with the production second-factor policy (VIGIE_STAFF_TOTP=required): the admin
 * signs in, is made to enrol TOTP (QR code, first code, recovery codes), creates a nurse whose
 * invitation e-mail (development capture, shown on the demo page) lets her choose a password; a
 * relative submits a registration with a prescription; the admin approves it; the admin signs in
 * again through the two-step login.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { chromium, type Browser } from 'playwright-core';
import { Secret, TOTP } from 'otpauth';
import { skipUnlessTool, tempDir } from '@vigie/common/testing';
import { openTestDb, type TestDb } from '@vigie/cloud-ingest/testing';
import { startChild, type Child } from '../../scripts/lib/processes.ts';
import { prepareDemo } from '../../scripts/lib/demo-setup.ts';
import { ensureWebBuild } from '../../scripts/lib/web-build.ts';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const code = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });
const skip = skipUnlessTool('chromium');

test('an admin enrols TOTP, invites a nurse by e-mail, approves a registration, and signs in again in two steps', { skip, timeout: 240_000 }, async (t) => {
  const dir = tempDir('vigie-e2e-admin-');
  const children: Child[] = [];
  const cleanups: (() => Promise<void> | void)[] = [() => dir.cleanup()];
  t.after(async () => {
    for (const child of children.reverse()) await child.stop();
    for (const cleanup of cleanups.reverse()) await cleanup();
  });
  ensureWebBuild((line) => t.diagnostic(line));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const demo = prepareDemo(dir.path, url);
  let testDb: TestDb | undefined;
  if (process.env.DATABASE_URL) {
    testDb = await openTestDb({ fresh: true });
    cleanups.push(() => testDb!.close());
  }
  const env: Record<string, string | undefined> = {
    ...process.env,
    VIGIE_DATA_DIR: dir.path,
    PORT: String(port),
    LOG_LEVEL: 'warn',
    VIGIE_DEMO: '1',
    VIGIE_DEMO_BOX_ID: demo.boxId,
    VIGIE_DEMO_BOX_TOKEN: demo.token,
    VIGIE_STAFF_TOTP: 'required',
    VIGIE_PUBLIC_URL: url,
    ...(testDb ? { DATABASE_URL: testDb.databaseUrl! } : {}),
  };
  if (!testDb) delete env.DATABASE_URL;
  const cloud = startChild('cloud', 'cloud-portal/src/cli.ts', ['all'], env, { echo: false });
  children.push(cloud);
  await cloud.waitFor(/vigie-cloud listening/);

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

  // 1. The admin signs in with a password and is made to enrol a second factor.
  const admin = await (await browser.newContext()).newPage();
  await admin.goto(`${url}/login`);
  await admin.fill('input[name=email]', 'admin@vigie.demo');
  await admin.fill('input[name=password]', 'demo-admin');
  await admin.click('[data-testid=login-form] button[type=submit]');
  await admin.getByRole('button', { name: 'Afficher le code QR' }).click();
  const secret = (await admin.locator('[data-testid=totp-secret]').textContent())!.trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.match((await admin.locator('img[src^="data:image/png"]').getAttribute('src'))!, /^data:image\/png;base64,/);
  await admin.fill('#totp-code', code(secret, Date.now()));
  await admin.getByRole('button', { name: 'Activer' }).click();
  await admin.locator('[data-testid=recovery-codes] li').first().waitFor();
  assert.equal(await admin.locator('[data-testid=recovery-codes] li').count(), 10);
  await admin.getByRole('button', { name: 'Continuer' }).click();

  // 2. It creates a nurse; the invitation e-mail is on the demo page.
  await admin.goto(`${url}/admin/accounts`);
  await admin.fill('[data-testid=account-form] input[name=email]', 'nouvelle.infirmiere@vigie.demo');
  await admin.fill('[data-testid=account-form] input[name=displayName]', 'Nadia Nouvelle');
  await admin.selectOption('[data-testid=account-form] select[name=role]', 'nurse');
  await admin.click('[data-testid=account-form] button[type=submit]');
  await admin.locator('[data-testid=account-row]', { hasText: 'nouvelle.infirmiere@vigie.demo' }).waitFor();
  await admin.goto(`${url}/demo`);
  const link = admin.locator('[data-testid=demo-mail] a[href*="/invitation?token="]').first();
  await link.waitFor({ timeout: 10_000 });
  const invitation = (await link.getAttribute('href'))!;

  // 3. The nurse, in her own browser, chooses her password with the link, then signs in.
  const nurse = await (await browser.newContext()).newPage();
  await nurse.goto(invitation);
  await nurse.fill('#new-password', 'mot-de-passe-nadia');
  await nurse.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await nurse.getByText('Mot de passe enregistré').waitFor();
  await nurse.goto(`${url}/login`);
  await nurse.fill('input[name=email]', 'nouvelle.infirmiere@vigie.demo');
  await nurse.fill('input[name=password]', 'mot-de-passe-nadia');
  await nurse.click('[data-testid=login-form] button[type=submit]');
  await nurse.getByRole('button', { name: 'Afficher le code QR' }).waitFor();

  // 4. A relative submits a registration with a prescription (a PDF, checked by content).
  const relative = await (await browser.newContext()).newPage();
  await relative.goto(`${url}/register`);
  await relative.fill('#patient-name', 'Marcel Martin');
  await relative.fill('#patient-birth', '1936');
  await relative.fill('#doctor-name', 'Dr Claire Martin');
  await relative.fill('#doctor-email', 'docteur@vigie.demo');
  await relative.fill('#nurse-name', 'Nadia Nouvelle');
  await relative.fill('#nurse-email', 'nouvelle.infirmiere@vigie.demo');
  await relative.fill('#relative-0-name', 'Julie Martin');
  await relative.fill('#relative-0-phone', '+33639980021');
  await relative.setInputFiles('#prescription', { name: 'ordonnance.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
  await relative.fill('#contact', 'julie@vigie.demo');
  await relative.click('[data-testid=registration-form] button[type=submit]');
  await relative.getByText('Demande envoyée').waitFor();

  // 5. The admin approves it: the patient exists, linked to the matched doctor and nurse.
  await admin.goto(`${url}/admin/registrations`);
  const row = admin.locator('[data-testid=registration-row]', { hasText: 'Marcel Martin' });
  await row.getByRole('button', { name: 'Accepter' }).click();
  await admin.locator('[data-testid=registration-row][data-status=approved]', { hasText: 'Marcel Martin' }).waitFor();
  await admin.goto(`${url}/admin/links`);
  await admin.locator('td', { hasText: 'Marcel Martin' }).first().waitFor();
  assert.equal(await admin.locator('tr', { hasText: 'Marcel Martin' }).count(), 2, 'doctor and nurse linked');

  // 6. Signing in again takes two steps: password, then a (fresh) code.
  await admin.context().clearCookies();
  await admin.goto(`${url}/login`);
  await admin.fill('input[name=email]', 'admin@vigie.demo');
  await admin.fill('input[name=password]', 'demo-admin');
  await admin.click('[data-testid=login-form] button[type=submit]');
  await admin.locator('[data-testid=totp-form]').waitFor();
  await admin.fill('[data-testid=totp-form] input[name=code]', code(secret, Date.now() + 30_000));
  await admin.click('[data-testid=totp-form] button[type=submit]');
  await admin.locator('[data-testid=nav-admin]').waitFor();
});
