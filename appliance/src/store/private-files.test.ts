import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { provision } from '@vigie/provisioning';
import { openBoxDatabase } from './database.ts';
import { ModemEmulator } from '../modem/emulator/modem-emulator.ts';
import { encodeSubmit } from '../modem/pdu.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;
let dir: string;
let umask: number;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-box-perms-'));
  umask = process.umask(0o022);
});
after(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

test("the box's SQLite store, with its -wal and -shm files, is 0600 in a 0700 folder", () => {
  const path = join(dir, 'box', 'box.db');
  const db = openBoxDatabase(path);
  try {
    db.exec('CREATE TABLE IF NOT EXISTS perms_probe (x)');
    db.exec('INSERT INTO perms_probe VALUES (1)');
    assert.equal(modeOf(join(dir, 'box')), 0o700);
    for (const file of ['box.db', 'box.db-wal', 'box.db-shm']) {
      assert.ok(existsSync(join(dir, 'box', file)), file);
      assert.equal(modeOf(join(dir, 'box', file)), 0o600, file);
    }
  } finally {
    db.close();
  }
});

test('the box file (token) is 0600 in a 0700 folder', () => {
  const path = join(dir, 'prov', 'box.json');
  provision(path, { boxId: 'VB-PERM-0001', cloudUrl: 'https://cloud.test', token: 'x'.repeat(32), patientName: 'Pat' });
  assert.equal(modeOf(join(dir, 'prov')), 0o700);
  assert.equal(modeOf(path), 0o600);
});

test("the modem emulator's record of sent SMS (phone numbers) is 0600 in a 0700 folder", () => {
  const file = join(dir, 'modem-emulator', 'sms.jsonl');
  const modem = new ModemEmulator({ recordFile: file });
  modem.write(Buffer.from('ATE0\r', 'latin1'));
  const [part] = encodeSubmit('+33639980001', 'ALERTE Vigie : chute', { reference: 1 });
  modem.write(Buffer.from(`AT+CMGS=${part!.length}\r`, 'latin1'));
  modem.write(Buffer.from(`${part!.pdu}\x1a`, 'latin1'));
  assert.equal(modem.sent.length, 1);
  assert.equal(modeOf(join(dir, 'modem-emulator')), 0o700);
  assert.equal(modeOf(file), 0o600);
});
