import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { statSync } from 'node:fs';
import { dirname } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { commandPublicKeyOf, commandSigningKeyFile, loadCommandSigningKey } from './command-signing-key.ts';

test('creates the command signing key at first start, 0600 in a 0700 folder, and keeps it across starts', () => {
  const dir = tempDir('vigie-cmdkey-');
  try {
    const first = loadCommandSigningKey({ dataDir: dir.path, env: {} });
    const file = commandSigningKeyFile(dir.path);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    assert.equal(statSync(dirname(file)).mode & 0o777, 0o700);
    assert.equal(commandPublicKeyOf(loadCommandSigningKey({ dataDir: dir.path, env: {} })), commandPublicKeyOf(first));
  } finally {
    dir.cleanup();
  }
});

test('VIGIE_COMMAND_SIGNING_KEY wins over the key file', () => {
  const dir = tempDir('vigie-cmdkey-');
  try {
    const key = generateKeyPairSync('ed25519').privateKey;
    const env = { VIGIE_COMMAND_SIGNING_KEY: key.export({ format: 'der', type: 'pkcs8' }).toString('base64') };
    assert.equal(commandPublicKeyOf(loadCommandSigningKey({ dataDir: dir.path, env })), commandPublicKeyOf(key));
  } finally {
    dir.cleanup();
  }
});
