import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openPgDb } from './pg-adapter.ts';
import { openTestDb, testsUsePostgres } from '../testing.ts';
import { claimJobSlot, jobLockKey, runAsLeader, runExclusive } from './leader.ts';
import { schemaStatus, waitForSchema } from './migrate.ts';
import { storeErrors } from '../errors.ts';

test('a job name maps to one stable positive 64-bit lock key, different per job', () => {
  assert.equal(jobLockKey('reports'), jobLockKey('reports'));
  assert.notEqual(jobLockKey('reports'), jobLockKey('reminders'));
  assert.ok(BigInt(jobLockKey('reports')) > 0n && BigInt(jobLockKey('reports')) < 2n ** 63n);
});

test('a period of a job is claimed once', async (t) => {
  const db = await openTestDb();
  t.after(() => db.close());
  const first = await runAsLeader(db, 'daily-report', (tx) => claimJobSlot(tx, 'daily-report', '2026-12-08'));
  const second = await runAsLeader(db, 'daily-report', (tx) => claimJobSlot(tx, 'daily-report', '2026-12-08'));
  assert.deepEqual([first, second], [{ ran: true, result: true }, { ran: true, result: false }]);
});

// Two instances are two connections to one PostgreSQL (PGlite has one process by construction).
if (testsUsePostgres) test('of two instances ticking together, one runs the job and the other skips it without waiting', async (t) => {
  const db = await openTestDb();
  t.after(() => db.close());
  const other = await openPgDb({ connectionString: db.databaseUrl!, max: 3 });
  t.after(() => other.close());
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const leader = runAsLeader(db, 'reminders', async () => {
    await held;
    return 'done';
  });
  // Let the leader take the lock.
  await new Promise((r) => setTimeout(r, 200));
  const started = Date.now();
  assert.deepEqual(await runAsLeader(other, 'reminders', async () => 'twice'), { ran: false });
  assert.equal(await runExclusive(other, 'reminders', async () => assert.fail('ran beside the leader')), false);
  assert.ok(Date.now() - started < 1_000, 'the follower did not wait for the leader');
  assert.deepEqual(await runAsLeader(other, 'another-job', async () => 1), { ran: true, result: 1 });
  release();
  assert.deepEqual(await leader, { ran: true, result: 'done' });
  // The lock died with the leader's transaction: the next tick may run anywhere.
  assert.deepEqual(await runAsLeader(other, 'reminders', async () => 'next'), { ran: true, result: 'next' });
});

test('an instance waits for the migration job, then finds the schema current', async (t) => {
  const db = await openTestDb({ fresh: true });
  t.after(() => db.close());
  assert.ok((await schemaStatus(db)).pending.length > 0);
  await assert.rejects(waitForSchema(db, { timeoutMs: 50, intervalMs: 10 }), (err) => storeErrors.is(err, 'CLOUD_DB_SCHEMA_BEHIND'));
  const migrated = await openTestDb();
  t.after(() => migrated.close());
  await waitForSchema(migrated, { timeoutMs: 0 });
  assert.deepEqual((await schemaStatus(migrated)).pending, []);
});
