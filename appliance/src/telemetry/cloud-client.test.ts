/**
 * The box's HTTPS client against real TLS servers: the pinned development CA is trusted, an
 * unknown certificate is refused, plain HTTP is refused off this machine, and cloud answers map
 * onto the box's error catalogue (which the uplink's retry policy keys on).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { generateDevTls, type DevTlsMaterial } from '@vigie/common/dev-tls';
import { SCHEMA_VERSION } from '@vigie/protocol';
import { boxErrors } from '../errors.ts';
import { HttpCloudClient, plaintextAllowed } from './cloud-client.ts';

const batch = { v: SCHEMA_VERSION, boxId: 'VB-TLS-0001', seq: 1, createdAt: Date.now(), braceletId: 'BR-1', readings: [] };

async function tlsServer(
  material: DevTlsMaterial,
  answer: (path: string, auth: string | undefined, body: string) => { status: number; body?: unknown },
): Promise<{ url: string; server: Server }> {
  const server = createServer({ cert: material.cert, key: material.key }, (req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (d: string) => (body += d));
    req.on('end', () => {
      const a = answer(req.url ?? '', req.headers.authorization, body);
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body === undefined ? '' : JSON.stringify(a.body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

test('sends over TLS to a cloud signed by the pinned CA, with the box token', async (t) => {
  const material = await generateDevTls();
  const seen: Array<{ path: string; auth: string | undefined; body: string }> = [];
  const { url, server } = await tlsServer(material, (path, auth, body) => {
    seen.push({ path, auth, body });
    return { status: 200, body: { v: SCHEMA_VERSION, boxId: batch.boxId, seq: 1, accepted: 0, duplicate: false } };
  });
  t.after(() => server.close());
  const client = new HttpCloudClient({ baseUrl: `${url}/`, token: 'box-token-0123456789', ca: material.ca });
  t.after(() => client.close());
  const receipt = await client.sendTelemetry(batch);
  assert.equal(receipt.seq, 1);
  assert.equal(seen[0]!.path, '/ingest/v1/telemetry');
  assert.equal(seen[0]!.auth, 'Bearer box-token-0123456789');
  assert.deepEqual(JSON.parse(seen[0]!.body), batch);
});

test('refuses a certificate not signed by the pinned CA (nothing is sent)', async (t) => {
  const cloud = await generateDevTls();
  const other = await generateDevTls();
  let requests = 0;
  const { url, server } = await tlsServer(cloud, () => {
    requests++;
    return { status: 200 };
  });
  t.after(() => server.close());
  const client = new HttpCloudClient({ baseUrl: url, token: 'box-token-0123456789', ca: other.ca });
  t.after(() => client.close());
  await assert.rejects(client.sendTelemetry(batch), (err: unknown) => boxErrors.is(err, 'BOX_CLOUD_UNREACHABLE'));
  // No pinned CA: the system roots do not know a private CA either.
  const unpinned = new HttpCloudClient({ baseUrl: url, token: 'box-token-0123456789' });
  t.after(() => unpinned.close());
  await assert.rejects(unpinned.sendHeartbeat({} as never), (err: unknown) => boxErrors.is(err, 'BOX_CLOUD_UNREACHABLE'));
  assert.equal(requests, 0);
});

test('refuses plain HTTP except to this machine', () => {
  assert.throws(
    () => new HttpCloudClient({ baseUrl: 'http://cloud.example', token: 'box-token-0123456789' }),
    (err: unknown) => boxErrors.is(err, 'BOX_CLOUD_PLAINTEXT_REFUSED'),
  );
  assert.equal(plaintextAllowed(new URL('http://127.0.0.1:8080')), true);
  assert.equal(plaintextAllowed(new URL('http://localhost:8080')), true);
  assert.equal(plaintextAllowed(new URL('http://[::1]:8080')), true);
  assert.equal(plaintextAllowed(new URL('http://127.0.0.1.example:8080')), false);
  assert.equal(plaintextAllowed(new URL('https://cloud.example')), false);
});

test('maps the cloud answers onto the error catalogue', async (t) => {
  const material = await generateDevTls();
  const answers = [
    { status: 401, body: { error: { code: 'INGEST_UNAUTHORIZED' } } },
    { status: 400, body: { error: { code: 'INGEST_SCHEMA_INVALID', field: '/readings/0/value' } } },
    { status: 413 },
    { status: 503 },
  ];
  const { url, server } = await tlsServer(material, () => answers.shift()!);
  t.after(() => server.close());
  const client = new HttpCloudClient({ baseUrl: url, token: 'box-token-0123456789', ca: material.ca });
  t.after(() => client.close());
  await assert.rejects(client.sendTelemetry(batch), (err: unknown) => boxErrors.is(err, 'BOX_CLOUD_UNAUTHORIZED'));
  await assert.rejects(
    client.sendTelemetry(batch),
    (err: unknown) => boxErrors.is(err, 'BOX_CLOUD_REJECTED') && err.details?.field === '/readings/0/value' && err.details.status === 400,
  );
  await assert.rejects(client.sendTelemetry(batch), (err: unknown) => boxErrors.is(err, 'BOX_CLOUD_REJECTED') && err.details?.status === 413);
  await assert.rejects(client.sendTelemetry(batch), (err: unknown) => boxErrors.is(err, 'BOX_CLOUD_UNREACHABLE'));
});
