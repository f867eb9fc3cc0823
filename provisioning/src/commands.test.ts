import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { statSync, writeFileSync } from 'node:fs';
import { tempDir } from '@vigie/common/testing';
import { VigieError } from '@vigie/common';
import { addContact, provision, provisioningErrors, readBoxFile, removeContact } from './index.ts';

const valid = { boxId: 'VB-2026-000123', cloudUrl: 'https://cloud.example', token: 'x'.repeat(32), patientName: 'Jeanne Dupont' };

test('provisions a box, then adds and removes contacts, keeping the file private', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'box', 'box.json');
    provision(path, valid);
    addContact(path, { name: 'Sophie Bernard', phone: '+33639980001', role: 'nurse' });
    addContact(path, { name: 'Paul Dupont', phone: '+33639980002', role: 'relative' });
    assert.deepEqual(readBoxFile(path).contacts.map((c) => c.name), ['Sophie Bernard', 'Paul Dupont']);
    removeContact(path, '+33639980001');
    assert.deepEqual(readBoxFile(path).contacts.map((c) => c.name), ['Paul Dupont']);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    provision(path, { ...valid, token: 'y'.repeat(32) });
    assert.equal(readBoxFile(path).contacts.length, 1, 're-provisioning keeps contacts');
  } finally {
    dir.cleanup();
  }
});

test('says which option to fix when input is wrong', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'box.json');
    provision(path, valid);
    assert.throws(
      // A national number is read in the box's region (issue 10); one too short is refused.
      () => addContact(path, { name: 'Paul', phone: '063998' }),
      (err: unknown) => err instanceof VigieError && err.code === 'PROVISION_INPUT_INVALID' && /--phone: .*international/.test(err.message),
    );
    assert.throws(() => provision(path, { ...valid, cloudUrl: 'ftp://x' }), /--cloudUrl/);
    // Health data never crosses a network in clear: http:// only to this machine.
    assert.throws(() => provision(path, { ...valid, cloudUrl: 'http://cloud.example' }), /--cloudUrl: cloud URL must be https/);
    assert.throws(() => provision(path, { ...valid, cloudUrl: 'http://127.0.0.1.evil.example' }), /--cloudUrl/);
    provision(path, { ...valid, cloudUrl: 'http://127.0.0.1:8080' });
  } finally {
    dir.cleanup();
  }
});

test('reports a box file that is not JSON or not valid, naming the problems', () => {
  const dir = tempDir();
  try {
    const path = join(dir.path, 'box.json');
    writeFileSync(path, '{ nope');
    assert.throws(() => readBoxFile(path), (err: unknown) => err instanceof VigieError && err.code === 'PROVISION_FILE_INVALID');
    writeFileSync(path, JSON.stringify({ version: 1, boxId: 'VB-1', contacts: [] }));
    assert.throws(() => readBoxFile(path), /cloudUrl/);
  } finally {
    dir.cleanup();
  }
});

// issue 10: contacts are normalised to E.164 in the box's region, as reply senders are.
test('contacts set through the CLI are normalised to E.164 in the box region and invalid numbers are refused', () => {
  const dir = tempDir('vigie-prov-phone-');
  try {
    const path = join(dir.path, 'box.json');
    provision(path, { boxId: 'VB-TEST-0001', cloudUrl: 'https://cloud.example', token: 't'.repeat(32), patientName: 'Jeanne' });
    assert.equal(readBoxFile(path).region, 'FR');
    assert.equal(addContact(path, { name: 'Sophie', phone: '06 39 98 00 01' }).contacts[0]!.phone, '+33639980001');
    // The same number written another way replaces the contact rather than adding a second.
    assert.equal(addContact(path, { name: 'Sophie B', phone: '0033639980001' }).contacts.length, 1);
    assert.throws(() => addContact(path, { name: 'X', phone: '12345' }), (err) => provisioningErrors.is(err, 'PROVISION_INPUT_INVALID') && /--phone/.test(err.message));
    assert.throws(() => addContact(path, { name: 'X', phone: '+33 1' }), (err) => provisioningErrors.is(err, 'PROVISION_INPUT_INVALID'));
    removeContact(path, '0639980001');
    assert.equal(readBoxFile(path).contacts.length, 0);
    provision(path, { boxId: 'VB-TEST-0001', cloudUrl: 'https://cloud.example', token: 't'.repeat(32), patientName: 'Jeanne', region: 'BE' });
    assert.equal(addContact(path, { name: 'Luc', phone: '0470 12 34 56' }).contacts[0]!.phone, '+32470123456');
    assert.throws(() => provision(path, { boxId: 'VB-TEST-0001', cloudUrl: 'https://cloud.example', token: 't'.repeat(32), patientName: 'J', region: 'XX' }), (err) => provisioningErrors.is(err, 'PROVISION_INPUT_INVALID'));
  } finally {
    dir.cleanup();
  }
});
