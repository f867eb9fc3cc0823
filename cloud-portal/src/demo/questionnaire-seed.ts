import type { Queryable } from '@vigie/cloud-store';
import { savePlan } from '../questionnaire/plans.ts';
import { addDays, localDate } from '../questionnaire/schedule.ts';

/** The demo's questions (bank link ids) and a few days of answers: fatigue gets worse. */
const LINKS = ['pain', 'appetite', 'fatigue', 'morale'] as const;
const ANSWERS: Readonly<Record<(typeof LINKS)[number], readonly string[]>> = {
  pain: ['positive', 'positive', 'neutral'],
  appetite: ['positive', 'neutral', 'neutral'],
  fatigue: ['neutral', 'negative', 'negative'],
  morale: ['positive', 'positive', 'positive'],
};

/**
 * The demo patient's questionnaire: daily at 10:00 (Paris), four bank questions, set by the demo
 * doctor; on the first seed (no plan yet) also the answers of the `days` days before today, given
 * by the patient. Idempotent.
 */
export async function seedDemoQuestionnaire(tx: Queryable, input: { patientId: string; doctorId: string; now: number; days: number }): Promise<void> {
  const existing = await tx.query('SELECT 1 FROM questionnaire_current_plans WHERE patient_id = $1', [input.patientId]);
  if (existing.rows.length > 0) return;
  const { rows } = await tx.query<{ id: string; link_id: string }>(
    "SELECT id, link_id FROM questionnaire_questions WHERE origin = 'bank' AND superseded_at IS NULL AND link_id = ANY($1::text[])",
    [LINKS],
  );
  const byLink = new Map(rows.map((r) => [r.link_id, r.id]));
  const questionIds = LINKS.map((l) => byLink.get(l)!);
  const plan = await savePlan(tx, {
    patientId: input.patientId,
    questionIds,
    schedule: { kind: 'daily', reminderTime: '10:00', timeZone: 'Europe/Paris' },
    createdBy: input.doctorId,
    now: input.now,
  });
  const today = localDate(input.now, 'Europe/Paris');
  const first = addDays(today, -input.days);
  await tx.query('UPDATE questionnaire_plans SET anchor_date = $3 WHERE patient_id = $1 AND version = $2', [input.patientId, plan.version, first]);
  const patientAccount = await tx.query<{ account_id: string }>("SELECT account_id FROM care_links WHERE patient_id = $1 AND relation = 'patient' LIMIT 1", [input.patientId]);
  for (let i = 0; i < input.days; i++) {
    const day = addDays(first, i);
    const answeredAt = new Date(Date.parse(`${day}T09:12:00Z`)).toISOString();
    const response = await tx.query<{ id: string }>(
      `INSERT INTO questionnaire_responses (patient_id, slot_date, plan_version, client_id, answered_by, answered_as, answered_at, received_at)
       VALUES ($1, $2, $3, gen_random_uuid(), $4, 'patient', $5, $5) ON CONFLICT DO NOTHING RETURNING id`,
      [input.patientId, day, plan.version, patientAccount.rows[0]?.account_id ?? null, answeredAt],
    );
    const id = response.rows[0]?.id;
    if (!id) continue;
    await tx.query(
      `INSERT INTO questionnaire_answers (response_id, patient_id, slot_date, question_id, link_id, answer)
       SELECT $1, $2, $3, q, l, a FROM unnest($4::uuid[], $5::text[], $6::text[]) AS t (q, l, a)`,
      [id, input.patientId, day, questionIds, [...LINKS], LINKS.map((l) => ANSWERS[l][i % 3])],
    );
  }
}
