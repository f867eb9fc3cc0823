/**
 * The portal's app composed with the ingest's routes, as `vigie-cloud` composes them: which role
 * serves what, and what the portal's guards leave to the ingest.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { buildCloudApp, loadCloudConfig } from '@vigie/cloud-portal';
import { portalFixture } from '@vigie/cloud-portal/testing';
import { silentLogger } from '@vigie/common';
import { CLOUD_ROLES } from '../src/roles.ts';

test('an ingest-only process serves no portal and no pages', async (t) => {
  const f = await portalFixture();
  t.after(() => f.close());
  const ingestOnly = await buildCloudApp({ db: f.db, config: loadCloudConfig({}), log: silentLogger(), roles: { ingest: true, portal: false }, ingestRoutes });
  t.after(() => ingestOnly.close());
  assert.equal((await ingestOnly.inject({ method: 'GET', url: '/' })).statusCode, 404);
  assert.equal((await ingestOnly.inject({ method: 'GET', url: '/api/me' })).statusCode, 404);
  assert.equal((await ingestOnly.inject({ method: 'POST', url: '/ingest/v1/heartbeats', payload: {} })).statusCode, 401);
});

test('the CSRF guard does not ask boxes for its header: ingest authenticates by bearer token', async (t) => {
  const f = await portalFixture({ app: { ingestRoutes } });
  t.after(() => f.close());
  const res = await f.app.inject({ method: 'POST', url: '/ingest/v1/heartbeats', payload: {} });
  assert.equal(res.statusCode, 401);
  assert.equal(res.json().error.code, 'INGEST_UNAUTHORIZED');
});

test('a portal asked to serve the ingest without its routes refuses to build, naming what is missing', async (t) => {
  const f = await portalFixture();
  t.after(() => f.close());
  await assert.rejects(
    buildCloudApp({ db: f.db, config: loadCloudConfig({}), log: silentLogger(), roles: { ingest: true, portal: true } }),
    /roles\.ingest needs options\.ingestRoutes/,
  );
});

test('a consumer-only process serves neither the portal nor the ingest on its listener', async (t) => {
  const f = await portalFixture();
  t.after(() => f.close());
  const consumerOnly = await buildCloudApp({ db: f.db, config: loadCloudConfig({}), log: silentLogger(), roles: CLOUD_ROLES.consumer.http });
  t.after(() => consumerOnly.close());
  assert.equal((await consumerOnly.inject({ method: 'GET', url: '/api/me' })).statusCode, 404);
  assert.equal((await consumerOnly.inject({ method: 'POST', url: '/ingest/v1/heartbeats', payload: {} })).statusCode, 404);
});

test('every role of the table names its routes, its Kafka use and who migrates; only the single-process one migrates', () => {
  for (const [name, role] of Object.entries(CLOUD_ROLES)) {
    assert.equal(role.migrations === 'apply', name === 'all', name);
    assert.ok(role.summary.length > 0);
  }
});
