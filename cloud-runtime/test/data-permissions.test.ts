/**
 * The cloud's files under the data directory are private (issue 10, finding 8): the embedded
 * database, the secrets key and the captured e-mails (live reset links) are 0600 in 0700 folders,
 * even when the process runs with a permissive umask.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { lstatSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { dataPaths, silentLogger } from '@vigie/common';
import { createMailer, loadCloudConfig, loadSecretsKey, secretsKeyFile } from '@vigie/cloud-portal';
import { openCloudDb } from '../src/server.ts';

const modeOf = (path: string) => statSync(path).mode & 0o777;
let dir: string;
let umask: number;

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'vigie-cloud-perms-'));
  // A typical default: group and others may read. What follows must not depend on it.
  umask = process.umask(0o022);
});
after(() => {
  process.umask(umask);
  rmSync(dir, { recursive: true, force: true });
});

/** Every entry under `root` whose mode is not 0700 (folders) or 0600 (files). */
function looseEntries(root: string): string[] {
  const loose: string[] = [];
  const visit = (path: string) => {
    const stat = lstatSync(path);
    if (stat.isSymbolicLink()) return;
    if ((stat.mode & 0o777) !== (stat.isDirectory() ? 0o700 : 0o600)) loose.push(`${path} ${(stat.mode & 0o777).toString(8)}`);
    if (stat.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
  };
  visit(root);
  return loose;
}

test('the embedded database, the secrets key and the captured e-mails are 0600 in 0700 folders', async () => {
  const config = loadCloudConfig({ VIGIE_DATA_DIR: dir });
  const db = await openCloudDb(config, silentLogger());
  try {
    await loadSecretsKey(config, { create: true });
    await createMailer(config, silentLogger()).send({ to: 'someone@test.example', subject: 'reset', text: 'https://portal/reset?token=secret' });
  } finally {
    await db.close();
  }
  const cloud = join(dataPaths(dir).root, 'cloud');
  assert.ok(readdirSync(dataPaths(dir).cloudPgData).length > 5, 'PGlite wrote its files');
  assert.equal(modeOf(secretsKeyFile(config)), 0o600);
  assert.equal(modeOf(join(cloud, 'mail.jsonl')), 0o600);
  assert.deepEqual(looseEntries(cloud), []);
});
