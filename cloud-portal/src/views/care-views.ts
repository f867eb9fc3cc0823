/**
 * The care team's views: the patient list at a glance, the doctor's patient page (three series
 * downsampled on the server, alert markers), the nurse's summary over a window, the alerts inbox
 * and the acknowledgement that goes down to the box.
 */
import { lastAnswers } from '../questionnaire/responses.ts';
import type { FastifyInstance } from 'fastify';
import { BOX_CONFIG_DEFAULTS, currentBoxConfig, listOpenFleetEvents, type Db, type FleetEvent, type Queryable } from '@vigie/cloud-store';
import { METRIC_UNITS } from '@vigie/protocol';
import {
  CHART_METRICS,
  type AcknowledgeAnswer,
  type AlertMarker,
  type CarePatientRow,
  type ChartMetric,
  type DeviceEvent,
  type InboxAlert,
  type InboxDeviceEvent,
  type InboxView,
  type MetricSummary,
  type PatientDashboard,
  type PatientSummaryView,
} from '../api-types.ts';
import { recordAccess } from '../access/access-log.ts';
import { defineRoute } from '../access/route-access.ts';
import type { PatientAccess } from '../access/patient-access.ts';
import { portalErrors } from '../errors.ts';
import { isUuid } from '../http/request-input.ts';
import { alertColumns, alertView, loadAlert, OPEN_ALERT_STATES, type AlertRow } from '../patients/alert-views.ts';
import { loadBucketedSeries } from '../patients/measurement-series.ts';
import { listPatients } from '../patients/patient-list.ts';
import { acknowledgeOnBox, ackRequests } from './acknowledge.ts';
import { deviceStatus, latestStatuses } from './device-status.ts';
import { accountOf, patientOf, viewWindow, WindowQuery } from './view-guards.ts';
import { loadAlertTimeline, markAlertsShown } from '../patients/alert-timeline.ts';
import type { AlertTimelineView } from '../api-types.ts';

const DAY_MS = 86_400_000;
const CARE_ROLES = ['doctor', 'nurse'] as const;

type Thresholds = Readonly<Record<ChartMetric, { low: number | null; high: number | null }>>;

/** Thresholds from a box configuration's `thresholds` section (steps have none). */
function thresholdsOf(t: { spo2Min: number; heartRateLow: number; heartRateHigh: number }): Thresholds {
  return {
    heart_rate: { low: t.heartRateLow, high: t.heartRateHigh },
    spo2: { low: t.spo2Min, high: null },
    steps: { low: null, high: null },
  };
}

/** The defaults (the box file's, `BOX_CONFIG_DEFAULTS`), for a patient whose thresholds were never set. */
export const SUMMARY_THRESHOLDS: Thresholds = thresholdsOf(BOX_CONFIG_DEFAULTS.thresholds);

/**
 * The thresholds the summary counts anomalies against: those of the configuration of the
 * patient's current box (the doctor's per-patient thresholds, as the box applies them), else the
 * defaults.
 */
export async function patientThresholds(q: Queryable, patientId: string): Promise<Thresholds> {
  const { rows } = await q.query<{ box_id: string }>(
    'SELECT box_id FROM box_assignments WHERE patient_id = $1 AND valid_to IS NULL ORDER BY valid_from DESC LIMIT 1',
    [patientId],
  );
  const config = rows[0] ? await currentBoxConfig(q, rows[0].box_id) : null;
  return config ? thresholdsOf(config.config.thresholds) : SUMMARY_THRESHOLDS;
}

/** A fleet event as the care team sees it. */
function deviceEvent(e: FleetEvent): DeviceEvent {
  return { eventId: e.id, kind: e.kind, boxId: e.boxId, since: e.since, raisedAt: e.raisedAt };
}

/** Open fleet events ("no data", faulty sensor) of `patientIds`, newest first, grouped by patient. */
async function openDeviceEvents(q: Queryable, patientIds: readonly string[]): Promise<Map<string, DeviceEvent[]>> {
  const byPatient = new Map<string, DeviceEvent[]>();
  if (patientIds.length === 0) return byPatient;
  for (const e of await listOpenFleetEvents(q, { patientIds })) {
    if (!e.patientId) continue;
    const list = byPatient.get(e.patientId) ?? [];
    list.push(deviceEvent(e));
    byPatient.set(e.patientId, list);
  }
  return byPatient;
}

/** The patients `ids` at a glance: box, last data, open alerts, equipment problems and events. */
export async function carePatientRows(q: Queryable, ids: readonly string[], now: number): Promise<CarePatientRow[]> {
  const patients = await listPatients(q, ids);
  const heartbeats = await latestStatuses(q, patients.flatMap((p) => (p.boxId ? [p.boxId] : [])));
  const deviceEvents = await openDeviceEvents(q, ids);
  return patients.map((p) => ({
    ...p,
    device: deviceStatus(p.boxId, p.boxId ? heartbeats.get(p.boxId) : undefined, now),
    deviceEvents: deviceEvents.get(p.id) ?? [],
  }));
}

/** The doctor's patient page: heart rate, SpO2 and steps over `[from, to]`, and the alerts in it. */
export async function patientDashboard(db: Db, patientId: string, from: number, to: number): Promise<PatientDashboard> {
  // In parallel: on PostgreSQL each series is one aggregate on its own pool connection, so the
  // page waits for the longest (heart rate), not the sum (PGlite runs them one after the other).
  const markers = db.query<{ alert_id: string; number: number; kind: AlertMarker['kind']; severity: AlertMarker['severity']; state: AlertMarker['state']; raised_at: Date }>(
    `SELECT alert_id, number, kind, severity, state, raised_at FROM alerts
      WHERE patient_id = $1 AND raised_at >= $2 AND raised_at <= $3
      ORDER BY raised_at LIMIT 500`,
    [patientId, new Date(from).toISOString(), new Date(to).toISOString()],
  );
  const [heartRate, spo2, steps, { rows }] = await Promise.all([
    loadBucketedSeries(db, patientId, 'heart_rate', from, to),
    loadBucketedSeries(db, patientId, 'spo2', from, to),
    loadBucketedSeries(db, patientId, 'steps', from, to),
    markers,
  ]);
  return {
    from,
    to,
    series: { heart_rate: heartRate, spo2, steps },
    alerts: rows.map((r) => ({ alertId: r.alert_id, number: r.number, kind: r.kind, severity: r.severity, state: r.state, raisedAt: r.raised_at.getTime() })),
  };
}

/** The nurse's summary of `[from, to]`: min/mean/max and anomalies per metric, steps per day, alerts. */
export async function patientSummary(q: Queryable, patientId: string, from: number, to: number): Promise<PatientSummaryView> {
  const range = [patientId, new Date(from).toISOString(), new Date(to).toISOString()];
  const thresholds = await patientThresholds(q, patientId);
  const stats = await q.query<{ metric: ChartMetric; count: number; min: number; mean: number; max: number; anomalies: number }>(
    `SELECT m.metric, count(*)::int AS count, min(m.value) AS min, avg(m.value) AS mean, max(m.value) AS max,
            count(*) FILTER (WHERE m.value < t.low OR m.value > t.high)::int AS anomalies
       FROM measurements m
       JOIN (SELECT * FROM unnest($4::text[], $5::float8[], $6::float8[]) AS x(metric, low, high)) AS t ON t.metric = m.metric
      WHERE m.patient_id = $1 AND m.ts >= $2 AND m.ts <= $3
      GROUP BY m.metric`,
    [
      ...range,
      CHART_METRICS,
      CHART_METRICS.map((m) => thresholds[m].low),
      CHART_METRICS.map((m) => thresholds[m].high),
    ],
  );
  const byMetric = new Map(stats.rows.map((r) => [r.metric, r]));
  const metrics: MetricSummary[] = CHART_METRICS.map((metric) => {
    const r = byMetric.get(metric);
    return {
      metric,
      unit: METRIC_UNITS[metric],
      count: r?.count ?? 0,
      min: r?.min ?? null,
      mean: r?.mean ?? null,
      max: r?.max ?? null,
      anomalies: r?.anomalies ?? 0,
      thresholds: thresholds[metric],
    };
  });
  const steps = await q.query<{ day: string; steps: number }>(
    `SELECT to_char(ts AT TIME ZONE 'Europe/Paris', 'YYYY-MM-DD') AS day, sum(value) AS steps
       FROM measurements
      WHERE patient_id = $1 AND metric = 'steps' AND ts >= $2 AND ts <= $3
      GROUP BY 1 ORDER BY 1`,
    range,
  );
  const alerts = await q.query<AlertRow>(
    `SELECT ${alertColumns()}
       FROM alerts WHERE patient_id = $1 AND raised_at >= $2 AND raised_at <= $3
      ORDER BY raised_at DESC, alert_id LIMIT 200`,
    range,
  );
  // The latest questionnaire answers (issue 12), whatever the window: a nurse visiting every other day reads them.
  const questionnaire = await lastAnswers(q, patientId);
  return { from, to, metrics, stepsPerDay: steps.rows, alerts: alerts.rows.map(alertView), questionnaire };
}

/** Alerts of `patientIds` still open or raised since `since`, newest first. */
export async function inboxAlerts(q: Queryable, patientIds: readonly string[], since: number): Promise<InboxAlert[]> {
  const { rows } = await q.query<AlertRow & { patient_id: string; display_name: string }>(
    `SELECT al.patient_id, p.display_name, ${alertColumns('al')}
       FROM alerts al JOIN patients p ON p.id = al.patient_id
      WHERE al.patient_id = ANY($1::uuid[]) AND (al.state = ANY($2::text[]) OR al.raised_at >= $3)
      ORDER BY al.raised_at DESC, al.alert_id LIMIT 200`,
    [patientIds, OPEN_ALERT_STATES, new Date(since).toISOString()],
  );
  const acks = await ackRequests(q, rows.map((r) => r.alert_id));
  return rows.map((r) => ({ ...alertView(r), patientId: r.patient_id, patientName: r.display_name, ackRequest: acks.get(r.alert_id) ?? null }));
}

/** Open fleet events of `patientIds` with the patient's name, newest first (the inbox's second kind of item). */
export async function inboxDeviceEvents(q: Queryable, patientIds: readonly string[]): Promise<InboxDeviceEvent[]> {
  if (patientIds.length === 0) return [];
  const events = await listOpenFleetEvents(q, { patientIds });
  if (events.length === 0) return [];
  const { rows } = await q.query<{ id: string; display_name: string }>('SELECT id, display_name FROM patients WHERE id = ANY($1::uuid[])', [patientIds]);
  const names = new Map(rows.map((r) => [r.id, r.display_name]));
  return events.flatMap((e) => (e.patientId ? [{ ...deviceEvent(e), patientId: e.patientId, patientName: names.get(e.patientId) ?? '' }] : []));
}

/** Register the care team's view routes. */
export function registerCareViews(app: FastifyInstance, deps: { db: Db; access: PatientAccess; now: () => number }): void {
  const { db, access, now } = deps;

  defineRoute(app, {
    method: 'GET',
    url: '/api/care/patients',
    access: { kind: 'session' },
    handler: async (request) => {
      const account = accountOf(request);
      const ids = await access.visiblePatientIds(account.accountId, 'medical');
      await recordAccess(db, { accountId: account.accountId, action: 'patients.list', patientIds: ids });
      return { patients: await carePatientRows(db, ids, now()) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/patients/:id/dashboard',
    access: { kind: 'patient', data: 'medical', roles: CARE_ROLES, action: 'patient.dashboard' },
    query: WindowQuery,
    handler: async (request, _reply, { query }) => {
      const { from, to } = viewWindow(query, now(), 30 * DAY_MS);
      return patientDashboard(db, patientOf(request), from, to);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/patients/:id/summary',
    access: { kind: 'patient', data: 'medical', roles: CARE_ROLES, action: 'patient.summary' },
    query: WindowQuery,
    handler: async (request, _reply, { query }) => {
      const { from, to } = viewWindow(query, now(), DAY_MS);
      return patientSummary(db, patientOf(request), from, to);
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/inbox',
    access: { kind: 'session', roles: CARE_ROLES },
    handler: async (request): Promise<InboxView> => {
      const account = accountOf(request);
      const ids = await access.visiblePatientIds(account.accountId, 'alerts');
      // "No data" events are equipment status: asked separately, in case the rules ever part them.
      const statusIds = await access.visiblePatientIds(account.accountId, 'status');
      await recordAccess(db, { accountId: account.accountId, action: 'inbox.list', patientIds: [...new Set([...ids, ...statusIds])] });
      const alerts = await inboxAlerts(db, ids, now() - 7 * DAY_MS);
      await markAlertsShown(db, alerts.map((a) => a.alertId), now());
      return { alerts, deviceEvents: await inboxDeviceEvents(db, statusIds) };
    },
  });

  // The alert's page: its stages from the bracelet to the acknowledgement (issue 16).
  defineRoute(app, {
    method: 'GET',
    url: '/api/alerts/:alertId',
    access: { kind: 'session', roles: CARE_ROLES },
    handler: async (request): Promise<AlertTimelineView> => {
      const account = accountOf(request);
      const { alertId } = request.params as { alertId?: string };
      const found = isUuid(alertId) ? await loadAlertTimeline(db, alertId) : null;
      if (!found?.patientId || !(await access.canSee(account.accountId, found.patientId, 'alerts'))) {
        await recordAccess(db, { accountId: account.accountId, action: 'patient.denied', patientIds: found?.patientId ? [found.patientId] : [], detail: { route: request.routeOptions.url } });
        throw portalErrors.create('PORTAL_ALERT_NOT_FOUND');
      }
      await recordAccess(db, { accountId: account.accountId, action: 'patient.alerts', patientIds: [found.patientId], detail: { alertId: found.alert.alertId } });
      if (!found.stages.some((s) => s.stage === 'shown_in_portal')) {
        await markAlertsShown(db, [found.alert.alertId], now());
        return (await loadAlertTimeline(db, found.alert.alertId))!;
      }
      return found;
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/alerts/:alertId/acknowledge',
    access: { kind: 'session', roles: CARE_ROLES },
    handler: async (request, reply): Promise<AcknowledgeAnswer> => {
      const account = accountOf(request);
      const { alertId } = request.params as { alertId?: string };
      const found = isUuid(alertId) ? await loadAlert(db, alertId) : null;
      if (!found?.patientId || !(await access.canSee(account.accountId, found.patientId, 'alerts'))) {
        await recordAccess(db, { accountId: account.accountId, action: 'patient.denied', patientIds: found?.patientId ? [found.patientId] : [], detail: { route: request.routeOptions.url } });
        throw portalErrors.create('PORTAL_ALERT_NOT_FOUND');
      }
      await recordAccess(db, { accountId: account.accountId, action: 'alert.acknowledge', patientIds: [found.patientId], detail: { alertId } });
      // Already taken in charge or over: nothing to send.
      if (found.alert.state === 'acknowledged' || found.alert.state === 'closed') return { alertId: found.alert.alertId, queued: false };
      const { queued } = await acknowledgeOnBox(db, { alertId: found.alert.alertId, accountId: account.accountId, displayName: account.displayName, at: now() });
      void reply.code(202);
      return { alertId: found.alert.alertId, queued };
    },
  });
}
