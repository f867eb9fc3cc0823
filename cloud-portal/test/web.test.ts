import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { portalFixture } from './fixture.ts';

test('serves the web build with SPA fallback, keeping API paths as JSON 404s', async (t) => {
  const dist = tempDir('vigie-web-');
  mkdirSync(join(dist.path, 'assets'));
  writeFileSync(join(dist.path, 'index.html'), '<!doctype html><title>Vigie SPA</title>');
  writeFileSync(join(dist.path, 'assets', 'app.js'), 'console.log(1)');
  const f = await portalFixture({ app: { webDistDir: dist.path } });
  t.after(async () => {
    await f.close();
    dist.cleanup();
  });
  const get = (url: string) => f.app.inject({ method: 'GET', url });
  for (const url of ['/', '/patients/123', '/login?next=%2F']) {
    const res = await get(url);
    assert.equal(res.statusCode, 200, url);
    assert.match(res.body, /Vigie SPA/, url);
  }
  const asset = await get('/assets/app.js');
  assert.equal(asset.body, 'console.log(1)');
  assert.match(String(asset.headers['content-type']), /javascript/);
  for (const url of ['/api/nope', '/ingest/v1/nope', '/demo/api/nope']) {
    const res = await get(url);
    assert.equal(res.statusCode, 404, url);
    assert.equal(res.json().error.code, 'CLOUD_NOT_FOUND', url);
  }
  assert.equal((await f.app.inject({ method: 'POST', url: '/patients/123', headers: { 'x-vigie-csrf': '1' } })).statusCode, 404);
});

test('says how to build the web front end when there is no build', async (t) => {
  const f = await portalFixture({ app: { webDistDir: '/nonexistent-vigie-web' } });
  t.after(() => f.close());
  const res = await f.app.inject({ method: 'GET', url: '/' });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /text\/html/);
  assert.match(res.body, /npm run build -w cloud-portal/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
});
