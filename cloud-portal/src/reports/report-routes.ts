/**
 * The portal's side of the periodic reports (issue 13): the doctor sets a patient's frequency and
 * asks for a report now; the care team lists and downloads reports (nurses read-only); a doctor
 * shares one with a relative or the patient, who then — and only then — may download it. Support
 * sees the requests that could not be served (no medical content).
 *
 * The PDFs are in the object store the runtime hands in (`PortalReports`): the portal streams them
 * after the same access checks and audit as any medical read. Requests are recorded here (the
 * idempotency key makes a double click one report) and handed to the transport by `publish()`.
 */
import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import type { Db } from '@vigie/cloud-store';
import { CalendarDate, parisToday, periodProblem, Uuid } from '@vigie/protocol';
import { recordAccess } from '../access/access-log.ts';
import type { PatientAccess } from '../access/patient-access.ts';
import { defineRoute } from '../access/route-access.ts';
import { portalErrors } from '../errors.ts';
import { isUuid } from '../http/request-input.ts';

/** What the runtime lends the portal: the object store and the request transport. */
export interface PortalReports {
  /** False when this process has no object store (a portal without VIGIE_S3_ENDPOINT). */
  readonly available: boolean;
  /** A stream of the stored PDF. */
  open(objectKey: string): Promise<Readable>;
  /** Hand the recorded, unpublished requests to the transport (Kafka or the database queue). */
  publish(): Promise<void>;
}

const ScheduleBody = Type.Object(
  {
    frequency: Type.Union([Type.Literal('weekly'), Type.Literal('biweekly'), Type.Literal('monthly'), Type.Literal('custom')]),
    customDays: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 366 }), Type.Null()])),
    anchorDate: CalendarDate,
  },
  { additionalProperties: false },
);

const RequestBody = Type.Object({ from: CalendarDate, to: CalendarDate }, { additionalProperties: false });
const ShareBody = Type.Object({ accountId: Uuid }, { additionalProperties: false });

const invalid = (field: string, message: string) => portalErrors.create('PORTAL_INVALID_REQUEST', { message: `${field}: ${message}`, details: { field } });
const notFound = () => portalErrors.create('PORTAL_REPORT_NOT_FOUND');

interface ReportRow {
  id: string;
  patient_id: string;
  from: string;
  to: string;
  kind: string;
  locale: string;
  size_bytes: number;
  pages: number;
  created_at: Date;
  object_key: string;
}

const REPORT_COLUMNS = `r.id, r.patient_id, r.period_from::text AS "from", r.period_to::text AS "to", r.kind, r.locale, r.size_bytes, r.pages, r.created_at, r.object_key`;
const toReport = (r: ReportRow) => ({ id: r.id, patientId: r.patient_id, from: r.from, to: r.to, kind: r.kind, locale: r.locale, sizeBytes: r.size_bytes, pages: r.pages, createdAt: r.created_at.getTime() });

/** Register the report routes. */
export function registerReportRoutes(app: FastifyInstance, deps: { db: Db; access: PatientAccess; now: () => number; reports?: PortalReports }): void {
  const { db, access, now } = deps;

  defineRoute(app, {
    method: 'GET',
    url: '/api/patients/:id/reports',
    access: { kind: 'patient', data: 'reports', action: 'patient.reports' },
    handler: async (request) => {
      const patientId = request.patientId!;
      const reports = await db.query<ReportRow>(`SELECT ${REPORT_COLUMNS} FROM reports r WHERE r.patient_id = $1 ORDER BY r.period_from DESC, r.created_at DESC LIMIT 200`, [patientId]);
      const schedule = await db.query<{ frequency: string; custom_days: number | null; anchor_date: string }>(
        `SELECT frequency, custom_days, anchor_date::text AS anchor_date FROM report_schedules WHERE patient_id = $1`,
        [patientId],
      );
      const pending = await db.query<{ id: string; from: string; to: string; kind: string; state: string }>(
        `SELECT id, period_from::text AS "from", period_to::text AS "to", kind, state FROM report_requests r
          WHERE patient_id = $1 AND state <> 'done' ORDER BY requested_at DESC LIMIT 50`,
        [patientId],
      );
      const s = schedule.rows[0];
      return {
        schedule: s ? { frequency: s.frequency, customDays: s.custom_days, anchorDate: s.anchor_date } : null,
        reports: reports.rows.map(toReport),
        pending: pending.rows,
      };
    },
  });

  defineRoute(app, {
    method: 'PUT',
    url: '/api/patients/:id/report-schedule',
    access: { kind: 'patient', data: 'reports', roles: ['doctor'], action: 'report.schedule' },
    body: ScheduleBody,
    handler: async (request, _reply, { body }) => {
      const custom = body.frequency === 'custom';
      if (custom !== (body.customDays !== undefined && body.customDays !== null)) {
        throw invalid('/customDays', custom ? 'is required with the custom frequency' : 'is only for the custom frequency');
      }
      await db.query(
        `INSERT INTO report_schedules (patient_id, frequency, custom_days, anchor_date, set_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
         ON CONFLICT (patient_id) DO UPDATE SET frequency = EXCLUDED.frequency, custom_days = EXCLUDED.custom_days,
           anchor_date = EXCLUDED.anchor_date, set_by = EXCLUDED.set_by, updated_at = EXCLUDED.updated_at`,
        [request.patientId, body.frequency, custom ? body.customDays : null, body.anchorDate, request.account!.accountId, new Date(now()).toISOString()],
      );
      return { schedule: { frequency: body.frequency, customDays: custom ? body.customDays : null, anchorDate: body.anchorDate } };
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/patients/:id/reports',
    access: { kind: 'patient', data: 'reports', roles: ['doctor'], action: 'report.request' },
    body: RequestBody,
    handler: async (request, reply, { body }) => {
      const problem = periodProblem(body, parisToday(now()));
      if (problem) throw invalid(`/${problem.field}`, problem.message);
      const { rows } = await db.query<{ id: string; state: string; created: boolean }>(
        `INSERT INTO report_requests (patient_id, period_from, period_to, kind, requested_by, requested_at) VALUES ($1, $2, $3, 'on_demand', $4, $5)
         ON CONFLICT ON CONSTRAINT report_requests_key DO UPDATE
           -- A request given up on (dead-lettered) is asked again: back to pending, published anew.
           SET state = CASE WHEN report_requests.state = 'dead' THEN 'pending' ELSE report_requests.state END,
               published_at = CASE WHEN report_requests.state = 'dead' THEN NULL ELSE report_requests.published_at END,
               attempts = CASE WHEN report_requests.state = 'dead' THEN 0 ELSE report_requests.attempts END
         RETURNING id, state, (xmax = 0) AS created`,
        [request.patientId, body.from, body.to, request.account!.accountId, new Date(now()).toISOString()],
      );
      // Published now when the transport answers; otherwise the scheduler's next pass does it.
      await deps.reports?.publish().catch((err: unknown) => request.log.warn({ err }, 'report request recorded, not yet published'));
      void reply.code(rows[0]!.created ? 202 : 200);
      return { requestId: rows[0]!.id, state: rows[0]!.state };
    },
  });

  /** The report if `accountId` may read it: its care team (doctor, nurse) or the one it was shared with. */
  const readable = async (accountId: string, reportId: string): Promise<ReportRow | null> => {
    if (!isUuid(reportId)) return null;
    const { rows } = await db.query<ReportRow>(`SELECT ${REPORT_COLUMNS} FROM reports r JOIN patients p ON p.id = r.patient_id WHERE r.id = $1 AND p.deleted_at IS NULL`, [reportId]);
    const report = rows[0];
    if (!report) return null;
    if (await access.canSee(accountId, report.patient_id, 'reports')) return report;
    const shared = await db.query(
      `SELECT 1 FROM report_shares s JOIN care_links l ON l.patient_id = s.patient_id AND l.account_id = s.account_id AND l.removed_at IS NULL
        WHERE s.report_id = $1 AND s.account_id = $2`,
      [reportId, accountId],
    );
    return shared.rowCount > 0 ? report : null;
  };

  defineRoute(app, {
    method: 'GET',
    url: '/api/reports/:reportId/file',
    access: { kind: 'session' },
    handler: async (request, reply) => {
      const accountId = request.account!.accountId;
      const { reportId } = request.params as { reportId: string };
      const report = await readable(accountId, reportId);
      if (!report) {
        await recordAccess(db, { accountId, action: 'patient.denied', detail: { route: 'report.download', reportId: isUuid(reportId) ? reportId : null } });
        throw notFound();
      }
      if (!deps.reports?.available) throw portalErrors.create('PORTAL_REPORTS_UNAVAILABLE');
      await recordAccess(db, { accountId, action: 'report.download', patientIds: [report.patient_id], detail: { reportId: report.id } });
      const stream = await deps.reports.open(report.object_key);
      void reply
        .type('application/pdf')
        .header('content-length', String(report.size_bytes))
        .header('content-disposition', `attachment; filename="vigie-report-${report.from}-${report.to}.pdf"`);
      return reply.send(stream);
    },
  });

  defineRoute(app, {
    method: 'POST',
    url: '/api/reports/:reportId/shares',
    access: { kind: 'session', roles: ['doctor'] },
    body: ShareBody,
    handler: async (request, _reply, { body }) => {
      const accountId = request.account!.accountId;
      const { reportId } = request.params as { reportId: string };
      const report = await readable(accountId, reportId);
      // Only the patient's doctor shares (a nurse cannot: the route is for doctors, and the link must be a doctor's).
      const doctor = report ? await db.query(`SELECT 1 FROM care_links WHERE patient_id = $1 AND account_id = $2 AND relation = 'doctor' AND removed_at IS NULL`, [report.patient_id, accountId]) : null;
      if (!report || !doctor || doctor.rowCount === 0) throw notFound();
      const target = await db.query(
        `SELECT 1 FROM care_links WHERE patient_id = $1 AND account_id = $2 AND relation IN ('relative', 'patient') AND removed_at IS NULL`,
        [report.patient_id, body.accountId],
      );
      if (target.rowCount === 0) throw invalid('/accountId', 'is not a relative or the patient of this report');
      await db.query(`INSERT INTO report_shares (report_id, patient_id, account_id, shared_by) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, [
        report.id,
        report.patient_id,
        body.accountId,
        accountId,
      ]);
      await recordAccess(db, { accountId, action: 'report.share', patientIds: [report.patient_id], detail: { reportId: report.id, with: body.accountId } });
      return { shared: true };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/shared-reports',
    access: { kind: 'session', roles: ['patient', 'relative'] },
    handler: async (request) => {
      const accountId = request.account!.accountId;
      const { rows } = await db.query<ReportRow>(
        `SELECT ${REPORT_COLUMNS} FROM reports r JOIN report_shares s ON s.report_id = r.id
           JOIN care_links l ON l.patient_id = s.patient_id AND l.account_id = s.account_id AND l.removed_at IS NULL
          WHERE s.account_id = $1 ORDER BY r.period_from DESC LIMIT 200`,
        [accountId],
      );
      await recordAccess(db, { accountId, action: 'reports.shared', patientIds: [...new Set(rows.map((r) => r.patient_id))] });
      return { reports: rows.map(toReport) };
    },
  });

  defineRoute(app, {
    method: 'GET',
    url: '/api/report-notifications',
    access: { kind: 'session', roles: ['doctor'] },
    handler: async (request) => {
      const { rows } = await db.query<{ report_id: string; patient_id: string; patient: string; created_at: Date; read_at: Date | null }>(
        `SELECT n.report_id, n.patient_id, p.display_name AS patient, n.created_at, n.read_at FROM report_notifications n
           JOIN patients p ON p.id = n.patient_id JOIN care_links l ON l.patient_id = n.patient_id AND l.account_id = n.account_id AND l.removed_at IS NULL
          WHERE n.account_id = $1 ORDER BY n.created_at DESC LIMIT 100`,
        [request.account!.accountId],
      );
      return { notifications: rows.map((r) => ({ reportId: r.report_id, patientId: r.patient_id, patient: r.patient, createdAt: r.created_at.getTime(), readAt: r.read_at?.getTime() ?? null })) };
    },
  });

  // Support: requests that could not be served. Reasons and ids only (no payload, no name).
  defineRoute(app, {
    method: 'GET',
    url: '/api/support/report-dead-letters',
    access: { kind: 'session', roles: ['support', 'admin'] },
    handler: async () => {
      const { rows } = await db.query<{ id: number; source: string; source_ref: string; request_id: string | null; reason: string; detail: string | null; created_at: Date }>(
        `SELECT id, source, source_ref, request_id, reason, detail, created_at FROM report_dead_letters ORDER BY created_at DESC LIMIT 200`,
      );
      return { deadLetters: rows.map((r) => ({ id: r.id, source: r.source, ref: r.source_ref, requestId: r.request_id, reason: r.reason, detail: r.detail, at: r.created_at.getTime() })) };
    },
  });
}
