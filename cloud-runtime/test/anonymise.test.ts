/**
 * `vigie-cloud anonymise` (issue 17): a production database with identities everywhere they can
 * be, copied into an empty one. No value of the source's personal columns survives anywhere in the
 * copy (every table dumped as text and searched); each patient's readings, thresholds and alert
 * sequence survive, moved by a whole number of days drawn for each patient. Runs on
 * PostgreSQL 15 in the PostgreSQL pass, on PGlite otherwise.
 */
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBox, createPatient, openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { portalErrors } from '@vigie/cloud-portal';
import { anonymiseDatabase } from '../src/anonymise/anonymise.ts';
import { TABLE_POLICIES } from '../src/anonymise/policy.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 10, 2, 6, 0, 0);

/** Values that must not survive, each distinctive enough to search for as a substring. */
const PERSONAL: string[] = [];
const personal = <T extends string>(v: T): T => (PERSONAL.push(v), v);

async function seedProduction(db: TestDb): Promise<void> {
  const patients = [
    { name: personal('Jeanne Dupontsource'), year: 1938, heart: [72, 75, 140, 138, 70], alerts: ['fall', 'heart_rate_high'] },
    { name: personal('Marcel Lefebvresource'), year: 1931, heart: [55, 38, 36, 60], alerts: ['heart_rate_low'] },
  ];
  const doctorEmail = personal('dr.claire.moreausource@hopital-exemple.fr');
  const doctorId = randomUUID();
  await db.query(`INSERT INTO accounts (id, email, display_name, role, password_hash, phone, totp_secret) VALUES ($1, $2, $3, 'doctor', $4, $5, $6)`, [
    doctorId,
    doctorEmail,
    personal('Docteur Claire Moreausource'),
    personal('scrypt$16384$8$1$c2FsdHNvdXJjZQ$aGFzaHNvdXJjZWhhc2hzb3VyY2U'),
    personal('+33612000111'),
    personal('totp-secret-sealed-source-0001'),
  ]);
  for (const [i, p] of patients.entries()) {
    const patientId = await createPatient(db, p.name, p.year);
    PERSONAL.push(patientId);
    await db.query(`INSERT INTO care_links (patient_id, account_id, relation) VALUES ($1, $2, 'doctor')`, [patientId, doctorId]);
    const box = await createBox(db, { boxId: personal(`VB-PROD-00${i + 1}7`), patientId, since: T0 - 30 * DAY });
    PERSONAL.push(box.token);
    const contactName = personal(i === 0 ? 'Paulette Dupontfille' : 'Robert Lefebvrefils');
    const contactPhone = personal(i === 0 ? '+33611223344' : '+33655667788');
    const config = { contacts: [{ name: contactName, phone: contactPhone, role: 'family', tier: 1 }], alerting: { ackTimeoutMinutes: 5 }, thresholds: { heartRateHigh: 130 + i, heartRateLow: 40 } };
    await db.query(`INSERT INTO box_config_versions (box_id, version, patient_id, config, changed_by) VALUES ($1, 1, $2, $3, $4)`, [box.boxId, patientId, JSON.stringify(config), doctorEmail]);
    // Readings at irregular intervals, some past the thresholds.
    let ts = T0 + i * 3_600_000;
    for (const [k, value] of p.heart.entries()) {
      ts += (k + 1) * 120_000 + i * 7_000;
      await db.query(`INSERT INTO measurements (patient_id, box_id, metric, ts, value) VALUES ($1, $2, 'heart_rate', $3, $4)`, [patientId, box.boxId, new Date(ts), value]);
    }
    for (const [k, kind] of p.alerts.entries()) {
      const raisedAt = T0 + i * 3_600_000 + (k + 1) * 600_000;
      const alertId = randomUUID();
      PERSONAL.push(alertId);
      await db.query(
        `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, notifications, acknowledgement, box_timeline, first_received_at, shown_at)
         VALUES ($1, $2, $3, $4, $5, 'critical', 'acknowledged', 3, $6, $7, $8, $9, $10, $11, $12)`,
        [alertId, box.boxId, patientId, k + 1, kind, new Date(raisedAt), new Date(raisedAt + 60_000),
          JSON.stringify([{ contact: contactName, channel: 'sms', status: 'sent', at: raisedAt + 5_000 }]),
          JSON.stringify({ by: contactName, via: 'sms', at: raisedAt + 50_000 }),
          JSON.stringify({ detectedAt: raisedAt - 2_000, sentAt: raisedAt + 1_000 }), new Date(raisedAt + 3_000), new Date(raisedAt + 4_000)],
      );
    }
  }
  // The questionnaire (a doctor's own question is free text), reports (object keys name the
  // patient's folder), a push subscription (a live credential).
  const [first] = (await db.query<{ id: string }>('SELECT id FROM patients ORDER BY created_at LIMIT 1')).rows;
  const patientId = first!.id;
  const ownQuestion = randomUUID();
  await db.query(`INSERT INTO questionnaire_questions (id, link_id, version, origin, author_id, text_fr, text_en, options) VALUES ($1, 'own-5a1e0001', 1, 'own', $2, $3, $4, $5)`, [
    ownQuestion, doctorId, personal('Jeanne a-t-elle pris son Kardegic-source ?'), personal('Did Jeanne take her Kardegic-source?'),
    JSON.stringify({ positive: { fr: personal('Oui, avec Paulette-source'), en: 'Yes' }, neutral: { fr: 'Un peu', en: 'A little' }, negative: { fr: 'Non', en: 'No' } }),
  ]);
  const bankQuestion = (await db.query<{ id: string }>("SELECT id FROM questionnaire_questions WHERE link_id = 'pain'")).rows[0]!.id;
  await db.query(`INSERT INTO questionnaire_plans (patient_id, version, question_ids, kind, anchor_date, reminder_time, created_by, created_at) VALUES ($1, 1, $2, 'daily', '2026-10-01', '10:00', $3, $4)`, [patientId, [bankQuestion, ownQuestion], doctorId, new Date(T0 - 40 * DAY)]);
  await db.query('INSERT INTO questionnaire_current_plans (patient_id, version) VALUES ($1, 1)', [patientId]);
  const responseId = randomUUID();
  const clientId = personal(randomUUID());
  await db.query(`INSERT INTO questionnaire_responses (id, patient_id, slot_date, plan_version, client_id, answered_by, answered_as, answered_at, received_at) VALUES ($1, $2, '2026-11-02', 1, $3, NULL, 'patient', $4, $4)`, [responseId, patientId, clientId, new Date(T0)]);
  await db.query(`INSERT INTO questionnaire_answers (response_id, patient_id, slot_date, question_id, link_id, answer) VALUES ($1, $2, '2026-11-02', $3, 'pain', 'negative'), ($1, $2, '2026-11-02', $4, 'own-5a1e0001', 'positive')`, [responseId, patientId, bankQuestion, ownQuestion]);
  await db.query(`INSERT INTO questionnaire_reminders (patient_id, slot_date, channel, state, claimed_by, claimed_at, detail) VALUES ($1, '2026-11-02', 'email', 'sent', 'host-a', now(), $2)`, [patientId, JSON.stringify({ to: personal('paulette.source@example.fr') })]);
  await db.query(`INSERT INTO push_subscriptions (endpoint, account_id, p256dh, auth, created_at) VALUES ($1, $2, $3, $4, now())`, [personal('https://push.example/source-endpoint-0001'), doctorId, personal('p256dh-source-key'), personal('auth-source-secret')]);
  await db.query(`INSERT INTO report_schedules (patient_id, frequency, anchor_date, set_by) VALUES ($1, 'monthly', '2026-10-01', $2)`, [patientId, doctorId]);
  const requestId = randomUUID();
  await db.query(`INSERT INTO report_requests (id, patient_id, period_from, period_to, kind, requested_by, state) VALUES ($1, $2, '2026-10-01', '2026-11-01', 'scheduled', $3, 'done')`, [requestId, patientId, doctorId]);
  await db.query(`INSERT INTO reports (request_id, patient_id, period_from, period_to, kind, locale, object_key, sha256, size_bytes, pages) VALUES ($1, $2, '2026-10-01', '2026-11-01', 'scheduled', 'fr', $3, $4, 1000, 2)`, [requestId, patientId, personal(`reports/${patientId}/source-2026-10.pdf`), 'a'.repeat(64)]);
  // A soft-deleted patient: not copied at all.
  const gone = await createPatient(db, personal('Odette Effaceesource'), 1940);
  PERSONAL.push(gone);
  await db.query('UPDATE patients SET deleted_at = now() WHERE id = $1', [gone]);
  // What only production may hold.
  await db.query(`INSERT INTO registrations (details, prescription_type, prescription_size, prescription) VALUES ($1, 'application/pdf', 9, $2)`, [
    JSON.stringify({ patient: { name: personal('Lucien Inscritsource'), address: personal('12 rue des Lilas-source, 75011 Paris'), phone: personal('+33699887766') } }),
    Buffer.from(personal('%PDF-ordo')),
  ]);
  await db.query(`INSERT INTO support_tickets (account_id, topic, message, callback) VALUES ($1, 'box', $2, $3)`, [doctorId, personal('Message libre source: la box de Jeanne'), personal('+33144556677')]);
  await db.query(`INSERT INTO access_log (account_id, action, ip, user_agent) VALUES ($1, 'patient.read', $2, $3)`, [doctorId, personal('198.51.100.77'), personal('Mozilla/5.0 SourceBrowser')]);
}

/** Every row of every table of `db`, as PostgreSQL's text form of the row. */
async function dumpAll(db: TestDb): Promise<string> {
  const { rows: tables } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition`,
  );
  let out = '';
  for (const { name } of tables) for (const r of (await db.query<{ row: string }>(`SELECT t::text AS row FROM ${name} t`)).rows) out += `${name} ${r.row}\n`;
  return out;
}

/** Per patient: the readings (value and gap to the previous), the alerts (kind, state, offset to the first reading), thresholds. */
async function signatures(db: TestDb): Promise<Map<string, { signature: string; firstTs: number }>> {
  const out = new Map<string, { signature: string; firstTs: number }>();
  const { rows: patients } = await db.query<{ id: string }>('SELECT id FROM patients WHERE deleted_at IS NULL ORDER BY id');
  for (const { id } of patients) {
    const m = (await db.query<{ ts: Date; value: number }>('SELECT ts, value FROM measurements WHERE patient_id = $1 ORDER BY ts', [id])).rows;
    const first = m[0]!.ts.getTime();
    const readings = m.map((r, i) => `${r.value}@${i === 0 ? 0 : r.ts.getTime() - m[i - 1]!.ts.getTime()}`);
    const alerts = (await db.query<{ kind: string; state: string; raised_at: Date; notifications: { at: number }[]; acknowledgement: { at: number } }>('SELECT kind, state, raised_at, notifications, acknowledgement FROM alerts WHERE patient_id = $1 ORDER BY raised_at', [id])).rows.map(
      (a) => `${a.kind}/${a.state}+${a.raised_at.getTime() - first}/${a.notifications[0]!.at - first}/${a.acknowledgement.at - first}`,
    );
    const config = (await db.query<{ config: { thresholds: unknown } }>('SELECT config FROM box_config_versions WHERE patient_id = $1', [id])).rows[0]!.config;
    out.set(id, { signature: JSON.stringify({ readings, alerts, thresholds: config.thresholds }), firstTs: first });
  }
  return out;
}

test('every table of the schema has an anonymisation policy, and every policy a table', async (t) => {
  const db = await openTestDb();
  t.after(() => db.close());
  const { rows } = await db.query<{ name: string }>(`SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`);
  assert.deepEqual(Object.keys(TABLE_POLICIES).sort(), rows.map((r) => r.name));
});

test('the anonymised copy keeps no personal value of the source, and keeps each patient\'s intervals, thresholds and alert sequence', { timeout: 120_000 }, async (t) => {
  const source = await openTestDb();
  const target = await openTestDb({ fresh: true });
  t.after(async () => {
    await source.close();
    await target.close();
  });
  await seedProduction(source);
  const report = await anonymiseDatabase(source, target);
  assert.deepEqual({ patients: report.patients, accounts: report.accounts, measurements: report.measurements, alerts: report.alerts }, { patients: 2, accounts: 1, measurements: 9, alerts: 3 });

  const dump = await dumpAll(target);
  for (const value of PERSONAL) assert.ok(!dump.includes(value), `"${value}" survived the anonymisation`);
  assert.ok(!dump.includes(Buffer.from('%PDF-ordo').toString('hex')), 'the prescription file survived');
  for (const table of ['registrations', 'support_tickets', 'access_log', 'sessions', 'admin_audit', 'push_subscriptions', 'reports', 'questionnaire_reminders']) {
    assert.equal((await target.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table}`)).rows[0]!.n, 0, `${table} is empty`);
  }
  const account = (await target.query<{ email: string; phone: string | null; totp_secret: string | null }>('SELECT email, phone, totp_secret FROM accounts')).rows[0]!;
  assert.match(account.email, /^compte-\d{4}@preprod\.vigie\.invalid$/);
  assert.deepEqual([account.phone, account.totp_secret], [null, null]);
  const phones = (await target.query<{ phone: string }>(`SELECT c->>'phone' AS phone FROM box_config_versions, jsonb_array_elements(config->'contacts') c`)).rows;
  assert.ok(phones.every((p) => /^\+3363998\d{4}$/.test(p.phone)), 'contacts get numbers of the range reserved for fiction');

  // The alert latency timeline moves with its alert.
  const timelines = (await target.query<{ raised_at: Date; box_timeline: { detectedAt: number; sentAt: number }; first_received_at: Date; shown_at: Date }>('SELECT raised_at, box_timeline, first_received_at, shown_at FROM alerts')).rows;
  assert.ok(timelines.length === 3 && timelines.every((a) => [a.box_timeline.detectedAt, a.box_timeline.sentAt, a.first_received_at.getTime(), a.shown_at.getTime()].join() === [-2_000, 1_000, 3_000, 4_000].map((d) => a.raised_at.getTime() + d).join()));
  // The questionnaire survives: the bank as seeded, the own question as a placeholder, the answers.
  const answers = (await target.query<{ link_id: string; answer: string; text_fr: string; slot_date: string }>('SELECT a.link_id, a.answer, q.text_fr, a.slot_date::text AS slot_date FROM questionnaire_answers a JOIN questionnaire_questions q ON q.id = a.question_id ORDER BY a.answer')).rows;
  assert.equal(answers.length, 2);
  assert.deepEqual([answers[0]!.link_id, answers[0]!.text_fr], ['pain', 'Avez-vous mal aujourd’hui ?']);
  assert.match(answers[1]!.text_fr, /^Question personnelle /);
  assert.notEqual(answers[0]!.slot_date, '2026-11-02', 'the answer day moves with the patient');
  assert.equal((await target.query<{ n: number }>("SELECT count(*)::int AS n FROM questionnaire_questions WHERE origin = 'bank'")).rows[0]!.n, (await source.query<{ n: number }>("SELECT count(*)::int AS n FROM questionnaire_questions WHERE origin = 'bank'")).rows[0]!.n);
  assert.equal((await target.query<{ n: number }>('SELECT count(*)::int AS n FROM report_schedules')).rows[0]!.n, 1);

  // Same per-patient signatures, each patient moved by a whole number of days (30–365 back).
  const before = await signatures(source);
  const after = await signatures(target);
  assert.deepEqual([...after.values()].map((s) => s.signature).sort(), [...before.values()].map((s) => s.signature).sort());
  const shifts = [...after.values()].map((a) => {
    const original = [...before.values()].find((b) => b.signature === a.signature)!;
    const shift = a.firstTs - original.firstTs;
    assert.ok(Number.isInteger(shift / DAY), 'a whole number of days');
    assert.ok(shift <= -30 * DAY && shift >= -365 * DAY, `shift of ${shift / DAY} days`);
    return shift;
  });
  assert.equal(shifts.length, 2);
  // No identifier shared with the source: ids, box ids.
  for (const id of before.keys()) assert.ok(!after.has(id));
});

test('a source table with no policy stops the copy before anything is written', async (t) => {
  const source = await openTestDb();
  const target = await openTestDb({ fresh: true });
  t.after(async () => {
    await source.close();
    await target.close();
  });
  await source.exec('CREATE TABLE medication_notes (patient_id uuid, note text)');
  await assert.rejects(anonymiseDatabase(source, target), (err) => portalErrors.is(err, 'PORTAL_ANONYMISE_UNKNOWN_TABLE') && /medication_notes/.test((err as Error).message));
  const { rows } = await target.query<{ exists: boolean }>("SELECT to_regclass('patients') IS NOT NULL AS exists");
  assert.equal(rows[0]!.exists, false, 'the target was not even migrated');
});

test('refuses a target that already holds data', async (t) => {
  const source = await openTestDb();
  const target = await openTestDb();
  t.after(async () => {
    await source.close();
    await target.close();
  });
  await createPatient(target, 'Already There');
  await assert.rejects(anonymiseDatabase(source, target), (err) => portalErrors.is(err, 'PORTAL_ANONYMISE_TARGET_NOT_EMPTY'));
});
