import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { tempDir } from '@vigie/common/testing';
import { storeErrors } from '../errors.ts';
import { lockDirectory } from './dir-lock.ts';
import { openPgliteDb } from './pglite-adapter.ts';

test('refuses a second open of the same PGlite directory, and allows it once the first closes', async (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const dataDir = join(dir.path, 'pgdata');
  const first = await openPgliteDb({ dataDir });
  await assert.rejects(openPgliteDb({ dataDir }), (err) => {
    assert.ok(storeErrors.is(err, 'CLOUD_DB_LOCKED'));
    assert.match(err.message, new RegExp(`process ${process.pid}`));
    return true;
  });
  await first.close();
  assert.equal(existsSync(`${dataDir}.lock`), false);
  const second = await openPgliteDb({ dataDir });
  await second.close();
});

test('refuses a lock held by another live process', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const target = join(dir.path, 'pgdata');
  // The parent of this test is alive for as long as the test runs.
  writeFileSync(`${target}.lock`, JSON.stringify({ pid: process.ppid, hostname: hostname(), startedAt: 'x' }));
  assert.throws(() => lockDirectory(target), (err) => storeErrors.is(err, 'CLOUD_DB_LOCKED'));
});

test('takes over a lock left by a process that died', (t) => {
  const dir = tempDir();
  t.after(dir.cleanup);
  const target = join(dir.path, 'pgdata');
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
  writeFileSync(`${target}.lock`, JSON.stringify({ pid: Number(dead.stdout), hostname: hostname(), startedAt: 'x' }));
  const lock = lockDirectory(target);
  lock.release();
  assert.equal(existsSync(`${target}.lock`), false);
});
