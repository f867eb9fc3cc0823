/**
 * `report_requests`: the record and idempotency key of every report asked for (migration 0013).
 * SQL only, on the store's `Queryable` port.
 */
import type { Queryable } from '@vigie/cloud-store';
import { SCHEMA_VERSION, type ReportRequest, type ReportRequestKind } from '@vigie/protocol';

/** What is asked: a patient, a period, who asks. */
export interface NewReportRequest {
  readonly patientId: string;
  readonly from: string;
  readonly to: string;
  readonly kind: ReportRequestKind;
  readonly requestedBy: string | null;
  readonly requestedAt: number;
}

interface RequestRow {
  id: string;
  patient_id: string;
  from: string;
  to: string;
  kind: ReportRequestKind;
  requested_by: string | null;
  requested_at: Date;
}

const COLUMNS = `id, patient_id, period_from::text AS "from", period_to::text AS "to", kind, requested_by, requested_at`;

/** The wire message of a request row. */
const toMessage = (r: RequestRow): ReportRequest => ({
  v: SCHEMA_VERSION,
  requestId: r.id,
  patientId: r.patient_id,
  from: r.from,
  to: r.to,
  kind: r.kind,
  requestedAt: r.requested_at.getTime(),
  requestedBy: r.requested_by,
});

/**
 * Record a request, or find the one already recorded under the same key (patient + period +
 * kind): two scheduler instances, a rerun or a double click all get the same row. `created` says
 * whether this call made it.
 */
export async function recordRequest(q: Queryable, r: NewReportRequest): Promise<{ request: ReportRequest; created: boolean }> {
  const inserted = await q.query<RequestRow>(
    `INSERT INTO report_requests (patient_id, period_from, period_to, kind, requested_by, requested_at)
     VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT ON CONSTRAINT report_requests_key DO NOTHING
     RETURNING ${COLUMNS}`,
    [r.patientId, r.from, r.to, r.kind, r.requestedBy, new Date(r.requestedAt).toISOString()],
  );
  if (inserted.rows[0]) return { request: toMessage(inserted.rows[0]), created: true };
  const { rows } = await q.query<RequestRow>(
    `SELECT ${COLUMNS} FROM report_requests WHERE patient_id = $1 AND period_from = $2 AND period_to = $3 AND kind = $4`,
    [r.patientId, r.from, r.to, r.kind],
  );
  return { request: toMessage(rows[0]!), created: false };
}

/**
 * Claim up to `limit` requests not yet handed to the transport and mark them published, in the
 * caller's transaction (the outbox): another instance skips the locked rows; a crash before
 * commit leaves them unpublished for the next pass (and a message already sent is harmless: the
 * consumer is idempotent).
 */
export async function claimUnpublished(tx: Queryable, nowMs: number, limit = 500): Promise<ReportRequest[]> {
  const { rows } = await tx.query<RequestRow>(
    `UPDATE report_requests SET published_at = $1
      WHERE id IN (SELECT id FROM report_requests WHERE published_at IS NULL AND state = 'pending'
                    ORDER BY requested_at LIMIT $2 FOR UPDATE SKIP LOCKED)
      RETURNING ${COLUMNS}`,
    [new Date(nowMs).toISOString(), limit],
  );
  return rows.map(toMessage);
}
