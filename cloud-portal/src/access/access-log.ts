import type { Queryable } from '@vigie/cloud-store';

/** What was done, as recorded in `access_log.action`. */
export type AccessAction =
  | 'patients.list'
  | 'patient.measurements'
  | 'patient.alerts'
  | 'patient.denied'
  | 'patient.medical'
  | 'events.subscribe'
  // Role views (src/views/).
  | 'patient.dashboard'
  | 'patient.summary'
  | 'inbox.list'
  | 'alert.acknowledge'
  | 'relative.alerts'
  | 'patient.status';

/**
 * Record a read of medical data: one row per patient concerned (so "who looked at this patient"
 * is one indexed query), or one row with no patient. Set-based: one statement whatever the count.
 * Called before the data leaves the server; if the trail cannot be written, the read fails.
 */
export async function recordAccess(
  q: Queryable,
  entry: { accountId: string; action: AccessAction; patientIds?: readonly string[]; detail?: Record<string, unknown> },
): Promise<void> {
  const detail = entry.detail === undefined ? null : JSON.stringify(entry.detail);
  const patients = entry.patientIds && entry.patientIds.length > 0 ? entry.patientIds : [null];
  await q.query(
    `INSERT INTO access_log (account_id, patient_id, action, detail)
     SELECT $1::uuid, p, $2::text, $3::jsonb FROM unnest($4::uuid[]) AS p`,
    [entry.accountId, entry.action, detail, patients],
  );
}
