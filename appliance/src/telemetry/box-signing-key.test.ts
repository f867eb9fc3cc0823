import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { chmodSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { boxErrors } from '../errors.ts';
import { boxSigningKeyFromPem, boxSigningKeyPath, loadOrCreateBoxSigningKey, signKafkaMessage } from './box-signing-key.ts';

test('creates the signing key at first start, readable by the box user only, and reuses it afterwards', () => {
  const dir = tempDir();
  try {
    const path = boxSigningKeyPath(join(dir.path, 'box', 'box.json'));
    const first = loadOrCreateBoxSigningKey(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(statSync(join(dir.path, 'box')).mode & 0o777, 0o700);
    const again = loadOrCreateBoxSigningKey(path);
    assert.equal(again.publicKey, first.publicKey);
    assert.match(first.publicKey, /^[A-Za-z0-9+/]{59}=$/);
    // The public half verifies what the private half signs.
    const value = Buffer.from('{"v":1}');
    const publicKey = createPublicKey({ key: Buffer.from(first.publicKey, 'base64'), format: 'der', type: 'spki' });
    assert.ok(verify(null, value, publicKey, Buffer.from(signKafkaMessage(first, value), 'hex')));
  } finally {
    dir.cleanup();
  }
});

test('refuses a key file other users can read, and a file that is not an ed25519 private key', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'kafka-signing-key.pem');
    loadOrCreateBoxSigningKey(path);
    chmodSync(path, 0o644);
    assert.throws(() => loadOrCreateBoxSigningKey(path), (err) => boxErrors.is(err, 'BOX_SIGNING_KEY_INVALID') && /chmod 600/.test(err.message));
    chmodSync(path, 0o600);
    assert.ok(readFileSync(path, 'utf8').includes('PRIVATE KEY'));
    writeFileSync(path, 'not a key', { mode: 0o600 });
    assert.throws(() => loadOrCreateBoxSigningKey(path), (err) => boxErrors.is(err, 'BOX_SIGNING_KEY_INVALID'));
    assert.throws(() => boxSigningKeyFromPem(''), (err) => boxErrors.is(err, 'BOX_SIGNING_KEY_INVALID'));
  } finally {
    dir.cleanup();
  }
});
