/**
 * Test and bench helpers of the reports (imported as `@vigie/cloud-reports/testing`). Seeded data: a patient with a doctor and a nurse, a box, and
 * `days` days of readings (heart rate every 10 minutes, SpO2 and steps every 30, battery and
 * heartbeats every hour; each heart-rate value a 10-minute mean), some outside the thresholds, a day without any reading, two alerts.
 */
import { randomUUID } from 'node:crypto';
import { createBox, createPatient } from '@vigie/cloud-store/testing';
import { insertMeasurements, type MeasurementRow, type Queryable } from '@vigie/cloud-store';

export interface SeededPatient {
  readonly patientId: string;
  readonly doctorId: string;
  readonly doctorEmail: string;
  readonly nurseId: string;
  readonly boxId: string;
}

/** An account row (no usable password: the reports' tests never log in through this). */
export async function createAccount(q: Queryable, role: string, displayName: string, locale: 'fr' | 'en' = 'fr'): Promise<{ id: string; email: string }> {
  const email = `${role}.${randomUUID().slice(0, 8)}@test.example`;
  const { rows } = await q.query<{ id: string }>(
    `INSERT INTO accounts (email, display_name, role, password_hash, locale) VALUES ($1, $2, $3, 'x', $4) RETURNING id`,
    [email, displayName, role, locale],
  );
  return { id: rows[0]!.id, email };
}

/** Deterministic pseudo-random numbers (a test must see the same rows every run). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1_664_525) + 1_013_904_223) >>> 0) / 2 ** 32);
}

/**
 * Seed one patient. `from` is the first day's start (epoch ms; pass a Europe/Paris midnight, e.g. `parisMidnight`); `gapDay` (index) has no
 * reading at all. Returns the ids.
 */
export async function seedPatient(
  q: Queryable,
  options: { name?: string; from: number; days: number; gapDay?: number | null; seed?: number; locale?: 'fr' | 'en'; doctor?: { id: string; email: string } },
): Promise<SeededPatient> {
  const patientId = await createPatient(q, options.name ?? 'Élise Dupré', 1938);
  const doctor = options.doctor ?? (await createAccount(q, 'doctor', 'Dr Hélène Martin', options.locale ?? 'fr'));
  const nurse = await createAccount(q, 'nurse', 'Inès Lefèvre');
  await q.query(`INSERT INTO care_links (patient_id, account_id, relation) VALUES ($1, $2, 'doctor'), ($1, $3, 'nurse')`, [patientId, doctor.id, nurse.id]);
  const box = await createBox(q, { patientId, since: options.from - 86_400_000 });
  const rnd = lcg(options.seed ?? 42);
  const rows: MeasurementRow[] = [];
  const heartbeats: string[] = [];
  const gap = options.gapDay === undefined ? 3 : options.gapDay;
  for (let d = 0; d < options.days; d++) {
    if (d === gap) continue;
    const day = options.from + d * 86_400_000;
    for (let m = 0; m < 1_440; m += 10) {
      const ts = day + m * 60_000;
      // Mostly 60–95 bpm; about 1 in 150 above 130 (out of range).
      const hr = rnd() < 0.007 ? 135 + Math.round(rnd() * 20) : 60 + Math.round(rnd() * 35);
      rows.push({ patientId, boxId: box.boxId, metric: 'heart_rate', ts, value: hr, periodS: 600 });
      if (m % 30 === 0) {
        const spo2 = rnd() < 0.01 ? 86 + Math.round(rnd() * 3) : 93 + Math.round(rnd() * 5);
        rows.push({ patientId, boxId: box.boxId, metric: 'spo2', ts, value: spo2, periodS: 300 });
        rows.push({ patientId, boxId: box.boxId, metric: 'steps', ts, value: m >= 480 && m < 1_200 ? Math.round(rnd() * 300) : 0, periodS: 1_800 });
      }
      if (m % 60 === 0) {
        rows.push({ patientId, boxId: box.boxId, metric: 'bracelet_battery', ts, value: 100 - ((d * 24 + m / 60) % 80), periodS: null });
        heartbeats.push(new Date(ts).toISOString());
      }
    }
  }
  for (let i = 0; i < rows.length; i += 20_000) await insertMeasurements(q, rows.slice(i, i + 20_000));
  await q.query(
    `INSERT INTO heartbeats (box_id, at, payload) SELECT $1, t, '{}'::jsonb FROM unnest($2::timestamptz[]) AS t`,
    [box.boxId, heartbeats],
  );
  const alert = async (n: number, kind: string, at: number, ack: { by: string; at: number } | null) =>
    q.query(
      `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, acknowledgement)
       VALUES ($1, $2, $3, $4, $5, 'critical', $6, 1, $7, $7, $8)`,
      [randomUUID(), box.boxId, patientId, n, kind, ack ? 'acknowledged' : 'escalated', new Date(at).toISOString(), ack ? JSON.stringify({ ...ack, via: 'sms' }) : null],
    );
  await alert(1, 'fall', options.from + 86_400_000 + 9 * 3_600_000, { by: 'Marc Dupré', at: options.from + 86_400_000 + 9 * 3_600_000 + 240_000 });
  await alert(2, 'hypoxemia', options.from + 5 * 86_400_000 + 22 * 3_600_000, null);
  return { patientId, doctorId: doctor.id, doctorEmail: doctor.email, nurseId: nurse.id, boxId: box.boxId };
}

/** Epoch ms of midnight in Europe/Paris on `date` (YYYY-MM-DD). */
export function parisMidnight(date: string): number {
  const utc = Date.parse(`${date}T00:00:00Z`);
  const hour = Number(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', hour: '2-digit', hourCycle: 'h23' }).format(new Date(utc)));
  return utc - hour * 3_600_000;
}

/** One plan version of {@link seedQuestionnaire}: bank questions by linkId, anchored on `anchor`. */
export interface SeededPlan {
  readonly anchor: string;
  readonly kind: 'daily' | 'every_n_days' | 'weekdays';
  readonly everyNDays?: number;
  readonly weekdays?: readonly number[];
  readonly linkIds: readonly string[];
}

/**
 * Issue 12's questionnaire for a patient, as the portal stores it: plan versions (the last one
 * current) and the responses, `answers[date][linkId]` (as the patient, version 1 of each bank
 * question).
 */
export async function seedQuestionnaire(
  q: Queryable,
  options: { patientId: string; doctorId: string; plans: readonly SeededPlan[]; answers: Readonly<Record<string, Readonly<Record<string, 'positive' | 'neutral' | 'negative'>>>> },
): Promise<void> {
  const bank = await q.query<{ id: string; link_id: string }>(`SELECT id, link_id FROM questionnaire_questions WHERE origin = 'bank' AND version = 1`);
  const idOf = (linkId: string) => bank.rows.find((r) => r.link_id === linkId)?.id ?? assertNever(linkId);
  for (const [i, plan] of options.plans.entries()) {
    await q.query(
      `INSERT INTO questionnaire_plans (patient_id, version, question_ids, kind, every_n_days, weekdays, anchor_date, reminder_time, created_by, created_at)
       VALUES ($1, $2, $3::uuid[], $4, $5, $6::int[], $7::date, '10:00', $8, ($7::date + time '09:00') AT TIME ZONE 'Europe/Paris')`,
      [options.patientId, i + 1, plan.linkIds.map(idOf), plan.kind, plan.everyNDays ?? null, plan.weekdays ?? null, plan.anchor, options.doctorId],
    );
  }
  await q.query('INSERT INTO questionnaire_current_plans (patient_id, version) VALUES ($1, $2)', [options.patientId, options.plans.length]);
  for (const [date, byLink] of Object.entries(options.answers)) {
    const version = options.plans.filter((p) => p.anchor <= date).length;
    const { rows } = await q.query<{ id: string }>(
      `INSERT INTO questionnaire_responses (patient_id, slot_date, plan_version, client_id, answered_as, answered_at, received_at)
       VALUES ($1, $2::date, $3, $4, 'patient', ($2::date + time '10:30') AT TIME ZONE 'Europe/Paris', ($2::date + time '10:30') AT TIME ZONE 'Europe/Paris') RETURNING id`,
      [options.patientId, date, version, randomUUID()],
    );
    for (const [linkId, answer] of Object.entries(byLink)) {
      await q.query(
        'INSERT INTO questionnaire_answers (response_id, patient_id, slot_date, question_id, link_id, answer) VALUES ($1, $2, $3::date, $4, $5, $6)',
        [rows[0]!.id, options.patientId, date, idOf(linkId), linkId, answer],
      );
    }
  }
}

function assertNever(linkId: string): never {
  throw new Error(`no bank question ${linkId}`);
}
