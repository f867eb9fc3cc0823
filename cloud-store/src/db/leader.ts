import { createHash } from 'node:crypto';
import type { Db, Queryable } from './types.ts';

/**
 * Single-leader scheduled jobs on a shared PostgreSQL, for every cloud scheduler (partition
 * maintenance, reminders, reports, updates…).
 *
 * Each tick, every instance calls `runAsLeader(db, 'my-job', fn)`: the first to take the job's
 * transaction-level advisory lock (`pg_try_advisory_xact_lock`) runs `fn` inside that
 * transaction; the others get `{ ran: false }` at once instead of waiting. The lock dies with the
 * transaction, so a crashed leader never blocks the next tick (no lease to expire, nothing to
 * clean up), and any instance can lead the next one.
 *
 * The lock only stops two instances running the job *at the same time*. A job that must run once
 * per period (a daily report) also claims its period with {@link claimJobSlot} in the same
 * transaction: an instance whose timer fires a second later then finds the slot taken. Keep the
 * job short (it holds one pooled connection and one open transaction); a long job commits its work
 * in batches through `db`, using the leader transaction only as the lock.
 */
export async function runAsLeader<R>(
  db: Db,
  job: string,
  fn: (tx: Queryable) => Promise<R>,
): Promise<{ readonly ran: true; readonly result: R } | { readonly ran: false }> {
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::int8) AS locked', [jobLockKey(job)]);
    if (!rows[0]?.locked) return { ran: false } as const;
    return { ran: true, result: await fn(tx) } as const;
  });
}

/**
 * Claim the period `slot` (e.g. `'2026-12-08'` for a daily job) of `job`, inside the leader's
 * transaction: true the first time, false once any instance has claimed it (and committed).
 * Rows live in `scheduled_job_runs` (migration 0021).
 */
export async function claimJobSlot(tx: Queryable, job: string, slot: string): Promise<boolean> {
  const { rowCount } = await tx.query('INSERT INTO scheduled_job_runs (job, slot) VALUES ($1, $2) ON CONFLICT DO NOTHING', [job, slot]);
  return rowCount === 1;
}

/**
 * The 64-bit advisory lock key of a job name: the first 8 bytes of its SHA-256, with the high bit
 * cleared so it never collides with the store's fixed keys written as small ASCII constants.
 */
export function jobLockKey(job: string): string {
  const head = createHash('sha256').update(`vigie-job:${job}`).digest().readBigUInt64BE(0) & 0x7fff_ffff_ffff_ffffn;
  return head.toString();
}

/**
 * Run `fn` on one instance only: the variant of {@link runAsLeader} for jobs that do their work
 * through `db` itself (their own transactions), holding the job's advisory lock in a transaction
 * on another pooled connection meanwhile. Returns false when another instance holds it. On PGlite
 * (one process owns the database, and a query beside an open transaction would wait for it) `fn`
 * simply runs.
 */
export async function runExclusive(db: Db, job: string, fn: () => Promise<void>): Promise<boolean> {
  if (db.kind === 'pglite') {
    await fn();
    return true;
  }
  return (await runAsLeader(db, job, () => fn())).ran;
}
