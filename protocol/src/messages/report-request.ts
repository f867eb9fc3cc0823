import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, SchemaVersion, Uuid } from './common.ts';

/** A calendar date, `YYYY-MM-DD` (Europe/Paris for report periods). */
export const CalendarDate = Type.String({ pattern: '^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$', description: 'Calendar date, YYYY-MM-DD' });

/** Who asked for a report: the nightly scheduler, or a doctor from the portal. */
export const ReportRequestKind = Type.Union([Type.Literal('scheduled'), Type.Literal('on_demand')], { description: 'Who asked for the report' });
export type ReportRequestKind = Static<typeof ReportRequestKind>;

/**
 * A request for one patient's PDF report over one period, on `vigie.report-requests` (key: the
 * patient id, so one patient's requests stay in order on one partition) or in the database queue.
 * `(patientId, from, to, kind)` is the idempotency key: however often it is published, it yields
 * one report. The period is `[from, to)` in Europe/Paris calendar days, at most 366 days.
 */
export const ReportRequest = Type.Object(
  {
    v: SchemaVersion,
    requestId: Uuid,
    patientId: Uuid,
    from: CalendarDate,
    to: CalendarDate,
    kind: ReportRequestKind,
    requestedAt: EpochMs,
    /** The doctor's account for an on-demand report; null for the scheduler. */
    requestedBy: Type.Union([Uuid, Type.Null()]),
  },
  { additionalProperties: false, $id: 'ReportRequest' },
);
export type ReportRequest = Static<typeof ReportRequest>;
