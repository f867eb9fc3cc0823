/**
 * The accounts and admin journey in a real headless Chromium against a real `vigie-cloud`
 * process, with the production second-factor policy (VIGIE_STAFF_TOTP=required): the admin
 * signs in, is made to enrol TOTP (QR code, first code, recovery codes), creates a nurse, edits
 * her name in a dialog (a refused phone number is shown under its field), disables her account
 * (confirmed by typing her e-mail in a modal dialog) and restores it; her invitation e-mail
 * (development capture, shown on the demo page) lets her choose a password; a relative
 * submits a registration with a prescription (and a mistaken second one, which the admin rejects
 * with a reason typed in the same dialog); the admin approves it, registers a box and a
 * bracelet, assigns them to the new patient, removes the bracelet (confirmed by its serial) and
 * restores its assignment; the admin signs in again through the two-step login. Each page, and
 * each dialog while open, is checked by axe-core (no serious or critical violation); the main ones
 * are photographed into docs/screenshots/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Page } from 'playwright-core';
import { ensureWebBuild } from '../../scripts/lib/web-build.ts';
import { assertAccessible, launchChromium, newPortalPage, screenshot, SCREENSHOTS_DIR, skipUnlessChromium } from './lib/browser.ts';
import { e2eRun, startDemoCloud } from './lib/system.ts';

const code = (secret: string, at: number) => new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate({ timestamp: at });
const skip = skipUnlessChromium();
/** A dialog is photographed as the window shows it (a full-page capture leaves the backdrop short). */
const windowShot = (page: Page, name: string) => page.screenshot({ path: resolve(SCREENSHOTS_DIR, name) });

test('an admin enrols TOTP, invites, edits, disables and restores a nurse, approves a registration, registers devices, and signs in again in two steps', { skip, timeout: 300_000 }, async (t) => {
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
  await admin.getByRole('button', { name: 'Afficher le code QR' }).waitFor();
  // The enrolment page is no navigation item: none is marked current (not « Patients »).
  assert.equal(await admin.locator('.app-nav [aria-current=page]').count(), 0, 'no current navigation item while enrolling');
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
  // Its home is its own: what waits for it and a door to each part of the administration.
  await admin.locator('.app-nav [aria-current=page]', { hasText: 'Accueil' }).waitFor();
  await admin.locator('[data-testid=admin-todo-registrations]', { hasText: 'Aucune inscription à examiner' }).waitFor();
  assert.equal(await admin.locator('.admin-home__door').count(), 7);
  await screenshot(admin, 'admin-home.png');
  await assertAccessible(admin, 'admin: home');

  // 2. It creates a nurse; the invitation e-mail is on the demo page.
  await admin.goto(`${url}/admin/accounts`);
  await admin.fill('[data-testid=account-form] input[name=email]', 'nouvelle.infirmiere@vigie.demo');
  await admin.fill('[data-testid=account-form] input[name=displayName]', 'Nadia Nouvelle');
  await admin.selectOption('[data-testid=account-form] select[name=role]', 'nurse');
  await admin.click('[data-testid=account-form] button[type=submit]');
  await admin.locator('[data-testid=account-row]', { hasText: 'nouvelle.infirmiere@vigie.demo' }).waitFor();
  // At 1280 px the header keeps one row: « Se déconnecter » beside the name, not below.
  const header = (await admin.locator('.app-header__inner').boundingBox())!;
  const logout = (await admin.locator('[data-testid=logout]').boundingBox())!;
  assert.ok(logout.y + logout.height <= header.y + header.height && header.height < 90, `one header row (header ${header.height} px high, sign-out at y=${logout.y})`);
  await screenshot(admin, 'admin-accounts.png');
  await assertAccessible(admin, 'admin: accounts');

  // 2b. It edits the nurse in a dialog: a phone number the server refuses is shown under its field.
  const nurseRow = admin.locator('[data-testid=account-row][data-email="nouvelle.infirmiere@vigie.demo"]');
  const editButton = nurseRow.getByRole('button', { name: 'Modifier' });
  await editButton.click();
  const edit = admin.getByRole('dialog', { name: 'Modifier le compte de Nadia Nouvelle' });
  await edit.waitFor();
  assert.equal(await admin.evaluate(`document.activeElement.name`), 'displayName', 'focus moves into the dialog');
  await edit.getByLabel('Téléphone').fill('0612');
  await edit.getByRole('button', { name: 'Enregistrer' }).click();
  const phoneError = edit.locator('.form-error');
  await phoneError.waitFor();
  assert.match(await phoneError.innerText(), /format international/);
  const phone = edit.getByLabel('Téléphone');
  assert.equal(await phone.getAttribute('aria-invalid'), 'true');
  assert.ok((await phone.getAttribute('aria-describedby'))!.includes((await phoneError.getAttribute('id'))!), 'the error describes the field');
  assert.equal(await admin.evaluate(`document.activeElement.name`), 'phone', 'focus on the refused field');
  await windowShot(admin, 'admin-account-edit.png');
  await assertAccessible(admin, 'admin: account edit dialog with a refused field');
  await phone.fill('');
  await edit.getByLabel('Nom').fill('Nadia Nouvelle-Durand');
  await edit.getByRole('button', { name: 'Enregistrer' }).click();
  await edit.waitFor({ state: 'detached' });
  await admin.getByRole('status').getByText('Compte de Nadia Nouvelle-Durand enregistré.').waitFor();
  await nurseRow.locator('td', { hasText: 'Nadia Nouvelle-Durand' }).waitFor();
  assert.equal(await admin.evaluate(`document.activeElement.getAttribute('aria-label')`), 'Modifier — nouvelle.infirmiere@vigie.demo', 'focus back on the edit button');

  // 2c. It disables her account after typing her e-mail in the confirmation dialog, then restores it.
  await nurseRow.getByRole('button', { name: 'Désactiver' }).click();
  const confirm = admin.getByRole('dialog', { name: 'Désactiver un compte' });
  await confirm.waitFor();
  const confirmButton = confirm.getByRole('button', { name: 'Désactiver' });
  assert.equal(await confirmButton.isDisabled(), true, 'nothing typed: the confirm button is disabled');
  await confirm.getByLabel('Confirmation').fill('nouvelle.infirmiere@vigie');
  assert.equal(await confirmButton.isDisabled(), true, 'a partial name does not confirm');
  // Escape cancels: nothing happens, focus returns to the button that opened the dialog.
  await admin.keyboard.press('Escape');
  await confirm.waitFor({ state: 'detached' });
  assert.equal(await admin.evaluate(`document.activeElement.getAttribute('aria-label')`), 'Désactiver — nouvelle.infirmiere@vigie.demo');
  assert.match(await nurseRow.innerText(), /Actif/);
  await nurseRow.getByRole('button', { name: 'Désactiver' }).click();
  await confirm.waitFor();
  assert.equal(await confirm.getByLabel('Confirmation').inputValue(), '', 'a new question starts empty');
  await confirm.getByLabel('Confirmation').fill('Nouvelle.Infirmiere@vigie.demo ');
  assert.equal(await confirmButton.isDisabled(), false, 'the typed e-mail confirms (case and spaces forgiven, as on the server)');
  await windowShot(admin, 'admin-confirm-dialog.png');
  await assertAccessible(admin, 'admin: confirmation dialog');
  await confirmButton.click();
  await confirm.waitFor({ state: 'detached' });
  await nurseRow.locator('td', { hasText: 'Désactivé' }).waitFor();
  await nurseRow.getByRole('button', { name: 'Restaurer' }).click();
  await nurseRow.locator('td', { hasText: 'Actif' }).waitFor();
  await admin.goto(`${url}/admin/audit`);
  await admin.locator('.admin-table tbody tr', { hasText: 'account.restore' }).first().waitFor();
  const trail = await admin.locator('.admin-table tbody').innerText();
  for (const action of ['account.edit', 'account.disable', 'account.restore']) assert.match(trail, new RegExp(action), `${action} is in the change log`);
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
  // The same relative, doctor, nurse and prescription for every request of this journey.
  const fillRegistration = async (patientName: string, birthYear: string) => {
    await relative.goto(`${url}/register`);
    await relative.fill('#patient-name', patientName);
    await relative.fill('#patient-birth', birthYear);
    await relative.fill('#doctor-name', 'Dr Claire Martin');
    await relative.fill('#doctor-email', 'docteur@vigie.demo');
    await relative.fill('#nurse-name', 'Nadia Nouvelle');
    await relative.fill('#nurse-email', 'nouvelle.infirmiere@vigie.demo');
    await relative.fill('#relative-0-name', 'Julie Martin');
    await relative.fill('#relative-0-phone', '+33639980021');
    await relative.setInputFiles('#prescription', { name: 'ordonnance.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4\n%%EOF\n') });
    await relative.fill('#contact', 'julie@vigie.demo');
  };
  await fillRegistration('Marcel Martin', '1936');
  await screenshot(relative, 'registration-form.png');
  await assertAccessible(relative, 'registration form');
  await relative.click('[data-testid=registration-form] button[type=submit]');
  await relative.getByText('Demande envoyée').waitFor();
  // …and, by mistake, a second one for someone else (rejected below).
  await fillRegistration('Louis Bernard', '1941');
  await relative.click('[data-testid=registration-form] button[type=submit]');
  await relative.getByText('Demande envoyée').waitFor();

  // 5. The admin approves it: the patient exists, linked to the matched doctor and nurse.
  await admin.goto(`${url}/admin/registrations`);
  const row = admin.locator('[data-testid=registration-row]', { hasText: 'Marcel Martin' });
  await row.getByRole('button', { name: 'Accepter' }).waitFor();
  assert.match(await row.innerText(), /En attente/);
  await screenshot(admin, 'admin-registration-review.png');
  await assertAccessible(admin, 'admin: registrations');
  // The mistaken request is rejected with a reason typed in the same dialog component.
  await admin.locator('[data-testid=registration-row]', { hasText: 'Louis Bernard' }).getByRole('button', { name: 'Refuser' }).click();
  const rejection = admin.getByRole('dialog', { name: 'Refuser une inscription' });
  await rejection.waitFor();
  assert.equal(await rejection.getByRole('button', { name: 'Refuser' }).isDisabled(), true, 'no reason, no rejection');
  await rejection.getByLabel('Motif du refus').fill('Demande envoyée par erreur.');
  await assertAccessible(admin, 'admin: rejection reason dialog');
  await rejection.getByRole('button', { name: 'Refuser' }).click();
  await rejection.waitFor({ state: 'detached' });
  await admin.locator('[data-testid=registration-row][data-status=rejected]', { hasText: 'Louis Bernard' }).waitFor();
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
  // A device never assigned has nothing to restore: no « Restaurer » once its history is known.
  const bracelet = admin.locator('[data-testid=device-row][data-serial="BR-E2E-0042"]');
  await admin.locator('[data-testid=device-row][data-serial="BR-E2E-0042"][data-restore=none]').waitFor();
  assert.equal(await bracelet.getByRole('button', { name: /Restaurer/ }).count(), 0, 'no restore for a device never assigned');
  for (const serial of ['VB-E2E-0042', 'BR-E2E-0042']) {
    const device = admin.locator(`[data-testid=device-row][data-serial="${serial}"]`);
    await device.getByRole('combobox', { name: `Attribuer ${serial} à` }).selectOption({ label: 'Marcel Martin' });
    await device.getByRole('button', { name: 'Attribuer' }).click();
    await device.locator('[data-testid=device-patient]', { hasText: 'Marcel Martin' }).waitFor();
  }
  await screenshot(admin, 'admin-devices.png');
  await assertAccessible(admin, 'admin: devices');
  // Removing the bracelet is confirmed by its serial; its assignment can then be restored.
  await bracelet.getByRole('button', { name: 'Retirer' }).click();
  const removal = admin.getByRole('dialog', { name: 'Retirer un appareil' });
  await removal.getByLabel('Confirmation').fill('BR-E2E-0042');
  await removal.getByRole('button', { name: 'Retirer' }).click();
  await removal.waitFor({ state: 'detached' });
  await bracelet.locator('[data-testid=device-patient]', { hasText: '—' }).waitFor();
  await bracelet.getByRole('button', { name: 'Restaurer l’attribution à Marcel Martin' }).click();
  await bracelet.locator('[data-testid=device-patient]', { hasText: 'Marcel Martin' }).waitFor();

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
