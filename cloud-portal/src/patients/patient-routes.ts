import type { FastifyInstance } from 'fastify';
import type { Db } from '@vigie/cloud-store';
import { recordAccess } from '../access/access-log.ts';
import type { PatientAccess } from '../access/patient-access.ts';
import { defineRoute } from '../access/route-access.ts';
import { invalidQuery } from '../http/request-input.ts';
import { listAlerts } from './alert-views.ts';
import { markAlertsShown } from './alert-timeline.ts';
import { listPatients } from './patient-list.ts';

function intParam(query: Record<string, unknown>, name: string, fallback: number, min: number, max: number): number {
  const raw = query[name];
  if (raw === undefined) return fallback;
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= min && n <= max)) throw invalidQuery(name, `must be an integer from ${min} to ${max}`);
  return n;
}

/**
 * `GET /api/patients` (the patients an account is linked to, by name) and
 * `GET /api/patients/:id/alerts` (a patient's latest alerts): what every patient page reads
 * beside its own route. The charts come from the care team's dashboard (`views/care-views.ts`).
 */
export function registerPatientRoutes(
  app: FastifyInstance,
  deps: { db: Db; access: PatientAccess; now: () => number },
): void {
  const { db, access } = deps;

  // The list names every patient the caller is linked to, relatives included (no medical value).
  defineRoute(app, { method: 'GET', url: '/api/patients', access: { kind: 'session' }, handler: async (request) => {
    const accountId = request.account!.accountId;
    const ids = await access.visiblePatientIds(accountId);
    await recordAccess(db, { accountId, action: 'patients.list', patientIds: ids });
    return { patients: await listPatients(db, ids) };
  } });

  defineRoute(app, { method: 'GET', url: '/api/patients/:id/alerts', access: { kind: 'patient', data: 'alerts', action: 'patient.alerts' }, handler: async (request) => {
    const limit = intParam(request.query as Record<string, unknown>, 'limit', 50, 1, 500);
    const alerts = await listAlerts(db, request.patientId!, limit);
    await markAlertsShown(db, alerts.map((a) => a.alertId), deps.now());
    return { alerts };
  } });
}
