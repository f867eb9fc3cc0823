import type { FastifyInstance } from 'fastify';
import type { Db } from '@vigie/cloud-store';
import { CHART_METRICS, type ChartMetric, type PatientSummary } from '../api-types.ts';
import { recordAccess } from '../access/access-log.ts';
import type { PatientAccess } from '../access/patient-access.ts';
import { defineRoute } from '../access/route-access.ts';
import { invalidQuery } from '../http/request-input.ts';
import { listAlerts, OPEN_ALERT_STATES } from './alert-views.ts';
import { loadSeries } from './measurement-series.ts';

const DAY_MS = 86_400_000;
const EPOCH_MS = /^\d{1,15}$/;

function epochParam(query: Record<string, unknown>, name: string, fallback: number): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !EPOCH_MS.test(raw)) throw invalidQuery(name, 'must be epoch milliseconds');
  return Number(raw);
}

function intParam(query: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw invalidQuery(name, `must be an integer from ${min} to ${max}`);
  return n;
}

/** `GET /api/patients`, `GET /api/patients/:id/measurements`, `GET /api/patients/:id/alerts`. */
export function registerPatientRoutes(
  app: FastifyInstance,
  deps: { db: Db; access: PatientAccess; now: () => number },
): void {
  const { db, access, now } = deps;

  // The list names every patient the caller is linked to, relatives included (no medical value).
  defineRoute(app, { method: 'GET', url: '/api/patients', access: { kind: 'session' }, handler: async (request) => {
    const accountId = request.account!.accountId;
    const ids = await access.visiblePatientIds(accountId);
    await recordAccess(db, { accountId, action: 'patients.list', patientIds: ids });
    // Latest reading per metric through the (patient, metric, ts) index: max(ts) over a patient's
    // whole history would scan it.
    const { rows } = await db.query<{ id: string; display_name: string; box_id: string | null; last_reading_at: Date | null; open_alerts: number }>(
      `SELECT p.id, p.display_name,
              (SELECT ba.box_id FROM box_assignments ba WHERE ba.patient_id = p.id AND ba.valid_to IS NULL
                ORDER BY ba.valid_from DESC LIMIT 1) AS box_id,
              (SELECT max(last.ts) FROM unnest($2::text[]) AS mt(metric)
                 CROSS JOIN LATERAL (SELECT m.ts FROM measurements m WHERE m.patient_id = p.id AND m.metric = mt.metric
                                      ORDER BY m.ts DESC LIMIT 1) AS last) AS last_reading_at,
              (SELECT count(*)::int FROM alerts al WHERE al.patient_id = p.id AND al.state = ANY($3::text[])) AS open_alerts
         FROM patients p WHERE p.id = ANY($1::uuid[])
        ORDER BY p.display_name, p.id`,
      [ids, ['heart_rate', 'spo2', 'steps', 'bracelet_battery'], OPEN_ALERT_STATES],
    );
    const patients: PatientSummary[] = rows.map((r) => ({
      id: r.id,
      displayName: r.display_name,
      boxId: r.box_id,
      lastReadingAt: r.last_reading_at?.getTime() ?? null,
      openAlerts: r.open_alerts,
    }));
    return { patients };
  } });

  // The authorization layer writes the access_log row (patient.measurements) before this runs.
  defineRoute(app, { method: 'GET', url: '/api/patients/:id/measurements', access: { kind: 'patient', data: 'medical', action: 'patient.measurements' }, handler: async (request) => {
    const query = request.query as Record<string, unknown>;
    const metric = query.metric;
    if (typeof metric !== 'string' || !(CHART_METRICS as readonly string[]).includes(metric)) {
      throw invalidQuery('metric', `must be one of ${CHART_METRICS.join(', ')}`);
    }
    const to = epochParam(query, 'to', now());
    const from = epochParam(query, 'from', to - DAY_MS);
    if (from >= to) throw invalidQuery('from', 'must be before to');
    return loadSeries(db, request.patientId!, metric as ChartMetric, from, to);
  } });

  defineRoute(app, { method: 'GET', url: '/api/patients/:id/alerts', access: { kind: 'patient', data: 'alerts', action: 'patient.alerts' }, handler: async (request) => {
    const limit = intParam(request.query as Record<string, unknown>, 'limit', 50, 1, 500);
    return { alerts: await listAlerts(db, request.patientId!, limit) };
  } });
}
