/**
 * The portal's acknowledgement of an alert, sent down to the box (which owns the alert's state and
 * reports `acknowledged` back through the ingest, reaching the portal by the live stream), and
 * where each acknowledgement request stands.
 */
import { requestAlertAcknowledgement, type Db, type Queryable } from '@vigie/cloud-store';
import type { AckRequest } from '../api-types.ts';

/** Queue the acknowledgement for the alert's box (idempotent per alert; the store's downlink queue). */
export function acknowledgeOnBox(db: Db, input: { alertId: string; accountId: string; displayName: string; at: number }): Promise<{ queued: boolean }> {
  return requestAlertAcknowledgement(db, input);
}

/** The acknowledgement requests of `alertIds` made in the portal (one query), by alert id. */
export async function ackRequests(q: Queryable, alertIds: readonly string[]): Promise<Map<string, AckRequest>> {
  if (alertIds.length === 0) return new Map();
  const { rows } = await q.query<{ alert_id: string; display_name: string; requested_at: Date; done_at: Date | null; outcome: string | null }>(
    `SELECT alert_id, display_name, requested_at, done_at, outcome FROM box_commands
      WHERE kind = 'acknowledge_alert' AND alert_id = ANY($1::uuid[])`,
    [alertIds],
  );
  return new Map(
    rows.map((r) => [r.alert_id, { by: r.display_name, requestedAt: r.requested_at.getTime(), doneAt: r.done_at?.getTime() ?? null, outcome: r.outcome }]),
  );
}
