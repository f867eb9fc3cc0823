/**
 * Views for people outside the care team: a relative's critical alerts and where each stands, and
 * the patient's own page (is my system working, how to fix it). No medical value in either.
 */
import type { FastifyInstance } from 'fastify';
import type { Db, Queryable } from '@vigie/cloud-store';
import type { Acknowledgement, AlertNotification } from '@vigie/protocol';
import type { MyStatus, RelativeAlert } from '../api-types.ts';
import { recordAccess } from '../access/access-log.ts';
import { defineRoute } from '../access/route-access.ts';
import type { PatientAccess } from '../access/patient-access.ts';
import { portalErrors } from '../errors.ts';
import { BRACELET_AWAY_MS, deviceStatus, latestStatuses } from './device-status.ts';
import { accountOf } from './view-guards.ts';

const DAY_MS = 86_400_000;
/** How far back a relative sees alerts. */
export const RELATIVE_ALERT_DAYS = 30;

/** Critical alerts of `patientIds` raised since `since`, newest first, with their SMS and acknowledgement. */
export async function relativeAlerts(q: Queryable, patientIds: readonly string[], since: number): Promise<RelativeAlert[]> {
  const { rows } = await q.query<{
    alert_id: string;
    patient_id: string;
    display_name: string;
    number: number;
    kind: RelativeAlert['kind'];
    state: RelativeAlert['state'];
    raised_at: Date;
    updated_at: Date;
    notifications: AlertNotification[];
    acknowledgement: Acknowledgement | null;
  }>(
    `SELECT al.alert_id, al.patient_id, p.display_name, al.number, al.kind, al.state, al.raised_at, al.updated_at,
            al.notifications, al.acknowledgement
       FROM alerts al JOIN patients p ON p.id = al.patient_id
      WHERE al.patient_id = ANY($1::uuid[]) AND al.severity = 'critical' AND al.raised_at >= $2
      ORDER BY al.raised_at DESC, al.alert_id LIMIT 100`,
    [patientIds, new Date(since).toISOString()],
  );
  return rows.map((r) => ({
    alertId: r.alert_id,
    patientId: r.patient_id,
    patientName: r.display_name,
    number: r.number,
    kind: r.kind,
    state: r.state,
    raisedAt: r.raised_at.getTime(),
    updatedAt: r.updated_at.getTime(),
    smsSent: r.notifications.filter((n) => n.status === 'sent').map((n) => ({ contact: n.contact, at: n.at })),
    acknowledgement: r.acknowledgement,
  }));
}

/** The patient's own system: box, bracelet, last sync. Null when `patientId` does not exist. */
export async function myStatus(q: Queryable, patientId: string, now: number): Promise<MyStatus | null> {
  const { rows } = await q.query<{ display_name: string; box_id: string | null; last_sync_at: Date | null }>(
    `SELECT p.display_name,
            (SELECT ba.box_id FROM box_assignments ba WHERE ba.patient_id = p.id AND ba.valid_to IS NULL
              ORDER BY ba.valid_from DESC LIMIT 1) AS box_id,
            (SELECT max(last.ts) FROM unnest($2::text[]) AS mt(metric)
               CROSS JOIN LATERAL (SELECT m.ts FROM measurements m WHERE m.patient_id = p.id AND m.metric = mt.metric
                                    ORDER BY m.ts DESC LIMIT 1) AS last) AS last_sync_at
       FROM patients p WHERE p.id = $1`,
    [patientId, ['heart_rate', 'spo2', 'steps', 'bracelet_battery']],
  );
  const row = rows[0];
  if (!row) return null;
  const heartbeats = await latestStatuses(q, row.box_id ? [row.box_id] : []);
  const device = deviceStatus(row.box_id, row.box_id ? heartbeats.get(row.box_id) : undefined, now);
  const braceletConnected = device.lastBraceletContactAt !== null && now - device.lastBraceletContactAt <= BRACELET_AWAY_MS;
  return { patientName: row.display_name, device, lastSyncAt: row.last_sync_at?.getTime() ?? null, braceletConnected };
}

/** Register `GET /api/relative/alerts` and `GET /api/my/status`. */
export function registerPeopleViews(app: FastifyInstance, deps: { db: Db; access: PatientAccess; now: () => number }): void {
  const { db, access, now } = deps;

  defineRoute(app, {
    method: 'GET',
    url: '/api/relative/alerts',
    access: { kind: 'session', roles: ['relative'] },
    handler: async (request) => {
      const account = accountOf(request);
      const ids = await access.visiblePatientIds(account.accountId, 'alerts');
      await recordAccess(db, { accountId: account.accountId, action: 'relative.alerts', patientIds: ids });
      return { alerts: await relativeAlerts(db, ids, now() - RELATIVE_ALERT_DAYS * DAY_MS) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/my/status',
    access: { kind: 'session', roles: ['patient'] },
    handler: async (request) => {
      const account = accountOf(request);
      // The patient's own record: the care link whose relation is 'patient'.
      const ids = await access.visiblePatientIds(account.accountId, 'status');
      const own = ids[0];
      if (!own) throw portalErrors.create('PORTAL_PATIENT_NOT_FOUND');
      await recordAccess(db, { accountId: account.accountId, action: 'patient.status', patientIds: [own] });
      const status = await myStatus(db, own, now());
      if (!status) throw portalErrors.create('PORTAL_PATIENT_NOT_FOUND');
      return status;
    },
  });
}
