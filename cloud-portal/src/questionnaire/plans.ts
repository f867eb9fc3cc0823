/**
 * Per-patient questionnaire plans: which questions (versions), on which days, reminded at which
 * hour. Versioned: saving adds a version and moves `questionnaire_current_plans`. SQL on the
 * `Queryable` port.
 */
import type { Queryable } from '@vigie/cloud-store';
import { questionsById, type BankQuestion } from './question-bank.ts';
import { localDate, type AnchoredSchedule, type Schedule } from './schedule.ts';

/** A plan version as the store holds it. */
export interface Plan {
  readonly patientId: string;
  readonly version: number;
  readonly questionIds: readonly string[];
  readonly schedule: AnchoredSchedule;
  readonly createdBy: string | null;
  readonly createdAt: number;
}

export interface PlanRow {
  patient_id: string;
  version: number;
  question_ids: string[];
  kind: Schedule['kind'];
  every_n_days: number | null;
  weekdays: number[] | null;
  anchor_date: string | Date;
  reminder_time: string;
  time_zone: string;
  created_by: string | null;
  created_at: Date;
}

/** `date` columns come back as text from PostgreSQL with our type parser, as Date from some drivers. */
export const dateText = (d: string | Date): string => (typeof d === 'string' ? d.slice(0, 10) : d.toISOString().slice(0, 10));

export function toPlan(r: PlanRow): Plan {
  return {
    patientId: r.patient_id,
    version: r.version,
    questionIds: r.question_ids,
    schedule: {
      kind: r.kind,
      ...(r.every_n_days === null ? {} : { everyNDays: r.every_n_days }),
      ...(r.weekdays === null ? {} : { weekdays: r.weekdays }),
      reminderTime: r.reminder_time,
      timeZone: r.time_zone,
      anchorDate: dateText(r.anchor_date),
    },
    createdBy: r.created_by,
    createdAt: r.created_at.getTime(),
  };
}

export const PLAN_COLUMNS = `p.patient_id, p.version, p.question_ids, p.kind, p.every_n_days, p.weekdays, p.anchor_date::text AS anchor_date,
  p.reminder_time, p.time_zone, p.created_by, p.created_at`;

/** The patient's current plan, or null when the doctor set none. */
export async function currentPlan(q: Queryable, patientId: string): Promise<Plan | null> {
  const { rows } = await q.query<PlanRow>(
    `SELECT ${PLAN_COLUMNS} FROM questionnaire_current_plans c JOIN questionnaire_plans p USING (patient_id, version) WHERE c.patient_id = $1`,
    [patientId],
  );
  return rows[0] ? toPlan(rows[0]) : null;
}

/** A plan version of the patient, or null. */
export async function planVersion(q: Queryable, patientId: string, version: number): Promise<Plan | null> {
  const { rows } = await q.query<PlanRow>(`SELECT ${PLAN_COLUMNS} FROM questionnaire_plans p WHERE p.patient_id = $1 AND p.version = $2`, [patientId, version]);
  return rows[0] ? toPlan(rows[0]) : null;
}

/**
 * Save a new version of the patient's plan (the caller checked the questions are usable). The
 * every-N-days count starts on the local date of the save. Versions are numbered under a lock on
 * the patient's current-plan row, so two saves at once get two versions.
 */
export async function savePlan(
  tx: Queryable,
  input: { patientId: string; questionIds: readonly string[]; schedule: Schedule; createdBy: string; now: number },
): Promise<Plan> {
  await tx.query('SELECT id FROM patients WHERE id = $1 FOR UPDATE', [input.patientId]);
  const top = await tx.query<{ version: number | null }>('SELECT max(version) AS version FROM questionnaire_plans WHERE patient_id = $1', [input.patientId]);
  const version = (top.rows[0]?.version ?? 0) + 1;
  const s = input.schedule;
  const anchor = localDate(input.now, s.timeZone);
  await tx.query(
    `INSERT INTO questionnaire_plans (patient_id, version, question_ids, kind, every_n_days, weekdays, anchor_date, reminder_time, time_zone, created_by, created_at)
     VALUES ($1, $2, $3::uuid[], $4, $5, $6::int[], $7, $8, $9, $10, $11)`,
    [
      input.patientId,
      version,
      input.questionIds,
      s.kind,
      s.kind === 'every_n_days' ? (s.everyNDays ?? null) : null,
      s.kind === 'weekdays' ? [...new Set(s.weekdays ?? [])].sort() : null,
      anchor,
      s.reminderTime,
      s.timeZone,
      input.createdBy,
      new Date(input.now).toISOString(),
    ],
  );
  await tx.query(
    `INSERT INTO questionnaire_current_plans (patient_id, version) VALUES ($1, $2)
     ON CONFLICT (patient_id) DO UPDATE SET version = EXCLUDED.version`,
    [input.patientId, version],
  );
  return (await planVersion(tx, input.patientId, version))!;
}

/** The plan as the doctor's page reads it. */
export interface PlanView {
  readonly version: number;
  readonly questions: BankQuestion[];
  readonly schedule: Schedule;
  readonly updatedAt: string;
  readonly updatedBy: string | null;
}

export async function planView(q: Queryable, plan: Plan, viewer: string | null): Promise<PlanView> {
  const who = plan.createdBy ? await q.query<{ display_name: string }>('SELECT display_name FROM accounts WHERE id = $1', [plan.createdBy]) : null;
  const { anchorDate: _anchor, ...schedule } = plan.schedule;
  return {
    version: plan.version,
    questions: await questionsById(q, plan.questionIds, viewer),
    schedule,
    updatedAt: new Date(plan.createdAt).toISOString(),
    updatedBy: who?.rows[0]?.display_name ?? null,
  };
}
