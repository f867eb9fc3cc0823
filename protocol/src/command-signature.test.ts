import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { commandPublicKeyOf, parseCommandSigningKey, signBoxCommand, verifyBoxCommand } from './command-signature.ts';
import { BoxCommand } from './messages/box-config.ts';
import { validate } from './validate.ts';

const key = generateKeyPairSync('ed25519').privateKey;
const pub = commandPublicKeyOf(key);
const command = { v: 1 as const, commandId: '0b6f7a5e-2f0c-4c8e-9a57-0f6c1d2e3f40', kind: 'acknowledge_alert' as const, alertId: '1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f', by: 'Sophie Bernard', at: 1_764_000_000_000 };

test('a command signed by the cloud for this box verifies, and still matches the wire schema', () => {
  const signed = signBoxCommand(key, 'VB-1', command);
  assert.equal(verifyBoxCommand(pub, 'VB-1', signed), null);
  assert.equal(validate(BoxCommand, signed).ok, true);
});

test('a command for another box, altered, unsigned, or signed by another key is refused with its reason', () => {
  const signed = signBoxCommand(key, 'VB-1', command);
  assert.equal(verifyBoxCommand(pub, 'VB-2', signed), 'invalid');
  for (const field of ['by', 'alertId', 'commandId'] as const) {
    const altered = { ...signed, [field]: field === 'by' ? 'Intrus' : '2c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f' };
    assert.equal(verifyBoxCommand(pub, 'VB-1', altered), 'invalid', field);
  }
  assert.equal(verifyBoxCommand(pub, 'VB-1', { ...signed, at: signed.at + 1 }), 'invalid');
  assert.equal(verifyBoxCommand(pub, 'VB-1', command), 'missing');
  const other = generateKeyPairSync('ed25519').privateKey;
  assert.equal(verifyBoxCommand(pub, 'VB-1', signBoxCommand(other, 'VB-1', command)), 'invalid');
  assert.equal(verifyBoxCommand(undefined, 'VB-1', signed), 'no_key');
  assert.equal(verifyBoxCommand('bm90IGEga2V5', 'VB-1', signed), 'bad_key');
});

test('the signing key reads from PEM or base64 PKCS#8, and only ed25519', () => {
  const pem = key.export({ format: 'pem', type: 'pkcs8' }).toString();
  const der = key.export({ format: 'der', type: 'pkcs8' }).toString('base64');
  assert.equal(commandPublicKeyOf(parseCommandSigningKey(pem)), pub);
  assert.equal(commandPublicKeyOf(parseCommandSigningKey(der)), pub);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.throws(() => parseCommandSigningKey(ec), /ed25519/);
});
