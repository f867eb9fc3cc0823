import type { Queryable } from '@vigie/cloud-store';
import { CHART_METRICS, type PatientSummary } from '../api-types.ts';
import { OPEN_ALERT_STATES } from './alert-views.ts';

/**
 * The patients `ids` by name: current box, last chart reading, open alerts. One query for both
 * lists (`GET /api/patients` as it is, `GET /api/care/patients` adding the equipment's state).
 */
export async function listPatients(q: Queryable, ids: readonly string[]): Promise<PatientSummary[]> {
  // Latest reading per metric through the (patient, metric, ts) index: max(ts) over a patient's
  // whole history would scan it.
  const { rows } = await q.query<{ id: string; display_name: string; box_id: string | null; last_reading_at: Date | null; open_alerts: number }>(
    `SELECT p.id, p.display_name,
            (SELECT ba.box_id FROM box_assignments ba WHERE ba.patient_id = p.id AND ba.valid_to IS NULL
              ORDER BY ba.valid_from DESC LIMIT 1) AS box_id,
            (SELECT max(last.ts) FROM unnest($2::text[]) AS mt(metric)
               CROSS JOIN LATERAL (SELECT m.ts FROM measurements m WHERE m.patient_id = p.id AND m.metric = mt.metric
                                    ORDER BY m.ts DESC LIMIT 1) AS last) AS last_reading_at,
            (SELECT count(*)::int FROM alerts al WHERE al.patient_id = p.id AND al.state = ANY($3::text[])) AS open_alerts
       FROM patients p WHERE p.id = ANY($1::uuid[])
      ORDER BY p.display_name, p.id`,
    [ids, CHART_METRICS, OPEN_ALERT_STATES],
  );
  return rows.map((r) => ({
    id: r.id,
    displayName: r.display_name,
    boxId: r.box_id,
    lastReadingAt: r.last_reading_at?.getTime() ?? null,
    openAlerts: r.open_alerts,
  }));
}
