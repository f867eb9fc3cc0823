/**
 * « Déployer une mise à jour » in a real headless Chromium against a real `vigie-cloud` process
 * (issue 15): the admin adds a signed version (its file and its `.release.json`, as
 * `npm run release:sign` writes them), starts a campaign for the demo box, and watches it progress
 * while the box's real update agent (simulated A/B slots) downloads, installs, restarts and
 * commits it. The page is checked by axe-core and photographed into docs/screenshots/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { silentLogger } from '@vigie/common';
import { ensureWebBuild } from '../../scripts/lib/web-build.ts';
import { SimulatedSlots } from '../../appliance/src/slots/simulated-slots.ts';
import { UpdateAgent } from '../../appliance/src/update/update-agent.ts';
import { UpdateClient } from '../../appliance/src/update/update-client.ts';
import { FACTORY_VERSION, HARDWARE, releaseKey, signedRelease, SimulatedBoxView } from '../updates/fleet.ts';
import { assertAccessible, launchChromium, newPortalPage, screenshot, skipUnlessChromium } from './lib/browser.ts';
import { e2eRun, startDemoCloud } from './lib/system.ts';

const skip = skipUnlessChromium();

test('an admin adds a signed version, starts a campaign, and sees the box update and the campaign complete', { skip, timeout: 300_000 }, async (t) => {
  const run = e2eRun(t, 'vigie-e2e-updates-');
  ensureWebBuild((line) => t.diagnostic(line));
  const engineer = releaseKey('release-2026');
  // The service's keyring: public keys only (the private key stays with the test, the "signing machine").
  writeFileSync(join(run.dir, 'release-keyring.json'), JSON.stringify({ keys: [engineer.entry] }));
  const { url, box } = await startDemoCloud(run, { VIGIE_STAFF_TOTP: 'optional' });
  const release = signedRelease(engineer, '1.1.0', randomBytes(200 * 1024), { changelog: 'Correctifs du modem et de l’écran' });
  const artefactFile = join(run.dir, 'vigie-1.1.0.raucb');
  writeFileSync(artefactFile, release.artefact);
  writeFileSync(`${artefactFile}.release.json`, JSON.stringify(release.signed, null, 2));

  const browser = await launchChromium();
  run.defer(() => browser.close());
  const admin = await newPortalPage(browser);
  await admin.goto(`${url}/login`);
  await admin.fill('input[name=email]', 'admin@vigie.demo');
  await admin.fill('input[name=password]', 'demo-admin');
  await admin.click('[data-testid=login-form] button[type=submit]');
  await admin.getByRole('link', { name: 'Déployer une mise à jour' }).first().click();
  await admin.getByRole('heading', { name: 'Déployer une mise à jour' }).waitFor();

  // 1. The signed version: the server checks its signature and checksum before keeping it.
  await admin.setInputFiles('input[name=artefact]', artefactFile);
  await admin.setInputFiles('input[name=manifest]', `${artefactFile}.release.json`);
  await admin.getByRole('button', { name: 'Vérifier et ajouter' }).click();
  await admin.getByText('Version 1.1.0 vérifiée et ajoutée.').waitFor();
  await admin.locator('[data-testid=release-row]', { hasText: 'Correctifs du modem' }).waitFor();

  // 2. A campaign for the demo box, in one stage.
  await admin.selectOption('select[name=releaseId]', { label: '1.1.0 — Boîtier' });
  await admin.fill('textarea[name=boxes]', box.id);
  await admin.fill('input[name=stages]', '100');
  await admin.getByRole('button', { name: 'Lancer la campagne' }).click();
  await admin.getByText('Campagne lancée.').waitFor();
  const row = admin.locator('[data-testid=campaign-row]').first();
  assert.equal(await row.getAttribute('data-state'), 'running');
  assert.equal((await row.locator('[data-testid=campaign-progress]').textContent())?.trim(), '0 sur 1 à jour');
  await assertAccessible(admin, 'updates tab');

  // 3. The box's agent takes it: download, checks, install, restart, health check, commit.
  const client = new UpdateClient({ baseUrl: url, token: box.token });
  run.defer(() => client.close());
  const slots = new SimulatedSlots(join(run.dir, 'box-slots'), FACTORY_VERSION);
  const agent = () => new UpdateAgent({
    slots, client, box: new SimulatedBoxView(() => '1.1.0', new Set()), keyring: { keys: [engineer.entry] }, hardware: HARDWARE,
    factoryVersion: FACTORY_VERSION, dir: join(run.dir, 'box-update'), log: silentLogger(), healthTimeoutMs: 0,
  });
  assert.equal(await agent().cycle(), 'rebooting');
  assert.equal(await agent().afterBoot(), 'committed');

  // 4. The page follows (it refreshes every 5 s): completed, 1 of 1 up to date; the box's detail.
  await admin.locator('[data-testid=campaign-row][data-state=completed]').waitFor({ timeout: 20_000 });
  assert.equal((await row.locator('[data-testid=campaign-progress]').textContent())?.trim(), '1 sur 1 à jour');
  await row.getByRole('button', { name: 'Voir les boîtiers' }).click();
  await row.locator('[data-testid=campaign-boxes]', { hasText: 'À jour' }).waitFor();
  await assertAccessible(admin, 'updates tab with a completed campaign');
  await screenshot(admin, 'admin-update-campaign.png');

  // The change log has both actions.
  await admin.goto(`${url}/admin/audit`);
  await admin.getByText('campaign.start').first().waitFor();
  await admin.getByText('release.upload').first().waitFor();
});
