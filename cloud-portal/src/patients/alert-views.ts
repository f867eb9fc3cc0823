/**
 * Alerts as the portal reads them: one row shape, one mapper, for the patient's alerts, the
 * summary and the inbox (`views/care-views.ts`).
 */
import type { Queryable } from '@vigie/cloud-store';
import type { Acknowledgement, AlertKind, AlertNotification, AlertSeverity, AlertState } from '@vigie/protocol';
import { OPEN_ALERT_STATES } from '@vigie/protocol';
import type { AlertView } from '../api-types.ts';

/** An `alerts` row as the portal reads it (the columns of `alertColumns()`). */
export interface AlertRow {
  alert_id: string;
  number: number;
  kind: AlertKind;
  severity: AlertSeverity;
  state: AlertState;
  raised_at: Date;
  updated_at: Date;
  notifications: AlertNotification[];
  acknowledgement: Acknowledgement | null;
}

const COLUMNS = ['alert_id', 'number', 'kind', 'severity', 'state', 'raised_at', 'updated_at', 'notifications', 'acknowledgement'] as const;

/** The columns every alert view selects, in `AlertRow`'s shape; `table`: the alias of `alerts` in a join. */
export function alertColumns(table?: string): string {
  return COLUMNS.map((c) => (table ? `${table}.${c}` : c)).join(', ');
}

/** States in which an alert still needs someone (acknowledged: someone is on it; closed: over). */
export { OPEN_ALERT_STATES };

/** An alert as the portal shows it (lists, inbox, summary, `alert` events). */
export function alertView(r: AlertRow): AlertView {
  return {
    alertId: r.alert_id,
    number: r.number,
    kind: r.kind,
    severity: r.severity,
    state: r.state,
    raisedAt: r.raised_at.getTime(),
    updatedAt: r.updated_at.getTime(),
    notifications: r.notifications,
    acknowledgement: r.acknowledgement,
  };
}

/** The patient's latest alerts, newest first. */
export async function listAlerts(q: Queryable, patientId: string, limit: number): Promise<AlertView[]> {
  const { rows } = await q.query<AlertRow>(
    `SELECT ${alertColumns()} FROM alerts WHERE patient_id = $1 ORDER BY raised_at DESC, alert_id LIMIT $2`,
    [patientId, limit],
  );
  return rows.map(alertView);
}

/** One alert with its patient, or null. */
export async function loadAlert(q: Queryable, alertId: string): Promise<{ patientId: string | null; alert: AlertView } | null> {
  const { rows } = await q.query<AlertRow & { patient_id: string | null }>(`SELECT patient_id, ${alertColumns()} FROM alerts WHERE alert_id = $1`, [alertId]);
  const row = rows[0];
  return row ? { patientId: row.patient_id, alert: alertView(row) } : null;
}
