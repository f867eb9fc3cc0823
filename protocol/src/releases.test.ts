import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import {
  compareVersions,
  parseReleaseSigningKey,
  releaseApplies,
  releasePublicKeyOf,
  signReleaseManifest,
  SignedReleaseManifest,
  verifyReleaseManifest,
  type ReleaseKeyring,
  type ReleaseManifest,
} from './releases.ts';
import { validate } from './validate.ts';

const key = generateKeyPairSync('ed25519').privateKey;
const other = generateKeyPairSync('ed25519').privateKey;
const keyring: ReleaseKeyring = { keys: [{ keyId: 'release-2026', publicKey: releasePublicKeyOf(key) }] };
const manifest: ReleaseManifest = {
  v: 1, kind: 'box', version: '1.4.0', hardware: ['rpi4-sim7600'], minVersion: '1.2.0',
  changelog: 'Correctifs', sha256: 'a'.repeat(64), size: 1234, createdAt: '2026-12-08T00:00:00.000Z',
};

test('a manifest signed with a key of the keyring verifies and matches the wire schema', () => {
  const signed = signReleaseManifest(key, 'release-2026', manifest);
  assert.equal(verifyReleaseManifest(keyring, signed), null);
  assert.equal(validate(SignedReleaseManifest, signed).ok, true);
});

test('an altered manifest, another key, an unknown or retired key id are refused with their reason', () => {
  const signed = signReleaseManifest(key, 'release-2026', manifest);
  assert.equal(verifyReleaseManifest(keyring, { ...signed, manifest: { ...manifest, sha256: 'b'.repeat(64) } }), 'invalid');
  assert.equal(verifyReleaseManifest(keyring, { ...signed, manifest: { ...manifest, hardware: ['other-hw'] } }), 'invalid');
  assert.equal(verifyReleaseManifest(keyring, signReleaseManifest(other, 'release-2026', manifest)), 'invalid');
  assert.equal(verifyReleaseManifest(keyring, { ...signed, keyId: 'release-2027' }), 'unknown_key');
  assert.equal(verifyReleaseManifest({ keys: [{ ...keyring.keys[0]!, retired: true }] }, signed), 'retired_key');
});

test('a rotated keyring verifies releases signed with either of its live keys', () => {
  const rotated: ReleaseKeyring = { keys: [...keyring.keys, { keyId: 'release-2027', publicKey: releasePublicKeyOf(other) }] };
  assert.equal(verifyReleaseManifest(rotated, signReleaseManifest(key, 'release-2026', manifest)), null);
  assert.equal(verifyReleaseManifest(rotated, signReleaseManifest(other, 'release-2027', manifest)), null);
});

test('versions compare numerically, and a release applies only to its kind, hardware and version range', () => {
  assert.equal(compareVersions('1.10.0', '1.9.9'), 1);
  assert.equal(compareVersions('1.2.0', '1.2.0'), 0);
  assert.equal(compareVersions('0.9.0', '1.0.0'), -1);
  const device = { kind: 'box' as const, hardware: 'rpi4-sim7600', installed: '1.3.0' };
  assert.equal(releaseApplies(manifest, device), null);
  assert.equal(releaseApplies(manifest, { ...device, kind: 'bracelet-firmware' }), 'wrong_kind');
  assert.equal(releaseApplies(manifest, { ...device, hardware: 'rpi3' }), 'wrong_hardware');
  assert.equal(releaseApplies(manifest, { ...device, installed: '1.1.9' }), 'below_min_version');
  assert.equal(releaseApplies(manifest, { ...device, installed: '1.4.0' }), 'not_newer');
  assert.equal(releaseApplies(manifest, { ...device, installed: '2.0.0' }), 'not_newer');
});

test('the signing key is read from PEM or base64 PKCS#8, and anything but ed25519 is refused', () => {
  const pem = key.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.equal(releasePublicKeyOf(parseReleaseSigningKey(pem)), releasePublicKeyOf(key));
  assert.equal(releasePublicKeyOf(parseReleaseSigningKey(key.export({ format: 'der', type: 'pkcs8' }).toString('base64'))), releasePublicKeyOf(key));
  const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  assert.throws(() => parseReleaseSigningKey(rsa), /ed25519/);
});
