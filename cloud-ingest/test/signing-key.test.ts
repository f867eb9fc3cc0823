/** `PUT /ingest/v1/signing-key`: a box registers the public half of its Kafka signing key. */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import Fastify, { type FastifyInstance } from 'fastify';
import { ingestRoutes } from '../src/index.ts';
import { clearBoxSigningKey } from '../src/kafka/signing-keys.ts';
import { createBox, openTestDb, type BoxFixture, type TestDb } from '@vigie/cloud-store/testing';

let db: TestDb;
let app: FastifyInstance;
let box: BoxFixture;

const newPublicKey = () => generateKeyPairSync('ed25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const put = (body: unknown, token = box.token) =>
  app.inject({ method: 'PUT', url: '/ingest/v1/signing-key', headers: { authorization: `Bearer ${token}` }, payload: body as object });
const stored = async (boxId = box.boxId) =>
  (await db.query<{ k: string | null }>('SELECT signing_public_key AS k FROM boxes WHERE id = $1', [boxId])).rows[0]!.k;

before(async () => {
  db = await openTestDb();
  app = Fastify();
  await app.register(ingestRoutes, { db });
  await app.ready();
  box = await createBox(db);
  await clearBoxSigningKey(db, box.boxId);
});
after(async () => {
  await app.close();
  await db.close();
});

test('keeps the first key a box registers; the same key again is a no-op; another is refused 409', async () => {
  const key = newPublicKey();
  assert.equal((await put({ v: 1, boxId: box.boxId, publicKey: key })).statusCode, 204);
  assert.equal(await stored(), key);
  assert.equal((await put({ v: 1, boxId: box.boxId, publicKey: key })).statusCode, 204);
  const other = await put({ v: 1, boxId: box.boxId, publicKey: newPublicKey() });
  assert.equal(other.statusCode, 409);
  assert.equal(other.json().error.code, 'INGEST_SIGNING_KEY_CONFLICT');
  assert.equal(await stored(), key);
});

test('refuses a key that is not ed25519, and a box registering for another box', async () => {
  const second = await createBox(db);
  await clearBoxSigningKey(db, second.boxId);
  const rsaLike = Buffer.alloc(44, 7).toString('base64');
  const bad = await put({ v: 1, boxId: second.boxId, publicKey: rsaLike }, second.token);
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.json().error.field, '/publicKey');
  assert.equal((await put({ v: 1, boxId: box.boxId, publicKey: newPublicKey() }, second.token)).statusCode, 401);
  assert.equal(await stored(second.boxId), null);
});
