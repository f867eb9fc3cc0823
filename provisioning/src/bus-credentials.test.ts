import { test } from 'node:test';
import assert from 'node:assert/strict';
import { statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { provisioningErrors } from './errors.ts';
import { BUS_CLIENTS, busCredentialsDir, ensureBusCredentials, readBusCredential } from './bus-credentials.ts';
import { provision } from './commands.ts';

test('provisioning gives every process of the box its own bus credential, 0600 in a 0700 folder, and keeps them when run again', () => {
  const dir = tempDir('vigie-buscred-');
  try {
    const boxFile = join(dir.path, 'box', 'box.json');
    provision(boxFile, { boxId: 'VB-TEST-0001', cloudUrl: 'https://cloud.example', token: 't'.repeat(32), patientName: 'Jeanne' });
    const boxDir = join(dir.path, 'box');
    const first = Object.fromEntries(BUS_CLIENTS.map((c) => [c, readBusCredential(boxDir, c)]));
    assert.equal(new Set(Object.values(first)).size, BUS_CLIENTS.length, 'one distinct secret per process');
    assert.equal(statSync(busCredentialsDir(boxDir)).mode & 0o777, 0o700);
    for (const c of BUS_CLIENTS) assert.equal(statSync(join(busCredentialsDir(boxDir), c)).mode & 0o777, 0o600, c);
    assert.deepEqual(ensureBusCredentials(boxDir), first, 'nothing replaced');
  } finally {
    dir.cleanup();
  }
});

test('a missing or malformed bus credential is a catalogued error naming the process, never its value', () => {
  const dir = tempDir('vigie-buscred-');
  try {
    assert.throws(() => readBusCredential(dir.path, 'screen'), (err) => provisioningErrors.is(err, 'PROVISION_BUS_CREDENTIAL_MISSING') && err.details?.client === 'screen');
    ensureBusCredentials(dir.path);
    writeFileSync(join(busCredentialsDir(dir.path), 'screen'), 'short\n');
    assert.throws(() => readBusCredential(dir.path, 'screen'), (err) => provisioningErrors.is(err, 'PROVISION_BUS_CREDENTIAL_MISSING') && !JSON.stringify(err).includes('short'));
  } finally {
    dir.cleanup();
  }
});
