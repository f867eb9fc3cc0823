/**
 * Responses to the questionnaire: storing one (checked against the plan version the patient saw,
 * idempotent by the device's client id), and reading them back as the doctor's grid and the
 * nurse's last answers. SQL on the `Queryable` port.
 */
import type { Db, Queryable } from '@vigie/cloud-store';
import { portalErrors } from '../errors.ts';
import { ANSWERS, questionsById, type Answer, type Localized } from './question-bank.ts';
import { planVersion, type Plan } from './plans.ts';
import { addDays, daysBetween, isDate, localDate, slotOn, zonedInstant } from './schedule.ts';

/** How far back a slot may still be answered (an answer typed offline and sent days later). */
export const ANSWER_WINDOW_DAYS = 7;

/** The body of `POST /api/my/questionnaire/responses`. */
export interface ResponseInput {
  readonly patientId: string;
  readonly slotId: string;
  readonly questionnaireVersion: number;
  readonly clientId: string;
  readonly answeredAt: string;
  readonly answers: readonly { readonly linkId: string; readonly answer: string }[];
}

const invalid = (field: string, message: string) =>
  portalErrors.create('QUESTIONNAIRE_INVALID_ANSWER', { message: `${field}: ${message}`, details: { field } });

/**
 * Check a response against plan version `plan` at `now`: the slot is a due day of that plan, not
 * in the future, not older than {@link ANSWER_WINDOW_DAYS}; each question of the plan answered
 * once with one of the three options, nothing else. Throws QUESTIONNAIRE_INVALID_ANSWER naming
 * the field. Answers the question versions by linkId.
 */
export async function checkResponse(q: Queryable, plan: Plan, input: ResponseInput, now: number): Promise<Map<string, { questionId: string; answer: Answer }>> {
  if (!isDate(input.slotId)) throw invalid('/slotId', 'expected a date YYYY-MM-DD');
  const today = localDate(now, plan.schedule.timeZone);
  if (input.slotId > today) throw invalid('/slotId', 'this day is in the future');
  if (daysBetween(input.slotId, today) > ANSWER_WINDOW_DAYS) throw invalid('/slotId', `more than ${ANSWER_WINDOW_DAYS} days ago`);
  if (!slotOn(plan.schedule, input.slotId)) throw invalid('/slotId', 'the questionnaire is not due on this day');
  const questions = await questionsById(q, plan.questionIds);
  const byLink = new Map(questions.map((question) => [question.linkId, question.id]));
  const answers = new Map<string, { questionId: string; answer: Answer }>();
  input.answers.forEach((a, i) => {
    const questionId = byLink.get(a.linkId);
    if (!questionId) throw invalid(`/answers/${i}/linkId`, 'this question is not asked in this questionnaire');
    if (!(ANSWERS as readonly string[]).includes(a.answer)) throw invalid(`/answers/${i}/answer`, 'expected positive, neutral or negative');
    if (answers.has(a.linkId)) throw invalid(`/answers/${i}/linkId`, 'this question is answered twice');
    answers.set(a.linkId, { questionId, answer: a.answer as Answer });
  });
  const missing = [...byLink.keys()].filter((link) => !answers.has(link));
  if (missing.length > 0) throw invalid('/answers', `unanswered: ${missing.join(', ')}`);
  return answers;
}

/** What {@link storeResponse} did. */
export type StoreOutcome = { readonly stored: true; readonly responseId: string } | { readonly stored: false; readonly duplicate: true };

/**
 * Store a response, once: the same clientId again answers `duplicate` (an offline replay);
 * another clientId for an answered slot is QUESTIONNAIRE_SLOT_ANSWERED (409). One transaction:
 * the response and its answers, or nothing. `onStored` runs in that transaction (clear the box's
 * reminder).
 */
export async function storeResponse(
  db: Db,
  input: ResponseInput & { answeredBy: string; answeredAs: 'patient' | 'relative'; now: number },
  onStored?: (tx: Queryable) => Promise<void>,
): Promise<StoreOutcome> {
  return db.transaction(async (tx) => {
    const seen = await tx.query<{ patient_id: string }>('SELECT patient_id FROM questionnaire_responses WHERE client_id = $1', [input.clientId]);
    if (seen.rows[0]) {
      if (seen.rows[0].patient_id !== input.patientId) throw invalid('/clientId', 'already used for another response');
      return { stored: false, duplicate: true } as const;
    }
    const plan = await planVersion(tx, input.patientId, input.questionnaireVersion);
    if (!plan) throw invalid('/questionnaireVersion', 'no such version of this patient\'s questionnaire');
    const answers = await checkResponse(tx, plan, input, input.now);
    const answeredAt = Date.parse(input.answeredAt);
    // A device clock far off must not date an answer in the future (or years back).
    const at = Number.isFinite(answeredAt) && answeredAt <= input.now && input.now - answeredAt < (ANSWER_WINDOW_DAYS + 1) * 86_400_000 ? answeredAt : input.now;
    const { rows } = await tx.query<{ id: string }>(
      `INSERT INTO questionnaire_responses (patient_id, slot_date, plan_version, client_id, answered_by, answered_as, answered_at, received_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT DO NOTHING RETURNING id`,
      [input.patientId, input.slotId, plan.version, input.clientId, input.answeredBy, input.answeredAs, new Date(at).toISOString(), new Date(input.now).toISOString()],
    );
    const id = rows[0]?.id;
    if (!id) {
      // Lost a race: the same clientId (replay) or the slot taken by another response.
      const again = await tx.query('SELECT 1 FROM questionnaire_responses WHERE client_id = $1', [input.clientId]);
      if (again.rows.length > 0) return { stored: false, duplicate: true } as const;
      throw portalErrors.create('QUESTIONNAIRE_SLOT_ANSWERED', { details: { field: '/slotId' } });
    }
    const entries = [...answers.entries()];
    await tx.query(
      `INSERT INTO questionnaire_answers (response_id, patient_id, slot_date, question_id, link_id, answer)
       SELECT $1, $2, $3, q, l, a FROM unnest($4::uuid[], $5::text[], $6::text[]) AS t (q, l, a)`,
      [id, input.patientId, input.slotId, entries.map(([, v]) => v.questionId), entries.map(([k]) => k), entries.map(([, v]) => v.answer)],
    );
    await onStored?.(tx);
    return { stored: true, responseId: id } as const;
  });
}

/** Whether the patient answered slot `slotId`. */
export async function isAnswered(q: Queryable, patientId: string, slotId: string): Promise<boolean> {
  const { rows } = await q.query('SELECT 1 FROM questionnaire_responses WHERE patient_id = $1 AND slot_date = $2', [patientId, slotId]);
  return rows.length > 0;
}

/** One day of the doctor's grid. */
export interface GridDay {
  readonly date: string;
  readonly status: 'answered' | 'missed' | 'pending' | 'not_due';
  readonly answers: Record<string, Answer>;
  readonly answeredBy?: 'patient' | 'relative';
  readonly answeredAt?: string;
}

/** The doctor's grid: questions (rows), days (columns), negative streaks. */
export interface ResponseGrid {
  readonly questions: { linkId: string; text: Localized }[];
  readonly days: GridDay[];
  readonly streaks: { linkId: string; from: string; to: string; length: number }[];
}

/**
 * The responses of `[from, to]` (local dates, inclusive) with each day's status under the current
 * plan: answered; missed (a past due day not answered); pending (today, due, not answered yet);
 * not_due. Rows: the questions of the current plan, then any other question
 * answered in the window. Streaks: two or more consecutive negative answers to one question.
 */
export async function responseGrid(q: Queryable, patientId: string, plan: Plan, from: string, to: string, now: number): Promise<ResponseGrid> {
  const { rows } = await q.query<{ slot_date: string; answered_as: 'patient' | 'relative'; answered_at: Date; link_id: string; answer: Answer; question_id: string }>(
    `SELECT r.slot_date::text AS slot_date, r.answered_as, r.answered_at, a.link_id, a.answer, a.question_id
       FROM questionnaire_responses r JOIN questionnaire_answers a ON a.response_id = r.id
      WHERE r.patient_id = $1 AND r.slot_date BETWEEN $2 AND $3 ORDER BY r.slot_date`,
    [patientId, from, to],
  );
  const current = await questionsById(q, plan.questionIds);
  const extra = [...new Set(rows.map((r) => r.question_id))].filter((id) => !current.some((c) => c.linkId === rows.find((r) => r.question_id === id)!.link_id));
  const others = (await questionsById(q, extra)).filter((question, i, all) => all.findIndex((o) => o.linkId === question.linkId) === i);
  const questions = [...current, ...others].map((question) => ({ linkId: question.linkId, text: question.text }));
  const byDay = new Map<string, typeof rows>();
  for (const r of rows) byDay.set(r.slot_date, [...(byDay.get(r.slot_date) ?? []), r]);
  const today = localDate(now, plan.schedule.timeZone);
  const days: GridDay[] = [];
  for (let date = from; date <= to; date = addDays(date, 1)) {
    const answered = byDay.get(date);
    if (answered) {
      days.push({
        date,
        status: 'answered',
        answers: Object.fromEntries(answered.map((r) => [r.link_id, r.answer])),
        answeredBy: answered[0]!.answered_as,
        answeredAt: answered[0]!.answered_at.toISOString(),
      });
      continue;
    }
    const slot = date <= today ? slotOn(plan.schedule, date) : null;
    const status = !slot ? 'not_due' : daysBetween(date, today) > ANSWER_WINDOW_DAYS || (date < today && slot.dueAt < now) ? 'missed' : 'pending';
    days.push({ date, status, answers: {} });
  }
  return { questions, days, streaks: negativeStreaks(questions.map((x) => x.linkId), days) };
}

/** Runs of at least two consecutive answered days with a negative answer, per question. */
export function negativeStreaks(linkIds: readonly string[], days: readonly GridDay[]): ResponseGrid['streaks'] {
  const streaks: ResponseGrid['streaks'] = [];
  for (const linkId of linkIds) {
    let run: string[] = [];
    const close = () => {
      if (run.length >= 2) streaks.push({ linkId, from: run[0]!, to: run[run.length - 1]!, length: run.length });
      run = [];
    };
    for (const day of days) {
      if (day.status === 'not_due') continue; // a day off the schedule does not break a streak
      if (day.answers[linkId] === 'negative') run.push(day.date);
      else close();
    }
    close();
  }
  return streaks;
}

/** The nurse's summary: the latest response's answers (with the question text), or null. */
export async function lastAnswers(q: Queryable, patientId: string): Promise<{ lastAnswers: { date: string; linkId: string; text: Localized; answer: Answer }[] } | null> {
  const { rows } = await q.query<{ slot_date: string; link_id: string; answer: Answer; text_fr: string; text_en: string }>(
    `SELECT a.slot_date::text AS slot_date, a.link_id, a.answer, qq.text_fr, qq.text_en
       FROM questionnaire_answers a JOIN questionnaire_questions qq ON qq.id = a.question_id
      WHERE a.patient_id = $1 AND a.slot_date = (SELECT max(slot_date) FROM questionnaire_responses WHERE patient_id = $1)
      ORDER BY a.link_id`,
    [patientId],
  );
  if (rows.length === 0) return null;
  return { lastAnswers: rows.map((r) => ({ date: r.slot_date, linkId: r.link_id, text: { fr: r.text_fr, en: r.text_en }, answer: r.answer })) };
}

/** The slot a patient should answer now: today's if due, else the latest unanswered one within the window. */
export async function openSlot(q: Queryable, plan: Plan, now: number): Promise<{ id: string; dueAt: number; answered: boolean } | null> {
  const today = localDate(now, plan.schedule.timeZone);
  let latest: { id: string; dueAt: number; answered: boolean } | null = null;
  for (let i = 0; i <= ANSWER_WINDOW_DAYS; i++) {
    const date = addDays(today, -i);
    if (!slotOn(plan.schedule, date)) continue;
    const answered = await isAnswered(q, plan.patientId, date);
    const slot = { id: date, dueAt: zonedInstant(date, plan.schedule.reminderTime, plan.schedule.timeZone), answered };
    if (i === 0 || !answered) return slot;
    latest ??= slot;
  }
  return latest;
}
