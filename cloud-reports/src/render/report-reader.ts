/**
 * The SQL behind a report (`ReportData`). Period bounds are Europe/Paris midnights computed by
 * PostgreSQL (`date::timestamp AT TIME ZONE 'Europe/Paris'`), days are Paris calendar days.
 */
import type { Queryable } from '@vigie/cloud-store';
import { BOX_CONFIG_DEFAULTS } from '@vigie/protocol';
import { addDays, daysBetween } from '@vigie/protocol';
import type { DayStats, OutOfRangeReading, PeriodSummary, QuestionnaireGrid, QuestionnaireRow, ReportAlert, ReportData } from './report-data.ts';

/** The instant a Paris calendar date begins, as SQL over parameter `$n`. */
const parisStart = (n: number) => `($${n}::date::timestamp AT TIME ZONE 'Europe/Paris')`;

/** First out-of-range readings listed one by one (the counts cover them all). */
const OUT_OF_RANGE_LISTED = 20;

interface DayRow {
  day: string;
  metric: string;
  min: number;
  mean: number;
  max: number;
  total: number;
  n: number;
  seconds: number;
}

/** Per-day min/mean/max/sum of each metric of `patientId` over `[from, to)`. */
export async function dailyStats(q: Queryable, patientId: string, from: string, to: string): Promise<DayStats[]> {
  const { rows } = await q.query<DayRow>(
    `SELECT (ts AT TIME ZONE 'Europe/Paris')::date::text AS day, metric,
            min(value)::float8 AS min, avg(value)::float8 AS mean, max(value)::float8 AS max, sum(value)::float8 AS total,
            count(*)::int AS n, sum(coalesce(period_s, 0))::int AS seconds
       FROM measurements
      WHERE patient_id = $1 AND ts >= ${parisStart(2)} AND ts < ${parisStart(3)} AND metric IN ('heart_rate', 'spo2', 'steps')
      GROUP BY 1, 2`,
    [patientId, from, to],
  );
  const byDay = new Map<string, Map<string, DayRow>>();
  for (const r of rows) {
    if (!byDay.has(r.day)) byDay.set(r.day, new Map());
    byDay.get(r.day)!.set(r.metric, r);
  }
  const metric = (r: DayRow | undefined) => (r ? { min: r.min, mean: r.mean, max: r.max, n: r.n } : null);
  return Array.from({ length: daysBetween(from, to) }, (_, i) => {
    const day = addDays(from, i);
    const m = byDay.get(day);
    const hr = m?.get('heart_rate');
    return {
      day,
      heartRate: metric(hr),
      spo2: metric(m?.get('spo2')),
      steps: m?.get('steps')?.total ?? null,
      wornMinutes: Math.round((hr?.seconds ?? 0) / 60),
    };
  });
}

/** The thresholds in force for the patient: those of the latest configuration saved for them, else the defaults. */
async function thresholds(q: Queryable, patientId: string): Promise<ReportData['thresholds']> {
  const { rows } = await q.query<{ t: { heartRateLow?: number; heartRateHigh?: number; spo2Min?: number } | null }>(
    `SELECT config->'thresholds' AS t FROM box_config_versions WHERE patient_id = $1 ORDER BY changed_at DESC, version DESC LIMIT 1`,
    [patientId],
  );
  const t = rows[0]?.t ?? {};
  const d = BOX_CONFIG_DEFAULTS.thresholds;
  return { heartRateLow: t.heartRateLow ?? d.heartRateLow, heartRateHigh: t.heartRateHigh ?? d.heartRateHigh, spo2Min: t.spo2Min ?? d.spo2Min };
}

const OUT_OF_RANGE_WHERE = `patient_id = $1 AND ts >= ${parisStart(2)} AND ts < ${parisStart(3)}
  AND ((metric = 'heart_rate' AND (value < $4 OR value > $5)) OR (metric = 'spo2' AND value < $6))`;

async function outOfRange(q: Queryable, patientId: string, from: string, to: string, t: ReportData['thresholds']): Promise<ReportData['outOfRange']> {
  const params = [patientId, from, to, t.heartRateLow, t.heartRateHigh, t.spo2Min];
  const counts = await q.query<{ metric: string; n: number }>(`SELECT metric, count(*)::int AS n FROM measurements WHERE ${OUT_OF_RANGE_WHERE} GROUP BY metric`, params);
  const listed = await q.query<{ metric: 'heart_rate' | 'spo2'; ts: Date; value: number }>(
    `SELECT metric, ts, value FROM measurements WHERE ${OUT_OF_RANGE_WHERE} ORDER BY ts, metric LIMIT ${OUT_OF_RANGE_LISTED}`,
    params,
  );
  const n = (m: string) => counts.rows.find((r) => r.metric === m)?.n ?? 0;
  const first: OutOfRangeReading[] = listed.rows.map((r) => ({
    metric: r.metric,
    at: r.ts.getTime(),
    value: r.value,
    side: r.metric === 'spo2' || r.value < t.heartRateLow ? 'low' : 'high',
  }));
  return { heartRate: n('heart_rate'), spo2: n('spo2'), first };
}

async function alerts(q: Queryable, patientId: string, from: string, to: string): Promise<ReportAlert[]> {
  const { rows } = await q.query<{ number: number; kind: string; severity: string; state: string; raised_at: Date; ack: { by: string; via: string; at: number } | null }>(
    `SELECT number, kind, severity, state, raised_at, acknowledgement AS ack FROM alerts
      WHERE patient_id = $1 AND raised_at >= ${parisStart(2)} AND raised_at < ${parisStart(3)} ORDER BY raised_at, number`,
    [patientId, from, to],
  );
  return rows.map((r) => ({
    number: r.number,
    kind: r.kind,
    severity: r.severity,
    state: r.state,
    raisedAt: r.raised_at.getTime(),
    acknowledgedAt: r.ack?.at ?? null,
    acknowledgedBy: r.ack?.by ?? null,
    acknowledgedVia: r.ack?.via ?? null,
  }));
}

async function availability(q: Queryable, patientId: string, from: string, to: string): Promise<ReportData['availability']> {
  const hb = await q.query<{ hours: number }>(
    `SELECT count(DISTINCT date_trunc('hour', h.at))::int AS hours
       FROM heartbeats h JOIN box_assignments a ON a.box_id = h.box_id
      WHERE a.patient_id = $1 AND h.at >= a.valid_from AND (a.valid_to IS NULL OR h.at < a.valid_to)
        AND h.at >= ${parisStart(2)} AND h.at < ${parisStart(3)}`,
    [patientId, from, to],
  );
  const battery = await q.query<{ min: number | null; last: number | null }>(
    `SELECT min(value)::float8 AS min,
            (SELECT value FROM measurements WHERE patient_id = $1 AND metric = 'bracelet_battery' AND ts >= ${parisStart(2)} AND ts < ${parisStart(3)} ORDER BY ts DESC LIMIT 1)::float8 AS last
       FROM measurements WHERE patient_id = $1 AND metric = 'bracelet_battery' AND ts >= ${parisStart(2)} AND ts < ${parisStart(3)}`,
    [patientId, from, to],
  );
  const hours = await q.query<{ h: number }>(`SELECT (extract(epoch FROM ${parisStart(2)} - ${parisStart(1)}) / 3600)::int AS h`, [from, to]);
  return { boxOnlineHours: hb.rows[0]!.hours, periodHours: hours.rows[0]!.h, batteryMin: battery.rows[0]!.min, batteryLast: battery.rows[0]!.last };
}

/**
 * Each Paris day of `[$2, $3)` with the patient's questionnaire plan in force that day (the latest
 * version anchored on or before it: a plan version is anchored on the day it was saved), whether
 * the questionnaire was due (the schedule of issue 12: daily, every N days from the anchor, ISO
 * weekdays), answered, and over (before the day the report was asked for, `$4`).
 */
const QUESTIONNAIRE_DAYS = `q_days AS (
    SELECT g.d::date AS day FROM generate_series($2::date, $3::date - 1, interval '1 day') AS g(d)
  ), q_slots AS (
    SELECT d.day, p.version AS plan_version,
           coalesce(p.kind = 'daily'
                    OR (p.kind = 'every_n_days' AND (d.day - p.anchor_date) % p.every_n_days = 0)
                    OR (p.kind = 'weekdays' AND extract(isodow FROM d.day)::int = ANY (p.weekdays)), false) AS due,
           EXISTS (SELECT 1 FROM questionnaire_responses r WHERE r.patient_id = $1 AND r.slot_date = d.day) AS answered,
           d.day < ($4::timestamptz AT TIME ZONE 'Europe/Paris')::date AS over
      FROM q_days d
      LEFT JOIN LATERAL (
        SELECT qp.version, qp.kind, qp.every_n_days, qp.weekdays, qp.anchor_date FROM questionnaire_plans qp
         WHERE qp.patient_id = $1 AND qp.anchor_date <= d.day ORDER BY qp.version DESC LIMIT 1
      ) p ON true
  )`;

/**
 * The questionnaire section over `[from, to)`: one row per question (those of the plans in force
 * in the period, in the latest plan's order, then any other question answered), its text in the
 * report's language as the patient saw it; per day the answer's label; the days due, answered and
 * missed; and the negative streaks (≥ 2 negative answers in a row over the days that were due or
 * answered: a day off the schedule does not break a streak, a missed day does). Null when no plan
 * was in force and nothing was answered in the period.
 */
export async function questionnaireGrid(
  q: Queryable,
  patientId: string,
  from: string,
  to: string,
  locale: 'fr' | 'en',
  requestedAt: number,
): Promise<QuestionnaireGrid | null> {
  const asked = new Date(requestedAt).toISOString();
  const slots = await q.query<{ day: string; plan_version: number | null; due: boolean; answered: boolean; over: boolean }>(
    `WITH ${QUESTIONNAIRE_DAYS} SELECT day::text AS day, plan_version, due, answered, over FROM q_slots ORDER BY day`,
    [patientId, from, to, asked],
  );
  const planVersions = [...new Set(slots.rows.flatMap((r) => (r.plan_version === null ? [] : [r.plan_version])))];
  const questions = await q.query<{ link_id: string; text: string }>(
    `SELECT link_id, text FROM (
       SELECT DISTINCT ON (qq.link_id) qq.link_id, CASE WHEN $5 = 'en' THEN qq.text_en ELSE qq.text_fr END AS text, src.plan_version, src.ord
         FROM (SELECT o.id, p.version AS plan_version, o.ord
                 FROM questionnaire_plans p CROSS JOIN LATERAL unnest(p.question_ids) WITH ORDINALITY AS o(id, ord)
                WHERE p.patient_id = $1 AND p.version = ANY ($4::int[])
               UNION ALL
               SELECT a.question_id, NULL, NULL FROM questionnaire_answers a
                WHERE a.patient_id = $1 AND a.slot_date >= $2::date AND a.slot_date < $3::date) src
         JOIN questionnaire_questions qq ON qq.id = src.id
        ORDER BY qq.link_id, src.plan_version DESC NULLS LAST, src.ord, qq.version DESC
     ) x ORDER BY plan_version DESC NULLS LAST, ord, link_id`,
    [patientId, from, to, planVersions, locale],
  );
  if (questions.rows.length === 0) return null;
  const answers = await q.query<{ day: string; link_id: string; answer: string; label: string }>(
    `SELECT a.slot_date::text AS day, a.link_id, a.answer, qq.options -> a.answer ->> $4 AS label
       FROM questionnaire_answers a JOIN questionnaire_questions qq ON qq.id = a.question_id
      WHERE a.patient_id = $1 AND a.slot_date >= $2::date AND a.slot_date < $3::date`,
    [patientId, from, to, locale],
  );
  const streaks = await q.query<{ link_id: string; from: string; to: string; length: number }>(
    `WITH ${QUESTIONNAIRE_DAYS}, q_seq AS (
       SELECT day, row_number() OVER (ORDER BY day) AS n FROM q_slots WHERE due OR answered
     ), q_neg AS (
       SELECT a.link_id, s.day, s.n - row_number() OVER (PARTITION BY a.link_id ORDER BY s.n) AS run
         FROM questionnaire_answers a JOIN q_seq s ON s.day = a.slot_date
        WHERE a.patient_id = $1 AND a.answer = 'negative'
     )
     SELECT link_id, min(day)::text AS "from", max(day)::text AS "to", count(*)::int AS length
       FROM q_neg GROUP BY link_id, run HAVING count(*) >= 2 ORDER BY link_id, min(day)`,
    [patientId, from, to, asked],
  );
  const days = slots.rows.map((r) => r.day);
  const byKey = new Map(answers.rows.map((a) => [`${a.link_id}/${a.day}`, a]));
  const rows: QuestionnaireRow[] = questions.rows.map((question) => ({
    question: question.text,
    answers: days.map((day) => {
      const a = byKey.get(`${question.link_id}/${day}`);
      return a ? { label: a.label, negative: a.answer === 'negative' } : null;
    }),
  }));
  const order = new Map(questions.rows.map((r, i) => [r.link_id, i]));
  return {
    days,
    rows,
    dueDays: slots.rows.filter((r) => r.due).length,
    answeredDays: slots.rows.filter((r) => r.answered).length,
    missedDays: slots.rows.filter((r) => r.due && !r.answered && r.over).map((r) => r.day),
    streaks: streaks.rows
      .filter((r) => order.has(r.link_id))
      .sort((a, b) => order.get(a.link_id)! - order.get(b.link_id)! || a.from.localeCompare(b.from))
      .map((r) => ({ question: questions.rows[order.get(r.link_id)!]!.text, from: r.from, to: r.to, length: r.length })),
  };
}

/** Summary figures of one period (the report's and the previous one's), all in SQL. */
export async function periodSummary(q: Queryable, patientId: string, from: string, to: string, t: ReportData['thresholds']): Promise<PeriodSummary> {
  const { rows } = await q.query<{ hr: number | null; spo2: number | null; steps: number | null; worn: number }>(
    `SELECT avg(value) FILTER (WHERE metric = 'heart_rate')::float8 AS hr,
            avg(value) FILTER (WHERE metric = 'spo2')::float8 AS spo2,
            sum(value) FILTER (WHERE metric = 'steps')::float8 AS steps,
            coalesce(sum(coalesce(period_s, 0)) FILTER (WHERE metric = 'heart_rate'), 0)::float8 AS worn
       FROM measurements WHERE patient_id = $1 AND ts >= ${parisStart(2)} AND ts < ${parisStart(3)}`,
    [patientId, from, to],
  );
  const oor = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM measurements WHERE ${OUT_OF_RANGE_WHERE}`, [patientId, from, to, t.heartRateLow, t.heartRateHigh, t.spo2Min]);
  const al = await q.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM alerts WHERE patient_id = $1 AND raised_at >= ${parisStart(2)} AND raised_at < ${parisStart(3)}`,
    [patientId, from, to],
  );
  const days = daysBetween(from, to);
  const r = rows[0]!;
  return {
    from,
    to,
    heartRateMean: r.hr,
    spo2Mean: r.spo2,
    stepsPerDay: r.steps === null ? null : r.steps / days,
    alerts: al.rows[0]!.n,
    outOfRange: oor.rows[0]!.n,
    wornMinutesPerDay: r.worn / 60 / days,
  };
}

/** Thrown when the patient does not exist or was erased (the caller dead-letters the request). */
export class UnknownPatientError extends Error {}

/**
 * Everything the report of `patientId` over `[from, to)` shows. The previous period is the one of
 * the patient's latest stored report ending on or before `from`, else the period of the same
 * length just before.
 */
export async function readReportData(
  q: Queryable,
  request: { patientId: string; from: string; to: string; requestedAt: number; requestedBy: string | null },
): Promise<ReportData> {
  const { patientId, from, to } = request;
  const p = await q.query<{ display_name: string; birth_year: number | null }>(
    'SELECT display_name, birth_year FROM patients WHERE id = $1 AND erased_at IS NULL AND deleted_at IS NULL',
    [patientId],
  );
  if (!p.rows[0]) throw new UnknownPatientError(patientId);
  const team = await q.query<{ name: string; relation: string; locale: 'fr' | 'en'; id: string }>(
    `SELECT a.id, a.display_name AS name, l.relation, a.locale FROM care_links l JOIN accounts a ON a.id = l.account_id
      WHERE l.patient_id = $1 AND l.removed_at IS NULL AND l.relation IN ('doctor', 'nurse') AND a.disabled_at IS NULL
      ORDER BY l.relation, a.display_name`,
    [patientId],
  );
  // The doctor's language: the one who asked, else the first doctor of the care team, else French.
  const doctor = team.rows.find((r) => r.id === request.requestedBy) ?? team.rows.find((r) => r.relation === 'doctor');
  const t = await thresholds(q, patientId);
  const prev = await q.query<{ from: string; to: string }>(
    `SELECT period_from::text AS "from", period_to::text AS "to" FROM reports WHERE patient_id = $1 AND period_to <= $2 ORDER BY period_to DESC, period_from DESC LIMIT 1`,
    [patientId, from],
  );
  const length = daysBetween(from, to);
  const previousPeriod = prev.rows[0] ?? { from: addDays(from, -length), to: from };
  const previous = await periodSummary(q, patientId, previousPeriod.from, previousPeriod.to, t);
  const hasPrevious = previous.heartRateMean !== null || previous.spo2Mean !== null || previous.stepsPerDay !== null || previous.alerts > 0;
  const locale = doctor?.locale ?? 'fr';
  return {
    locale,
    patient: { id: patientId, name: p.rows[0].display_name, birthYear: p.rows[0].birth_year },
    careTeam: team.rows.map((r) => ({ name: r.name, relation: r.relation })),
    period: { from, to },
    requestedAt: request.requestedAt,
    thresholds: t,
    days: await dailyStats(q, patientId, from, to),
    outOfRange: await outOfRange(q, patientId, from, to, t),
    alerts: await alerts(q, patientId, from, to),
    availability: await availability(q, patientId, from, to),
    current: await periodSummary(q, patientId, from, to, t),
    previous: hasPrevious ? previous : null,
    questionnaire: await questionnaireGrid(q, patientId, from, to, locale, request.requestedAt),
  };
}
