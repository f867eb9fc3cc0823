/**
 * Erasure of a patient (GDPR art. 17; issue 10, build 8): after the soft-delete grace period, or
 * at once when an admin asks, everything about the patient is deleted and the patient row becomes
 * a tombstone (no name, no birth year) that the trails (access_log, admin_audit) still point to.
 *
 * The purge is a list of steps, each deleting in chunks; every chunk is one transaction that also
 * adds its count to `patient_erasures.counts`, so an interrupted erasure resumes where it stopped,
 * with exact totals, and running it twice (two instances, a restart) deletes nothing twice. The
 * last transaction tombstones the patient, marks the erasure complete and writes the audit row
 * (who deleted, when, kinds and counts: never a name, a phone number or a medical value).
 *
 * Kept on purpose: `access_log` (the trail of reads: ids, routes, no data), `telemetry_batches`
 * and `heartbeats` (per box, no patient data; the batch keys also stop a box that replays old
 * batches from writing them again).
 *
 * SQL only, on the `Queryable` port: this file moves with the store when the store gets its own
 * package.
 */
import type { Db, Queryable } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import { deleteByCtid, KEPT_TABLES, PURGE_STEPS, PURGED_TABLES, tablesWithPatientId } from './erasure-steps.ts';

export { KEPT_TABLES, PURGED_TABLES, tablesWithPatientId } from './erasure-steps.ts';

/** Days between a patient's soft delete and the purge, unless VIGIE_ERASURE_GRACE_DAYS says otherwise. */
export const DEFAULT_ERASURE_GRACE_DAYS = 30;

/** What an erased patient is called from then on (the constraint wants a non-empty name). */
export const ERASED_NAME = '(effacé)';

/** Why an erasure ran. */
export type ErasureReason = 'grace_period_ended' | 'admin_request';

/** An erasure as recorded in `patient_erasures`. */
export interface ErasureRecord {
  readonly patientId: string;
  readonly reason: ErasureReason;
  readonly requestedBy: string | null;
  readonly requestedAt: number;
  readonly deletedBy: string | null;
  readonly deletedAt: number | null;
  readonly completedAt: number | null;
  /** Rows purged per kind (`measurements`, `alerts`, …). */
  readonly counts: Readonly<Record<string, number>>;
}

interface ErasureRow {
  patient_id: string;
  reason: ErasureReason;
  requested_by: string | null;
  requested_at: Date;
  deleted_by: string | null;
  deleted_at: Date | null;
  completed_at: Date | null;
  counts: Record<string, number>;
}
const toRecord = (r: ErasureRow): ErasureRecord => ({
  patientId: r.patient_id,
  reason: r.reason,
  requestedBy: r.requested_by,
  requestedAt: r.requested_at.getTime(),
  deletedBy: r.deleted_by,
  deletedAt: r.deleted_at?.getTime() ?? null,
  completedAt: r.completed_at?.getTime() ?? null,
  counts: r.counts,
});

/** The erasure of `patientId`, if one was ever started. */
export async function findErasure(q: Queryable, patientId: string): Promise<ErasureRecord | null> {
  const { rows } = await q.query<ErasureRow>('SELECT * FROM patient_erasures WHERE patient_id = $1', [patientId]);
  return rows[0] ? toRecord(rows[0]) : null;
}

/**
 * Start the erasure of `patientId` (idempotent: a second call keeps the first record). Records who
 * soft-deleted the patient, from admin_audit. Answers false when there is no such patient.
 */
export async function claimErasure(
  q: Queryable,
  patientId: string,
  input: { reason: ErasureReason; requestedBy: string | null; now: number },
): Promise<boolean> {
  const { rows } = await q.query<{ id: string }>('SELECT id FROM patients WHERE id = $1', [patientId]);
  if (!rows[0]) return false;
  await q.query(
    `INSERT INTO patient_erasures (patient_id, reason, requested_by, requested_at, deleted_by, deleted_at)
     SELECT p.id, $2, $3, $4,
            (SELECT actor_id FROM admin_audit WHERE entity = 'patient' AND entity_id = p.id::text AND action = 'patient.delete' ORDER BY at DESC, id DESC LIMIT 1),
            p.deleted_at
       FROM patients p WHERE p.id = $1
     ON CONFLICT (patient_id) DO NOTHING`,
    [patientId, input.reason, input.requestedBy, new Date(input.now).toISOString()],
  );
  return true;
}

/** Add `n` rows of `kind` to the erasure's counts (in the chunk's transaction). */
async function addCount(tx: Queryable, patientId: string, kind: string, n: number): Promise<void> {
  await tx.query(
    `UPDATE patient_erasures SET counts = counts || jsonb_build_object($2::text, coalesce((counts ->> $2::text)::bigint, 0) + $3::bigint)
      WHERE patient_id = $1`,
    [patientId, kind, n],
  );
}

/** Run one purge step to the end: chunk after chunk, each with its count, until nothing is left. */
async function runStep(db: Db, patientId: string, kind: string, chunk: (tx: Queryable) => Promise<number>): Promise<void> {
  for (;;) {
    const n = await db.transaction(async (tx) => {
      const deleted = await chunk(tx);
      if (deleted > 0) await addCount(tx, patientId, kind, deleted);
      return deleted;
    });
    if (n === 0) return;
    // PGlite runs on this thread and its promises settle without a turn of the event loop: let
    // requests in between chunks, or a year of readings holds the portal for seconds (bench:erasure).
    await new Promise((resolve) => setImmediate(resolve));
  }
}

/**
 * Purge everything about a claimed patient ({@link claimErasure}), then tombstone them and write
 * the audit row, once. Safe to call again after a crash or from two instances at once: each row
 * is deleted (and counted) by exactly one transaction, and only one completes the erasure.
 */
export async function runErasure(db: Db, patientId: string, options: { now: number; log?: Logger }): Promise<ErasureRecord> {
  const started = await findErasure(db, patientId);
  if (!started) throw new Error(`no erasure was claimed for patient ${patientId}`);
  if (started.completedAt !== null) return started;
  for (const step of PURGE_STEPS) await runStep(db, patientId, step.kind, (tx) => step.chunk(tx, patientId));
  const handled = new Set([...KEPT_TABLES, ...PURGED_TABLES]);
  for (const table of await tablesWithPatientId(db)) {
    if (handled.has(table)) continue;
    const chunk = deleteByCtid(`"${table}"`, `SELECT ctid FROM "${table}" WHERE patient_id = $1`);
    await runStep(db, patientId, table, (tx) => chunk(tx, patientId));
  }
  const at = new Date(options.now).toISOString();
  const done = await db.transaction(async (tx) => {
    const { rows } = await tx.query<ErasureRow>(
      'UPDATE patient_erasures SET completed_at = $2 WHERE patient_id = $1 AND completed_at IS NULL RETURNING *',
      [patientId, at],
    );
    const row = rows[0];
    if (!row) return null;
    await tx.query('UPDATE patients SET display_name = $2, birth_year = NULL, erased_at = $3, deleted_at = coalesce(deleted_at, $3) WHERE id = $1', [
      patientId,
      ERASED_NAME,
      at,
    ]);
    const record = toRecord(row);
    await tx.query(
      `INSERT INTO admin_audit (at, actor_id, action, entity, entity_id, before, after) VALUES ($1, $2, 'patient.erase', 'patient', $3, NULL, $4)`,
      [
        at,
        record.requestedBy,
        patientId,
        JSON.stringify({
          reason: record.reason,
          requestedBy: record.requestedBy,
          requestedAt: record.requestedAt,
          deletedBy: record.deletedBy,
          deletedAt: record.deletedAt,
          counts: record.counts,
        }),
      ],
    );
    return record;
  });
  const record = done ?? (await findErasure(db, patientId))!;
  // Ids and counts only: never a name, a phone number or a medical value.
  if (done) options.log?.info({ patientId, reason: record.reason, counts: record.counts }, 'patient erased');
  return record;
}

/**
 * Patients whose erasure is due at `now`: soft-deleted more than `graceDays` ago and not erased,
 * plus every erasure started and not completed (a crash, an admin request interrupted).
 */
export async function dueErasures(q: Queryable, options: { now: number; graceDays: number }): Promise<string[]> {
  const cutoff = new Date(options.now - options.graceDays * 86_400_000).toISOString();
  const { rows } = await q.query<{ id: string }>(
    `SELECT id FROM patients WHERE erased_at IS NULL AND deleted_at IS NOT NULL AND deleted_at <= $1
     UNION SELECT patient_id FROM patient_erasures WHERE completed_at IS NULL`,
    [cutoff],
  );
  return rows.map((r) => r.id);
}

/**
 * Rejected registration forms (names, phones, e-mails, a prescription) belong to no patient, so no
 * erasure reaches them: they are deleted `graceDays` after their rejection, and the admin-audit
 * entries about them lose their contents the same way. Answers how many forms went.
 */
export async function purgeRejectedRegistrations(db: Db, options: { now: number; graceDays: number; log?: Logger }): Promise<number> {
  const cutoff = new Date(options.now - options.graceDays * 86_400_000).toISOString();
  const deleted = await db.transaction(async (tx) => {
    const { rows } = await tx.query<{ id: string }>("DELETE FROM registrations WHERE status = 'rejected' AND reviewed_at <= $1 RETURNING id", [cutoff]);
    if (rows.length === 0) return 0;
    await tx.query(
      `UPDATE admin_audit SET before = CASE WHEN before IS NULL THEN NULL ELSE '{"erased": true}'::jsonb END,
                              after = CASE WHEN after IS NULL THEN NULL ELSE '{"erased": true}'::jsonb END
        WHERE entity = 'registration' AND entity_id = ANY($1::text[])`,
      [rows.map((r) => r.id)],
    );
    return rows.length;
  });
  if (deleted > 0) options.log?.info({ deleted }, 'rejected registrations purged');
  return deleted;
}

/**
 * Erase every patient due at `now` (claim, purge, tombstone). One failing patient is logged and
 * the others still run; it is retried at the next pass. Answers the erasures completed.
 */
export async function eraseDuePatients(db: Db, options: { now: number; graceDays: number; log?: Logger }): Promise<ErasureRecord[]> {
  const done: ErasureRecord[] = [];
  for (const patientId of await dueErasures(db, options)) {
    try {
      await claimErasure(db, patientId, { reason: 'grace_period_ended', requestedBy: null, now: options.now });
      const record = await runErasure(db, patientId, options);
      done.push(record);
    } catch (err) {
      options.log?.error({ err, patientId }, 'patient erasure failed; retried at the next pass');
    }
  }
  return done;
}
