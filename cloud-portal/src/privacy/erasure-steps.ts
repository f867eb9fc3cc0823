/**
 * What the erasure of a patient deletes, step by step (erasure.ts runs them). SQL only, on the
 * `Queryable` port: this file moves with the store when the store gets its own package.
 */
import type { Queryable } from '@vigie/cloud-store';

/** Rows deleted per statement: one chunk never holds a long lock nor a huge transaction. */
const CHUNK = 5_000;

/** One kind of data to purge: `chunk` deletes at most one chunk and answers how many rows went. */
export interface PurgeStep {
  readonly kind: string;
  chunk(tx: Queryable, patientId: string): Promise<number>;
}

/** `DELETE` of at most CHUNK rows of a plain (non-partitioned) table chosen by `select` (a ctid list). */
export const deleteByCtid = (table: string, selectCtids: string): PurgeStep['chunk'] => async (tx, patientId) =>
  (await tx.query(`DELETE FROM ${table} WHERE ctid = ANY(ARRAY(${selectCtids} LIMIT ${CHUNK}))`, [patientId])).rowCount;

const byPatient = (table: string): PurgeStep => ({
  kind: table,
  chunk: deleteByCtid(table, `SELECT ctid FROM ${table} WHERE patient_id = $1`),
});

/**
 * Readings. Partitioned: a ctid names a row only within its partition, so chunks are calendar
 * months of the patient's oldest remaining readings (one partition each).
 */
const MEASUREMENTS: PurgeStep = {
  kind: 'measurements',
  chunk: async (tx, patientId) => {
    const { rows } = await tx.query<{ first: Date | null }>('SELECT min(ts) AS first FROM measurements WHERE patient_id = $1', [patientId]);
    const first = rows[0]?.first;
    if (!first) return 0;
    const from = Date.UTC(first.getUTCFullYear(), first.getUTCMonth(), 1);
    const to = Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1);
    return (
      await tx.query('DELETE FROM measurements WHERE patient_id = $1 AND ts >= $2 AND ts < $3', [
        patientId,
        new Date(from).toISOString(),
        new Date(to).toISOString(),
      ])
    ).rowCount;
  },
};

const BOX_COMMANDS: PurgeStep = {
  kind: 'box_commands',
  chunk: deleteByCtid('box_commands', 'SELECT ctid FROM box_commands WHERE alert_id IN (SELECT alert_id FROM alerts WHERE patient_id = $1)'),
};

const ALERTS = byPatient('alerts');

/**
 * The purge, in order. Refused readings and dead letters carry no patient id: they are the ones a
 * box of the patient sent while assigned to them, so they go before the assignments.
 */
export const PURGE_STEPS: readonly PurgeStep[] = [
  {
    kind: 'rejected_readings',
    chunk: deleteByCtid(
      'rejected_readings',
      `SELECT r.ctid FROM rejected_readings r JOIN box_assignments a ON a.box_id = r.box_id
        WHERE a.patient_id = $1 AND r.ts >= a.valid_from AND (a.valid_to IS NULL OR r.ts < a.valid_to)`,
    ),
  },
  {
    kind: 'dead_letters',
    chunk: deleteByCtid(
      'dead_letters',
      `SELECT d.ctid FROM dead_letters d JOIN box_assignments a ON a.box_id = d.box_id
        WHERE a.patient_id = $1 AND d.received_at >= a.valid_from AND (a.valid_to IS NULL OR d.received_at < a.valid_to)`,
    ),
  },
  MEASUREMENTS,
  // Portal acknowledgements waiting for the box: they reference the alerts.
  BOX_COMMANDS,
  // The SMS sent and the acknowledgement live in each alert's row (notifications, acknowledgement).
  ALERTS,
  byPatient('fleet_events'),
  byPatient('support_tickets'),
  {
    // The box keeps its numbering: the highest erased version becomes the floor of the next one.
    kind: 'box_config_versions',
    chunk: async (tx, patientId) => {
      await tx.query(
        `UPDATE boxes b SET config_version_floor = greatest(b.config_version_floor, v.top)
           FROM (SELECT box_id, max(version) AS top FROM box_config_versions WHERE patient_id = $1 GROUP BY box_id) v
          WHERE b.id = v.box_id`,
        [patientId],
      );
      return deleteByCtid('box_config_versions', 'SELECT ctid FROM box_config_versions WHERE patient_id = $1')(tx, patientId);
    },
  },
  {
    // Admin changes about the patient, their links and their registration keep who, what and
    // when; their before/after (names, phones, e-mails of the form) go. Before the registrations,
    // which say which registration was the patient's.
    kind: 'admin_audit_redacted',
    chunk: async (tx, patientId) =>
      (
        await tx.query(
          `UPDATE admin_audit SET before = CASE WHEN before IS NULL THEN NULL ELSE '{"erased": true}'::jsonb END,
                                  after = CASE WHEN after IS NULL THEN NULL ELSE '{"erased": true}'::jsonb END
            WHERE ctid = ANY(ARRAY(
                    SELECT ctid FROM admin_audit
                     WHERE ((entity = 'patient' AND entity_id = $1::uuid::text)
                         OR (entity = 'care_link' AND entity_id LIKE $1::uuid::text || '/%')
                         OR (entity = 'registration' AND entity_id IN (SELECT id::text FROM registrations WHERE patient_id = $1::uuid)))
                       AND action <> 'patient.erase'
                       AND (before IS DISTINCT FROM '{"erased": true}'::jsonb AND before IS NOT NULL
                         OR after IS DISTINCT FROM '{"erased": true}'::jsonb AND after IS NOT NULL)
                     LIMIT ${CHUNK}))`,
          [patientId],
        )
      ).rowCount,
  },
  // Reports (issue 13): inbox entries and shares first (they reference the reports), then the
  // reports, whose object keys go to report_object_deletions in the same transaction: the reports
  // service deletes the PDFs from the object store (the rows were the only way to reach them).
  byPatient('report_notifications'),
  byPatient('report_shares'),
  {
    kind: 'reports',
    chunk: async (tx, patientId) => {
      const { rows } = await tx.query<{ object_key: string }>(
        `DELETE FROM reports WHERE ctid = ANY(ARRAY(SELECT ctid FROM reports WHERE patient_id = $1 LIMIT ${CHUNK})) RETURNING object_key`,
        [patientId],
      );
      if (rows.length > 0) {
        await tx.query('INSERT INTO report_object_deletions (object_key) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [rows.map((r) => r.object_key)]);
      }
      return rows.length;
    },
  },
  byPatient('report_queue'),
  byPatient('report_requests'),
  byPatient('report_schedules'),
  byPatient('report_dead_letters'),
  // The registration form and its prescription file (kept in the row).
  byPatient('registrations'),
  byPatient('care_links'),
  byPatient('box_assignments'),
  byPatient('bracelet_assignments'),
  // Again, once no assignment is left: readings and alerts the ingest attached to the patient
  // while the purge ran (a box still at home sending) are stragglers; none can follow.
  MEASUREMENTS,
  BOX_COMMANDS,
  ALERTS,
];

/**
 * Tables with a `patient_id` column that are kept on purpose (see the file comment). Any other
 * table with one — a table added later, e.g. questionnaire answers — is purged by patient_id
 * after the steps above, so new patient data is never left behind by default.
 */
export const KEPT_TABLES: readonly string[] = ['patients', 'access_log', 'patient_erasures'];

/** The tables the purge handles by name. */
export const PURGED_TABLES: readonly string[] = [...new Set(PURGE_STEPS.map((s) => s.kind))].filter((k) => k !== 'admin_audit_redacted');

/** Tables (not partitions) of the current schema with a `patient_id` column. */
export async function tablesWithPatientId(q: Queryable): Promise<string[]> {
  const { rows } = await q.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE a.attname = 'patient_id' AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND NOT c.relispartition
        AND n.nspname = current_schema()
      ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}
