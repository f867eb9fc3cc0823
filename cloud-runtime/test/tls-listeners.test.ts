/**
 * `vigie-cloud all` with VIGIE_INGEST_PORT and a TLS certificate (what `npm start` runs): boxes
 * reach the ingest over HTTPS on its own listener, the portal stays on PORT, and neither listener
 * serves the other's routes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { join } from 'node:path';
import { silentLogger } from '@vigie/common';
import { ensureDevTls } from '@vigie/common/dev-tls';
import { tempDir } from '@vigie/common/testing';
import { HSTS, loadCloudConfig } from '@vigie/cloud-portal';
import { startCloud } from '../src/server.ts';
import { portalFixture, type PortalFixture } from '@vigie/cloud-portal/testing';
import { ownDatabaseUrl } from '@vigie/cloud-store/testing';

/** DATABASE_URL set: a database of this file's own (its login counters are not other files'). */
const databaseEnv = async () => {
  const url = await ownDatabaseUrl();
  return url ? { DATABASE_URL: url } : {};
};


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
    ...(await databaseEnv()),
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
  assert.throws(() => loadCloudConfig({ VIGIE_PORTAL_TLS_KEY_FILE: '/x/key.pem' }), /VIGIE_PORTAL_TLS_CERT_FILE: set both/);
});

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

function httpsCall(url: string, ca: string, method: 'GET' | 'POST', body?: object): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, ca, headers: { 'content-type': 'application/json', 'x-vigie-csrf': '1' } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

test('terminates TLS on the portal listener with its own certificate: HSTS and Secure cookies there, plain HTTP untouched', async (t) => {
  const dir = tempDir('vigie-portal-tls-');
  t.after(dir.cleanup);
  // The development CA `npm start` creates under data/tls/, used for the portal listener.
  const tls = await ensureDevTls(join(dir.path, 'tls'));
  const ca = readFileSync(tls.caFile, 'utf8');
  const config = loadCloudConfig({
    VIGIE_DATA_DIR: dir.path,
    PORT: '0',
    VIGIE_INGEST_PORT: '0',
    VIGIE_TLS_CERT_FILE: tls.certFile,
    VIGIE_TLS_KEY_FILE: tls.keyFile,
    VIGIE_PORTAL_TLS_CERT_FILE: tls.certFile,
    VIGIE_PORTAL_TLS_KEY_FILE: tls.keyFile,
    VIGIE_DEMO: '1',
    VIGIE_DEMO_BOX_TOKEN: 'portal-tls-token-0123456789',
    ...(await databaseEnv()),
  });
  const cloud = await startCloud({ config, log: silentLogger(), roles: { ingest: true, portal: true } });
  t.after(() => cloud.stop());
  assert.match(cloud.url, /^https:\/\/127\.0\.0\.1:\d+$/);

  const me = await httpsCall(`${cloud.url}/api/me`, ca, 'GET');
  assert.equal(me.status, 401);
  assert.equal(me.headers['strict-transport-security'], HSTS, 'HSTS on every HTTPS answer, errors included');
  const login = await httpsCall(`${cloud.url}/api/auth/login`, ca, 'POST', { email: 'docteur@vigie.demo', password: 'demo-docteur' });
  assert.equal(login.status, 200, login.body);
  const cookie = [login.headers['set-cookie']].flat().find((c) => c?.startsWith('vigie_session='));
  assert.match(cookie ?? '', /; Secure/);
  assert.match(cookie ?? '', /; HttpOnly/);
  // Without the CA, no answer at all.
  await assert.rejects(httpsCall(`${cloud.url}/api/me`, '', 'GET'), /self[- ]signed|unable to (verify|get)/i);
});

test('marks cookies Secure and sends HSTS behind a trusted TLS proxy only', async (t) => {
  const behindProxy = await portalFixture({ env: { VIGIE_TRUST_PROXY: 'loopback' } });
  t.after(() => behindProxy.close());
  const direct = await portalFixture();
  t.after(() => direct.close());
  const login = (f: PortalFixture, proto: string | null) =>
    f.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      remoteAddress: '127.0.0.1',
      headers: { 'x-vigie-csrf': '1', ...(proto ? { 'x-forwarded-proto': proto } : {}) },
      payload: { email: f.doctorA.email, password: f.doctorA.password },
    });
  const proxied = await login(behindProxy, 'https');
  assert.equal(proxied.cookies.find((c) => c.name === 'vigie_session')!.secure, true);
  assert.equal(proxied.headers['strict-transport-security'], HSTS);
  const plain = await login(behindProxy, null);
  assert.equal(plain.cookies.find((c) => c.name === 'vigie_session')!.secure, undefined, 'plain HTTP: the browser would drop a Secure cookie');
  assert.equal(plain.headers['strict-transport-security'], undefined);
  // Nobody trusted (the default): a client claiming HTTPS changes nothing.
  const forged = await login(direct, 'https');
  assert.equal(forged.cookies.find((c) => c.name === 'vigie_session')!.secure, undefined);
  assert.equal(forged.headers['strict-transport-security'], undefined);
});
