/**
 * `vigie-cloud all` with VIGIE_INGEST_PORT and a TLS certificate (what `npm start` runs): boxes
 * reach the ingest over HTTPS on its own listener, the portal stays on PORT, and neither listener
 * serves the other's routes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { join } from 'node:path';
import { silentLogger } from '@vigie/common';
import { ensureDevTls } from '@vigie/common/dev-tls';
import { tempDir } from '@vigie/common/testing';
import { loadCloudConfig } from '@vigie/cloud-portal';
import { startCloud } from '../src/server.ts';

function httpsStatus(url: string, ca: string, method = 'GET'): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { 'content-type': 'application/json' } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

test('serves the box ingest over HTTPS on its own listener and the portal on PORT', async (t) => {
  const dir = tempDir('vigie-tls-');
  t.after(dir.cleanup);
  const tls = await ensureDevTls(join(dir.path, 'tls'));
  const config = loadCloudConfig({
    VIGIE_DATA_DIR: dir.path,
    PORT: '0',
    VIGIE_INGEST_PORT: '0',
    VIGIE_TLS_CERT_FILE: tls.certFile,
    VIGIE_TLS_KEY_FILE: tls.keyFile,
    ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}),
  });
  const cloud = await startCloud({ config, log: silentLogger(), roles: { ingest: true, portal: true } });
  t.after(() => cloud.stop());
  assert.match(cloud.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.match(cloud.ingestUrl, /^https:\/\/127\.0\.0\.1:\d+$/);
  assert.notEqual(cloud.url, cloud.ingestUrl);
  const ca = (await import('node:fs')).readFileSync(tls.caFile, 'utf8');

  // The ingest listener: TLS, box routes only (401: the route exists, the box is not authenticated).
  assert.equal(await httpsStatus(`${cloud.ingestUrl}/ingest/v1/heartbeats`, ca, 'POST'), 401);
  assert.equal(await httpsStatus(`${cloud.ingestUrl}/api/patients`, ca), 404);
  // A client that does not trust the CA gets no answer at all.
  await assert.rejects(httpsStatus(`${cloud.ingestUrl}/ingest/v1/heartbeats`, '', 'POST'), /self[- ]signed|unable to (verify|get)/i);

  // The portal listener: no ingest routes.
  const portalIngest = await fetch(`${cloud.url}/ingest/v1/heartbeats`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json' } });
  assert.equal(portalIngest.status, 404);
  const patients = await fetch(`${cloud.url}/api/patients`);
  assert.equal(patients.status, 401);
});

test('refuses a certificate without its key', () => {
  assert.throws(() => loadCloudConfig({ VIGIE_TLS_CERT_FILE: '/x/cert.pem' }), /VIGIE_TLS_KEY_FILE: set both/);
});
