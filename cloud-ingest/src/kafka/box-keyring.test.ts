import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, createHmac, createPrivateKey, sign } from 'node:crypto';
import { createBox, openTestDb, signBoxMessage, type BoxFixture, type TestDb } from '@vigie/cloud-store/testing';
import { BoxKeyring } from './box-keyring.ts';

let db: TestDb;
let box: BoxFixture;
const value = Buffer.from('{"v":1,"boxId":"x","seq":1}');

before(async () => {
  db = await openTestDb();
  box = await createBox(db);
});
after(async () => {
  await db.close();
});

/** Everything the database holds about the box: what an attacker with a copy of it knows. */
async function leakedRow(): Promise<Record<string, unknown>> {
  const { rows } = await db.query<Record<string, unknown>>('SELECT * FROM boxes WHERE id = $1', [box.boxId]);
  return rows[0]!;
}

test('accepts a message signed with the box own ed25519 key', async () => {
  const keyring = new BoxKeyring(db);
  assert.deepEqual(await keyring.verify(box.boxId, box.boxId, signBoxMessage(box, value), value), { boxId: box.boxId });
});

test('rejects a message signed with a key derived from the database contents alone', async () => {
  const keyring = new BoxKeyring(db);
  const row = await leakedRow();
  // The former scheme: HMAC-SHA256 keyed by the stored token hash.
  const hmac = createHmac('sha256', String(row.token_hash)).update(value).digest('hex');
  assert.ok('failure' in (await keyring.verify(box.boxId, box.boxId, hmac, value)));
  assert.ok('failure' in (await keyring.verify(box.boxId, box.boxId, hmac + hmac, value)));
  // An ed25519 key whose seed is derived from what the row holds (token hash, public key).
  for (const material of [row.token_hash, row.signing_public_key]) {
    const seed = createHash('sha256').update(String(material)).digest();
    const forged = createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), seed]), format: 'der', type: 'pkcs8' });
    const signature = sign(null, value, forged).toString('hex');
    assert.deepEqual(await keyring.verify(box.boxId, box.boxId, signature, value), { failure: 'bad_signature' });
  }
});

test('rejects a tampered message and a signature of another box', async () => {
  const keyring = new BoxKeyring(db);
  const signature = signBoxMessage(box, value);
  const tampered = Buffer.from(value.toString().replace('"seq":1', '"seq":2'));
  assert.deepEqual(await keyring.verify(box.boxId, box.boxId, signature, tampered), { failure: 'bad_signature' });
  const other = await createBox(db);
  assert.deepEqual(await keyring.verify(box.boxId, box.boxId, signBoxMessage(other, value), value), { failure: 'bad_signature' });
});

test('a box that has not registered a signing key cannot be heard on Kafka; an unknown box neither', async () => {
  const keyring = new BoxKeyring(db);
  const unregistered = await createBox(db);
  await db.query('UPDATE boxes SET signing_public_key = NULL WHERE id = $1', [unregistered.boxId]);
  const signature = signBoxMessage(unregistered, value);
  assert.deepEqual(await keyring.verify(unregistered.boxId, unregistered.boxId, signature, value), { failure: 'no_signing_key' });
  assert.deepEqual(await keyring.verify('VB-NOBODY', 'VB-NOBODY', signature, value), { failure: 'unknown_box' });
  assert.deepEqual(await keyring.verify(box.boxId, box.boxId, 'ab'.repeat(32), value), { failure: 'missing_signature' });
});
