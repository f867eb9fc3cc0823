/**
 * The shipped production reverse-proxy configuration (`cloud-portal/deploy/nginx/vigie-portal.conf`) in front
 * of a real `vigie-cloud`, with a real nginx terminating TLS (the development CA's certificate):
 * HTTP redirects to HTTPS, answers carry HSTS, the session cookie is Secure, and a client's forged
 * X-Forwarded-For does not get it past the per-IP login limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import { request } from 'node:https';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { silentLogger } from '@vigie/common';
import { ensureDevTls } from '@vigie/common/dev-tls';
import { freePort, skipUnlessTool, tempDir, waitUntil } from '@vigie/common/testing';
import { HSTS, LOGIN_RATE_LIMIT, loadCloudConfig } from '@vigie/cloud-portal';
import { startCloud } from '../src/server.ts';
import { ownDatabaseUrl } from '@vigie/cloud-store/testing';

/** DATABASE_URL set: a database of this file's own (its login counters are not other files'). */
const databaseEnv = async () => {
  const url = await ownDatabaseUrl();
  return url ? { DATABASE_URL: url } : {};
};


const SHIPPED = resolve(import.meta.dirname, '../../cloud-portal/deploy/nginx/vigie-portal.conf');

/** The shipped file with this test's ports and certificate; every edit must find its target. */
function render(ports: { portal: number; http: number; https: number }, tls: { certFile: string; keyFile: string }): string {
  let conf = readFileSync(SHIPPED, 'utf8');
  const edit = (from: string | RegExp, to: string) => {
    assert.ok(typeof from === 'string' ? conf.includes(from) : from.test(conf), `the shipped config still has ${String(from)}`);
    conf = conf.replace(from, to);
  };
  edit('server 127.0.0.1:8080;', `server 127.0.0.1:${ports.portal};`);
  edit(/^\s*listen \[::\]:80;\n/m, '');
  edit(/^\s*listen \[::\]:443 ssl http2;\n/m, '');
  edit('listen 80;', `listen 127.0.0.1:${ports.http};`);
  edit('listen 443 ssl http2;', `listen 127.0.0.1:${ports.https} ssl http2;`);
  edit('/etc/vigie/tls/fullchain.pem', tls.certFile);
  edit('/etc/vigie/tls/privkey.pem', tls.keyFile);
  return conf;
}

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

function httpsCall(url: string, ca: string, method: 'GET' | 'POST', body?: object, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((done, reject) => {
    const req = request(url, { method, ca, headers: { 'content-type': 'application/json', 'x-vigie-csrf': '1', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => done({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body ? JSON.stringify(body) : undefined);
  });
}

const accepts = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      done(true);
    });
    socket.on('error', () => done(false));
  });

test('the shipped nginx configuration terminates TLS for the portal: redirect, HSTS, Secure cookie, real client address', { skip: skipUnlessTool('nginx', 'nginx-light'), timeout: 60_000 }, async (t) => {
  const dir = tempDir('vigie-nginx-');
  t.after(dir.cleanup);
  const tls = await ensureDevTls(join(dir.path, 'tls'));
  const ca = readFileSync(tls.caFile, 'utf8');
  const config = loadCloudConfig({
    VIGIE_DATA_DIR: dir.path,
    PORT: '0',
    VIGIE_TRUST_PROXY: 'loopback',
    VIGIE_DEMO: '1',
    VIGIE_DEMO_BOX_TOKEN: 'nginx-test-token-0123456789',
    ...(await databaseEnv()),
  });
  const cloud = await startCloud({ config, log: silentLogger(), roles: { ingest: true, portal: true } });
  t.after(() => cloud.stop());

  const ports = { portal: Number(new URL(cloud.url).port), http: await freePort(), https: await freePort() };
  writeFileSync(join(dir.path, 'vigie-portal.conf'), render(ports, tls));
  // A minimal main configuration around the shipped `http` snippet, all state in the temp dir.
  writeFileSync(
    join(dir.path, 'nginx.conf'),
    `daemon off;\nmaster_process off;\npid ${dir.path}/nginx.pid;\nerror_log ${dir.path}/error.log warn;\nevents {}\n` +
      `http {\n  access_log off;\n` +
      ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${dir.path}/${k};\n`).join('') +
      `  include ${dir.path}/vigie-portal.conf;\n}\n`,
  );
  const nginx = spawn('nginx', ['-p', dir.path, '-c', join(dir.path, 'nginx.conf')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  nginx.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  t.after(() => {
    nginx.kill('SIGTERM');
  });
  await waitUntil(async () => (await accepts(ports.https)) || nginx.exitCode !== null, 'nginx listening', 15_000, 50);
  assert.equal(nginx.exitCode, null, `nginx stopped: ${stderr}`);
  const base = `https://127.0.0.1:${ports.https}`;

  // Plain HTTP redirects to HTTPS.
  const redirect = await fetch(`http://127.0.0.1:${ports.http}/login`, { redirect: 'manual' });
  assert.equal(redirect.status, 301);
  assert.match(redirect.headers.get('location') ?? '', /^https:\/\/127\.0\.0\.1\/login$/);

  // HTTPS through nginx: the portal knows it is HTTPS (trusted loopback proxy).
  const me = await httpsCall(`${base}/api/me`, ca, 'GET');
  assert.equal(me.status, 401);
  assert.equal(me.headers['strict-transport-security'], HSTS);
  const login = await httpsCall(`${base}/api/auth/login`, ca, 'POST', { email: 'docteur@vigie.demo', password: 'demo-docteur' });
  assert.equal(login.status, 200, login.body);
  assert.match([login.headers['set-cookie']].flat().join('\n'), /vigie_session=[^;]+;.*Secure/);

  // A client writing its own X-Forwarded-For is still one address: the per-IP limit holds.
  let limited = 0;
  for (let i = 0; i < LOGIN_RATE_LIMIT.max; i++) {
    const res = await httpsCall(`${base}/api/auth/login`, ca, 'POST', { email: `flood${i}@test.example`, password: 'x' }, { 'x-forwarded-for': `198.51.100.${i + 1}` });
    if (res.status === 429) limited++;
  }
  assert.ok(limited >= 1, `${limited} refused: the forged addresses were believed`);
});
