import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '@vigie/common';
import { buildCloudApp } from '../src/app.ts';
import { loadCloudConfig } from '../src/config.ts';
import { portalFixture, type PortalFixture } from './fixture.ts';

let f: PortalFixture;

before(async () => {
  f = await portalFixture({ env: { VIGIE_ADMIN_PORT: '0' } });
});
after(() => f.close());

test('with VIGIE_ADMIN_PORT, the admin API answers 404 on the main listener and works on the admin one', async () => {
  const cookie = await f.login(f.admin);
  const main = await f.app.inject({ method: 'GET', url: '/admin/api/accounts', headers: { cookie } });
  assert.equal(main.statusCode, 404);
  assert.equal(main.json().error.code, 'PORTAL_NOT_FOUND');
  const config = loadCloudConfig({ VIGIE_DATA_DIR: '/nonexistent-vigie-test', VIGIE_STAFF_TOTP: 'optional', VIGIE_ADMIN_PORT: '0' });
  const adminApp = await buildCloudApp({ db: f.db, config, log: silentLogger(), roles: { ingest: false, portal: true }, adminListener: true, now: () => f.clock.now, webDistDir: '/nonexistent-vigie-web' });
  try {
    const res = await adminApp.inject({ method: 'GET', url: '/admin/api/accounts', headers: { cookie } });
    assert.equal(res.statusCode, 200);
    assert.ok(res.json().accounts.length >= 3);
  } finally {
    await adminApp.close();
  }
});
