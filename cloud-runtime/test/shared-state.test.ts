/**
 * What several portal instances share through the database instead of process memory (issue 17):
 * two apps on one database, as two instances behind a load balancer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildCloudApp, loadCloudConfig, LOGIN_RATE_LIMIT } from '@vigie/cloud-portal';
import { portalFixture } from '@vigie/cloud-portal/testing';
import { silentLogger } from '@vigie/common';

test('the login rate limit counts attempts made on every portal instance together', async (t) => {
  const f = await portalFixture();
  const config = loadCloudConfig({ VIGIE_DATA_DIR: '/nonexistent-vigie-test', VIGIE_SECRETS_KEY: Buffer.alloc(32, 3).toString('base64') });
  const second = await buildCloudApp({ db: f.db, config, log: silentLogger(), roles: { ingest: false, portal: true }, webDistDir: '/nonexistent-vigie-web' });
  // The second instance closes first: the fixture's close() closes the shared database.
  t.after(async () => {
    await second.close();
    await f.close();
  });
  const attempt = (app: typeof second, i: number) =>
    app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '203.0.113.9',
      headers: { 'x-vigie-csrf': '1' },
      payload: { email: `nobody-${i}@example.org`, password: 'wrong-password' },
    });
  // Half the allowance on each instance, alternating.
  for (let i = 0; i < LOGIN_RATE_LIMIT.max; i++) {
    const res = await attempt(i % 2 === 0 ? f.app : second, i);
    assert.notEqual(res.statusCode, 429, `attempt ${i + 1} is within the limit`);
  }
  const over = await attempt(second, LOGIN_RATE_LIMIT.max);
  assert.equal(over.statusCode, 429);
  assert.equal(over.json().error.code, 'PORTAL_TOO_MANY_ATTEMPTS');
  // Another client is not affected.
  const other = await f.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress: '203.0.113.10', headers: { 'x-vigie-csrf': '1' }, payload: { email: 'x@example.org', password: 'wrong-password' } });
  assert.notEqual(other.statusCode, 429);
  // Each route counts apart: the forgotten-password form is not limited by the logins.
  const forgot = await second.inject({ method: 'POST', url: '/api/auth/password/forgot', remoteAddress: '203.0.113.9', headers: { 'x-vigie-csrf': '1' }, payload: { email: 'nobody@example.org' } });
  assert.equal(forgot.statusCode, 202);
  // No client address in clear in the table.
  const { rows } = await f.db.query<{ key: string }>('SELECT key FROM rate_limit_hits');
  assert.ok(rows.length > 0 && rows.every((r) => /^[0-9a-f]{64}$/.test(r.key)));
});
