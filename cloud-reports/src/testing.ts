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
