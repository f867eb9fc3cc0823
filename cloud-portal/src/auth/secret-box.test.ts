import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync, mkdirSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commonErrors } from '@vigie/common';
import { decodeSecretsKey, loadCloudConfig, loadSecretsKey, secretsKeyFile } from '../config.ts';
import { openSecret, sealSecret, SecretBox } from './secret-box.ts';

const KEY = randomBytes(32);
const OTHER_KEY = randomBytes(32);
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
const CONTEXT = 'accounts.totp_secret:0b7f4a5e-0000-4000-8000-000000000001';

describe('sealSecret / openSecret', () => {
  test('round-trips a secret, in the versioned format, without the secret in clear', () => {
    const sealed = sealSecret(KEY, SECRET, CONTEXT);
    assert.match(sealed, /^v1:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/);
    assert.ok(!sealed.includes(SECRET));
    assert.deepEqual(openSecret(KEY, sealed, CONTEXT), { ok: true, secret: SECRET, legacy: false });
  });

  test('uses a fresh IV each time: sealing twice gives two different values', () => {
    assert.notEqual(sealSecret(KEY, SECRET, CONTEXT), sealSecret(KEY, SECRET, CONTEXT));
  });

  test('fails closed under another key', () => {
    assert.deepEqual(openSecret(OTHER_KEY, sealSecret(KEY, SECRET, CONTEXT), CONTEXT), { ok: false, reason: 'undecryptable' });
  });

  test('fails on tampered ciphertext, tag or IV', () => {
    const [version, iv, data] = sealSecret(KEY, SECRET, CONTEXT).split(':') as [string, string, string];
    const flip = (b64: string, at: number) => {
      const bytes = Buffer.from(b64, 'base64');
      bytes[at]! ^= 0x01;
      return bytes.toString('base64');
    };
    const dataLength = Buffer.from(data, 'base64').length;
    for (const tampered of [
      `${version}:${iv}:${flip(data, 0)}`, // ciphertext
      `${version}:${iv}:${flip(data, dataLength - 1)}`, // tag
      `${version}:${flip(iv, 0)}:${data}`, // IV
    ]) {
      assert.deepEqual(openSecret(KEY, tampered, CONTEXT), { ok: false, reason: 'undecryptable' });
    }
  });

  test('is bound to its context: a value copied onto another account does not open', () => {
    const sealed = sealSecret(KEY, SECRET, CONTEXT);
    assert.deepEqual(openSecret(KEY, sealed, 'accounts.totp_secret:0b7f4a5e-0000-4000-8000-000000000002'), { ok: false, reason: 'undecryptable' });
  });

  test('answers a legacy base32 plaintext as is, flagged legacy, even without a key', () => {
    assert.deepEqual(openSecret(null, SECRET, CONTEXT), { ok: true, secret: SECRET, legacy: true });
    assert.deepEqual(openSecret(KEY, 'JBSWY3DPEHPK3PXP', CONTEXT), { ok: true, secret: 'JBSWY3DPEHPK3PXP', legacy: true });
  });

  test('refuses anything else: malformed v1, unknown versions, non-base32 text, a sealed value without a key', () => {
    const sealed = sealSecret(KEY, SECRET, CONTEXT);
    assert.deepEqual(openSecret(KEY, 'v1:abc', CONTEXT), { ok: false, reason: 'malformed' });
    assert.deepEqual(openSecret(KEY, `${sealed}:extra`, CONTEXT), { ok: false, reason: 'malformed' });
    assert.deepEqual(openSecret(KEY, `v1:${randomBytes(8).toString('base64')}:${randomBytes(40).toString('base64')}`, CONTEXT), { ok: false, reason: 'malformed' });
    assert.deepEqual(openSecret(KEY, sealed.replace(/^v1:/, 'v2:'), CONTEXT), { ok: false, reason: 'unknown_format' });
    assert.deepEqual(openSecret(KEY, 'not a secret', CONTEXT), { ok: false, reason: 'unknown_format' });
    assert.deepEqual(openSecret(KEY, '', CONTEXT), { ok: false, reason: 'unknown_format' });
    assert.deepEqual(openSecret(null, sealed, CONTEXT), { ok: false, reason: 'no_key' });
  });
});

describe('the secrets key (config)', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-secrets-'));
    dirs.push(dir);
    return dir;
  };
  after(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('accepts exactly the base64 of 32 bytes', () => {
    const b64 = KEY.toString('base64');
    assert.deepEqual(decodeSecretsKey(b64), KEY);
    assert.deepEqual(decodeSecretsKey(` ${b64}\n`), KEY);
    for (const bad of ['', 'abc', randomBytes(31).toString('base64'), randomBytes(33).toString('base64'), b64.slice(0, -1), b64.replace(/=$/, ''), `${b64}x`, KEY.toString('hex'), KEY.toString('base64url')]) {
      assert.equal(decodeSecretsKey(bad), null, bad);
    }
  });

  test('refuses to start on an invalid VIGIE_SECRETS_KEY, naming the variable and not echoing its value', () => {
    const value = randomBytes(16).toString('base64');
    assert.throws(
      () => loadCloudConfig({ VIGIE_SECRETS_KEY: value }),
      (err: unknown) => commonErrors.is(err, 'CONFIG_INVALID') && /VIGIE_SECRETS_KEY: must be the base64 of exactly 32 bytes/.test(err.message) && !err.message.includes(value),
    );
    assert.equal(loadCloudConfig({ VIGIE_SECRETS_KEY: '' }).VIGIE_SECRETS_KEY, undefined, 'empty means unset');
  });

  test('uses VIGIE_SECRETS_KEY when set and writes no key file', async () => {
    const dir = tempDir();
    const config = loadCloudConfig({ VIGIE_DATA_DIR: dir, VIGIE_SECRETS_KEY: KEY.toString('base64') });
    assert.deepEqual(await loadSecretsKey(config, { create: true }), KEY);
    assert.deepEqual(readdirSync(dir), []);
  });

  test('without it, creates the key file once (mode 0600, 32 random bytes in base64) and reuses it', async () => {
    const config = loadCloudConfig({ VIGIE_DATA_DIR: tempDir() });
    const file = secretsKeyFile(config);
    assert.equal(await loadSecretsKey(config, { create: false }), null, 'not created unless asked');
    const [a, b] = await Promise.all([loadSecretsKey(config, { create: true }), loadSecretsKey(config, { create: true })]);
    assert.ok(a && b);
    assert.deepEqual(a, b, 'two instances creating it at once read one key');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.deepEqual(decodeSecretsKey(readFileSync(file, 'utf8')), a);
    assert.deepEqual(await loadSecretsKey(config, { create: true }), a, 'reused, not replaced');
    assert.deepEqual(await loadSecretsKey(config, { create: false }), a);
    assert.deepEqual(readdirSync(join(file, '..')), ['secrets.key'], 'no temporary file left behind');
  });

  test('refuses an invalid key file with CONFIG_INVALID naming it', async () => {
    const config = loadCloudConfig({ VIGIE_DATA_DIR: tempDir() });
    const file = secretsKeyFile(config);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, 'not-a-key\n', { mode: 0o600 });
    await assert.rejects(SecretBox.forConfig(config), (err: unknown) => commonErrors.is(err, 'CONFIG_INVALID') && err.message.includes(file) && err.message.includes('VIGIE_SECRETS_KEY'));
    await assert.rejects(loadSecretsKey(config, { create: true }), (err: unknown) => commonErrors.is(err, 'CONFIG_INVALID'));
    assert.equal(readFileSync(file, 'utf8'), 'not-a-key\n', 'never overwritten');
  });
});

describe('SecretBox', () => {
  test('creates the key file on the first seal only, and another box on the same directory opens the value', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-secrets-'));
    try {
      const config = loadCloudConfig({ VIGIE_DATA_DIR: dir });
      const first = await SecretBox.forConfig(config);
      const second = await SecretBox.forConfig(config); // built before the key exists (e.g. the admin listener)
      assert.deepEqual(await first.open(SECRET, CONTEXT), { ok: true, secret: SECRET, legacy: true });
      assert.deepEqual(readdirSync(dir), [], 'opening a legacy value creates nothing');
      const sealed = await first.seal(SECRET, CONTEXT);
      assert.equal(statSync(secretsKeyFile(config)).mode & 0o777, 0o600);
      assert.deepEqual(await second.open(sealed, CONTEXT), { ok: true, secret: SECRET, legacy: false });
      assert.deepEqual(await (await SecretBox.forConfig(config)).open(sealed, CONTEXT), { ok: true, secret: SECRET, legacy: false }, 'after a restart');
      const elsewhere = await SecretBox.forConfig(loadCloudConfig({ VIGIE_DATA_DIR: join(dir, 'other') }));
      assert.deepEqual(await elsewhere.open(sealed, CONTEXT), { ok: false, reason: 'no_key' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
