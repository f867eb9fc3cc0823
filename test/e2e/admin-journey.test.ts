/**
 * The accounts and admin journey in a real headless Chromium against a real `vigie-cloud`
 * process, with the production second-factor policy (VIGIE_STAFF_TOTP=required): the admin
 * signs in, is made to enrol TOTP (QR code, first code, recovery codes), creates a nurse whose
 * invitation e-mail (development capture, shown on the demo page) lets her choose a password; a
 * relative submits a registration with a prescription; the admin approves it, registers a box and
 * a bracelet and assigns them to the new patient; the admin signs in again through the two-step
 * login. Each page is checked by axe-core (no serious or critical violation); the main ones are
 * photographed into docs/screenshots/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Secret, TOTP } from 'otpauth';
import { ensureWebBuild } from '../../scripts/lib/web-build.ts';
import { assertAccessible, launchChromium, newPortalPage, screenshot, skipUnlessChromium } from './lib/browser.ts';
import { e2eRun, startDemoCloud } from './lib/system.ts';

const code = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });
const skip = skipUnlessChromium();

test('an admin enrols TOTP, invites a nurse by e-mail, approves a registration, registers devices, and signs in again in two steps', { skip, timeout: 240_000 }, async (t) => {
  const run = e2eRun(t, 'vigie-e2e-admin-');
  ensureWebBuild((line) => t.diagnostic(line));
  const { url } = await startDemoCloud(run, { VIGIE_STAFF_TOTP: 'required' });
  const browser = await launchChromium();
  run.defer(() => browser.close());

  // 1. The admin signs in with a password and is made to enrol a second factor.
  const admin = await newPortalPage(browser);
  await admin.goto(`${url}/login`);
  await assertAccessible(admin, 'sign-in page');
  await admin.fill('input[name=email]', 'admin@vigie.demo');
  await admin.fill('input[name=password]', 'demo-admin');
  await admin.click('[data-testid=login-form] button[type=submit]');
  await admin.getByRole('button', { name: 'Afficher le code QR' }).click();
  const secret = (await admin.locator('[data-testid=totp-secret]').textContent())!.trim();
  assert.match(secret, /^[A-Z2-7]{32}$/);
  // The QR code is really drawn (the CSP refuses data: images, so it is a canvas): dark modules on white.
  await admin.locator('[data-testid=totp-qr][data-drawn=true]').waitFor();
  const dark = (await admin.evaluate(`(() => {
    const canvas = document.querySelector('[data-testid=totp-qr]');
    const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
    let dark = 0;
    for (let i = 0; i < pixels.length; i += 4) if (pixels[i] < 128) dark++;
    return dark / (pixels.length / 4);
  })()`)) as number;
  assert.ok(dark > 0.2 && dark < 0.8, `the QR code is drawn (${Math.round(dark * 100)} % dark pixels)`);
  await screenshot(admin, 'staff-totp-enrolment.png');
  await assertAccessible(admin, 'TOTP enrolment');
  await admin.fill('#totp-code', code(secret, Date.now()));
  await admin.getByRole('button', { name: 'Activer' }).click();
  await admin.locator('[data-testid=recovery-codes] li').first().waitFor();
  assert.equal(await admin.locator('[data-testid=recovery-codes] li').count(), 10);
  await assertAccessible(admin, 'recovery codes');
  await admin.getByRole('button', { name: 'Continuer' }).click();

  // 2. It creates a nurse; the invitation e-mail is on the demo page.
  await admin.goto(`${url}/admin/accounts`);
  await admin.fill('[data-testid=account-form] input[name=email]', 'nouvelle.infirmiere@vigie.demo');
  await admin.fill('[data-testid=account-form] input[name=displayName]', 'Nadia Nouvelle');
  await admin.selectOption('[data-testid=account-form] select[name=role]', 'nurse');
  await admin.click('[data-testid=account-form] button[type=submit]');
  await admin.locator('[data-testid=account-row]', { hasText: 'nouvelle.infirmiere@vigie.demo' }).waitFor();
  await screenshot(admin, 'admin-accounts.png');
  await assertAccessible(admin, 'admin: accounts');
  await admin.goto(`${url}/demo`);
  const link = admin.locator('[data-testid=demo-mail] a[href*="/invitation?token="]').first();
  await link.waitFor({ timeout: 10_000 });
  const invitation = (await link.getAttribute('href'))!;

  // 3. The nurse, in her own browser, chooses her password with the link, then signs in.
  const nurse = await newPortalPage(browser);
  await nurse.goto(invitation);
  await nurse.locator('#new-password').waitFor();
  await assertAccessible(nurse, 'invitation page');
  await nurse.fill('#new-password', 'mot-de-passe-nadia');
  await nurse.getByRole('button', { name: 'Enregistrer le mot de passe' }).click();
  await nurse.getByText('Mot de passe enregistré').waitFor();
  await nurse.goto(`${url}/login`);
  await nurse.fill('input[name=email]', 'nouvelle.infirmiere@vigie.demo');
  await nurse.fill('input[name=password]', 'mot-de-passe-nadia');
  await nurse.click('[data-testid=login-form] button[type=submit]');
  await nurse.getByRole('button', { name: 'Afficher le code QR' }).waitFor();

  // 4. A relative submits a registration with a prescription (a PDF, checked by content).
  const relative = await newPortalPage(browser);
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
  await screenshot(relative, 'registration-form.png');
  await assertAccessible(relative, 'registration form');
  await relative.click('[data-testid=registration-form] button[type=submit]');
  await relative.getByText('Demande envoyée').waitFor();

  // 5. The admin approves it: the patient exists, linked to the matched doctor and nurse.
  await admin.goto(`${url}/admin/registrations`);
  const row = admin.locator('[data-testid=registration-row]', { hasText: 'Marcel Martin' });
  await row.getByRole('button', { name: 'Accepter' }).waitFor();
  assert.match(await row.innerText(), /En attente/);
  await screenshot(admin, 'admin-registration-review.png');
  await assertAccessible(admin, 'admin: registrations');
  await row.getByRole('button', { name: 'Accepter' }).click();
  await admin.locator('[data-testid=registration-row][data-status=approved]', { hasText: 'Marcel Martin' }).waitFor();
  assert.match(await row.innerText(), /Acceptée/);
  await admin.goto(`${url}/admin/links`);
  await admin.locator('td', { hasText: 'Marcel Martin' }).first().waitFor();
  assert.equal(await admin.locator('tr', { hasText: 'Marcel Martin' }).count(), 2, 'doctor and nurse linked');
  await screenshot(admin, 'admin-care-links.png');
  await assertAccessible(admin, 'admin: care links');

  // 6. It registers the new patient's box (its token is shown once) and bracelet, and assigns both.
  await admin.goto(`${url}/admin/devices`);
  const devices = admin.locator('[data-testid=device-form]');
  await devices.locator('select[name=kind]').selectOption('box');
  await devices.locator('input[name=serial]').fill('VB-E2E-0042');
  await devices.locator('button[type=submit]').click();
  assert.match(await admin.locator('[data-testid=device-token]').innerText(), /Jeton du boîtier \(affiché une seule fois\) : [\w-]{43}/);
  await devices.locator('select[name=kind]').selectOption('bracelet');
  await devices.locator('input[name=serial]').fill('BR-E2E-0042');
  await devices.locator('button[type=submit]').click();
  for (const serial of ['VB-E2E-0042', 'BR-E2E-0042']) {
    const device = admin.locator(`[data-testid=device-row][data-serial="${serial}"]`);
    await device.getByRole('combobox', { name: `Attribuer ${serial} à` }).selectOption({ label: 'Marcel Martin' });
    await device.getByRole('button', { name: 'Attribuer' }).click();
    await device.locator('[data-testid=device-patient]', { hasText: 'Marcel Martin' }).waitFor();
  }
  await screenshot(admin, 'admin-devices.png');
  await assertAccessible(admin, 'admin: devices');

  // 7. Signing in again takes two steps: password, then a (fresh) code.
  await admin.context().clearCookies();
  await admin.goto(`${url}/login`);
  await admin.fill('input[name=email]', 'admin@vigie.demo');
  await admin.fill('input[name=password]', 'demo-admin');
  await admin.click('[data-testid=login-form] button[type=submit]');
  await admin.locator('[data-testid=totp-form]').waitFor();
  await assertAccessible(admin, 'second step of the sign-in');
  await admin.fill('[data-testid=totp-form] input[name=code]', code(secret, Date.now() + 30_000));
  await admin.click('[data-testid=totp-form] button[type=submit]');
  await admin.locator('[data-testid=nav-admin]').waitFor();
});
