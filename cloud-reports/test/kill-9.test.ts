/**
 * Exactly once across a crash: the reports service, a child process, is killed with SIGKILL in
 * the middle of 200 reports; a second process finishes the queue. Afterwards there are exactly
 * 200 objects and 200 report rows, one per request, none twice, every object's checksum equal to
 * its row's.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { migrate, openDb, type Db } from '@vigie/cloud-store';
import { countRows, createPatient } from '@vigie/cloud-store/testing';
import { tempDir, waitUntil } from '@vigie/common/testing';
import { addDays } from '@vigie/protocol';
import { startEmbeddedS3 } from '../src/objects/embedded-s3.ts';
import { ReportObjectStore } from '../src/objects/object-store.ts';
import { publishPending } from '../src/requests/scheduler.ts';
import { DbReportQueue } from '../src/transport/db-queue.ts';
import { parisMidnight, seedPatient } from '../src/testing.ts';
import { NIGHT, readAll } from './harness.ts';

const REPORTS = 200;
const root = join(import.meta.dirname, '..', '..');

async function openTarget(pgliteDir: string): Promise<{ db: Db; url: string | undefined; drop(): Promise<void> }> {
  const server = process.env.DATABASE_URL;
  if (!server) return { db: await openDb({ pgliteDir }), url: undefined, drop: async () => undefined };
  // A database of its own on the server, as openTestDb makes, reachable by the children too.
  const { openTestDb } = await import('@vigie/cloud-store/testing');
  const db = await openTestDb();
  return { db, url: db.databaseUrl!, drop: () => db.close() };
}

function worker(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', join(root, 'cloud-reports', 'test', 'kill-worker.ts')], {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

const exited = (child: ChildProcess) => new Promise<number | null>((resolve) => (child.exitCode !== null ? resolve(child.exitCode) : child.once('exit', (code) => resolve(code))));

test('kill -9 of the reports service in the middle of 200 reports: exactly 200 objects afterwards, none twice', { timeout: 600_000 }, async () => {
  const dir = tempDir('vigie-kill9-');
  const s3 = await startEmbeddedS3({ directory: join(dir.path, 's3'), bucket: 'vigie-reports' });
  const objects = new ReportObjectStore(s3.config);
  const pgliteDir = join(dir.path, 'pgdata');
  let target = await openTarget(pgliteDir);
  try {
    const db = target.db;
    if (!target.url) await migrate(db);
    // 10 patients (one with data), 20 weekly periods each: 200 requests in the queue.
    const patients = [(await seedPatient(db, { from: parisMidnight('2026-11-30'), days: 2 })).patientId];
    for (let i = 1; i < 10; i++) patients.push(await createPatient(db, `Patient ${i}`));
    for (const p of patients) {
      for (let w = 0; w < REPORTS / 10; w++) {
        const from = addDays('2026-11-30', -7 * w);
        await db.query(`INSERT INTO report_requests (patient_id, period_from, period_to, kind, requested_at) VALUES ($1, $2, $3, 'on_demand', $4)`, [
          p,
          from,
          addDays(from, 7),
          new Date(NIGHT).toISOString(),
        ]);
      }
    }
    assert.equal(await publishPending(db, new DbReportQueue({ db }), NIGHT), REPORTS);
    if (!target.url) await db.close();
    const env = { VIGIE_TEST_S3: JSON.stringify(s3.config), VIGIE_TEST_NOW: String(NIGHT), VIGIE_TEST_PGLITE_DIR: pgliteDir, ...(target.url ? { DATABASE_URL: target.url } : {}) };

    const first = worker(env);
    await waitUntil(async () => (await objects.list('reports/')).length >= 40, 'the first process stored some reports', 300_000, 100);
    first.kill('SIGKILL');
    await exited(first);
    const atKill = (await objects.list('reports/')).length;
    assert.ok(atKill < REPORTS, `killed in the middle (${atKill} objects)`);

    const second = worker(env);
    assert.equal(await exited(second), 0);

    if (!target.url) target = { ...target, db: await openDb({ pgliteDir }) };
    const keys = await objects.list('reports/');
    assert.equal(keys.length, REPORTS, 'exactly 200 objects');
    assert.equal(new Set(keys).size, REPORTS, 'none twice');
    assert.equal(await countRows(target.db, 'reports'), REPORTS, 'one row per request');
    assert.equal(await countRows(target.db, 'report_queue'), 0);
    assert.equal(await countRows(target.db, 'report_requests', `state = 'done'`), REPORTS);
    const { rows } = await target.db.query<{ object_key: string; sha256: string }>('SELECT object_key, sha256 FROM reports ORDER BY random() LIMIT 5');
    for (const r of rows) {
      const bytes = await readAll(await objects.open(r.object_key));
      assert.equal(createHash('sha256').update(bytes).digest('hex'), r.sha256, `${r.object_key}: the object is the one recorded`);
    }
  } finally {
    objects.close();
    await s3.stop();
    if (target.url) await target.drop();
    else await target.db.close().catch(() => undefined);
    dir.cleanup();
  }
});
