/**
 * Issue 13's acceptance, end to end on real parts: PostgreSQL (or PGlite), librdkafka's
 * Kafka-protocol mock cluster, s3rver, the portal, pdftotext. The scheduler's nightly job fires at
 * 02:00 Paris on an injected clock; its requests appear on `vigie.report-requests`, keyed by
 * patient; the reports service (consumer group `vigie-reports`) renders and stores them; the
 * doctor downloads the PDF through the portal; its text shows the patient's name, the French
 * headings and figures equal to SQL over the same rows. A malformed message on the topic is
 * dead-lettered (table and topic) and the service goes on.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { Kafka, logLevel } from 'kafkajs';
import { countRows, openTestDb, type TestDb } from '@vigie/cloud-store/testing';
import { silentLogger } from '@vigie/common';
import { skipUnlessTool, startKafkaMock, tempDir, waitUntil, type KafkaMockCluster } from '@vigie/common/testing';
import { KAFKA_HEADERS, KAFKA_TOPICS, ReportRequest, validate } from '@vigie/protocol';
import { buildCloudApp, ensureAccount, loadCloudConfig, SessionStore } from '@vigie/cloud-portal';
import { TEST_SECRETS_KEY } from '@vigie/cloud-portal/testing';
import { KafkaReportTransport, ReportObjectStore, ReportScheduler, ReportsService, startEmbeddedS3, formatNumber, type DailyTrigger, type EmbeddedS3 } from '@vigie/cloud-reports';
import { parisMidnight, seedPatient, seedQuestionnaire } from '@vigie/cloud-reports/testing';

const NIGHT = Date.UTC(2026, 11, 8, 1, 0, 0); // 02:00 in Paris
const skip = skipUnlessTool('kcat') || skipUnlessTool('pdftotext', 'poppler-utils');

let db: TestDb;
let kafka: KafkaMockCluster;
let s3: EmbeddedS3;
let dir: { path: string; cleanup: () => void };
let objects: ReportObjectStore;
let app: FastifyInstance;
const stops: (() => Promise<unknown>)[] = [];

before(async () => {
  if (skip) return;
  db = await openTestDb();
  kafka = await startKafkaMock({ brokers: 1 });
  dir = tempDir('vigie-accept-s3-');
  s3 = await startEmbeddedS3({ directory: dir.path, bucket: 'vigie-reports' });
  objects = new ReportObjectStore(s3.config);
  await objects.ensureBucket(7_305);
});
after(async () => {
  if (skip) return;
  for (const stop of stops.reverse()) await stop().catch(() => undefined);
  await app?.close();
  objects.close();
  await s3.stop();
  dir.cleanup();
  await kafka.stop();
  await db.close();
});

test('scheduler at 02:00 → vigie.report-requests → reports service → s3rver → the doctor downloads a PDF whose figures equal SQL', { skip, timeout: 180_000 }, async () => {
  const connection = { brokers: kafka.brokers, clientId: 'vigie-reports-test', ssl: false as const };
  // The doctor logs in to the portal: a real account.
  const doctor = await ensureAccount(db, { email: 'dr.martin@accept.example', displayName: 'Dr Hélène Martin', role: 'doctor', password: 'pw-doctor-accept' });
  const patient = await seedPatient(db, { name: 'Élise Dupré', from: parisMidnight('2026-11-30'), days: 7, gapDay: 4, doctor: { id: doctor.id, email: 'dr.martin@accept.example' } });
  await db.query(`INSERT INTO report_schedules (patient_id, frequency, anchor_date) VALUES ($1, 'weekly', '2026-11-02')`, [patient.patientId]);
  // Issue 12's questionnaire: daily until a new plan, every other day from Thursday 3 December
  // (4 and 6 December not due); Wednesday 2 December missed; « Avez-vous bien dormi ? » negative
  // on 30/11 and 01/12 (a streak; the missed day ends it), pain and morale negative on 03/12 and
  // 05/12 (streaks across a day that was not due).
  await seedQuestionnaire(db, {
    patientId: patient.patientId,
    doctorId: doctor.id,
    plans: [
      { anchor: '2026-11-20', kind: 'daily', linkIds: ['pain', 'sleep', 'morale'] },
      { anchor: '2026-12-03', kind: 'every_n_days', everyNDays: 2, linkIds: ['pain', 'sleep', 'morale'] },
    ],
    answers: {
      '2026-11-30': { pain: 'positive', sleep: 'negative', morale: 'neutral' },
      '2026-12-01': { pain: 'neutral', sleep: 'negative', morale: 'negative' },
      '2026-12-03': { pain: 'negative', sleep: 'negative', morale: 'negative' },
      '2026-12-05': { pain: 'negative', sleep: 'positive', morale: 'negative' },
    },
  });

  // The nightly job, fired when the injected clock reaches its hour.
  const jobs: (() => Promise<void>)[] = [];
  const trigger: DailyTrigger = (expression, zone, job) => {
    assert.equal(expression, '0 2 * * *');
    assert.equal(zone, 'Europe/Paris');
    jobs.push(job);
    return { stop: () => undefined };
  };
  const producerSide = new KafkaReportTransport({ kafka: connection });
  stops.push(() => producerSide.stop());
  const scheduler = new ReportScheduler({ db, transport: producerSide, now: () => NIGHT, trigger });
  await scheduler.start();
  stops.push(() => scheduler.stop());
  await jobs[0]!();

  // The request is on the topic, keyed by patient, valid against its schema.
  const client = new Kafka({ clientId: 'accept-reader', brokers: kafka.brokers, logLevel: logLevel.NOTHING });
  const reader = client.consumer({ groupId: 'accept-reader', maxWaitTimeInMs: 100 });
  await reader.connect();
  await reader.subscribe({ topics: [KAFKA_TOPICS.reportRequests], fromBeginning: true });
  const seen: { key: string; value: unknown }[] = [];
  await reader.run({ eachMessage: async ({ message }) => void seen.push({ key: message.key!.toString(), value: JSON.parse(message.value!.toString()) }) });
  await waitUntil(() => seen.length >= 1, 'the request on vigie.report-requests', 30_000, 50);
  await reader.disconnect();
  assert.equal(seen.length, 1);
  assert.equal(seen[0]!.key, patient.patientId);
  assert.ok(validate(ReportRequest, seen[0]!.value).ok);
  assert.deepEqual([(seen[0]!.value as ReportRequest).from, (seen[0]!.value as ReportRequest).to], ['2026-11-30', '2026-12-07']);

  // A poison message on the same topic: dead-lettered, the service carries on.
  const producer = client.producer({ idempotent: false });
  await producer.connect();
  await producer.send({ topic: KAFKA_TOPICS.reportRequests, acks: -1, messages: [{ key: patient.patientId, value: '{"v":1,"patientId":"not-a-uuid"}' }] });
  await producer.disconnect();

  // The reports service, a member of the vigie-reports group.
  const consumerSide = new KafkaReportTransport({ kafka: connection, sessionTimeoutMs: 10_000 });
  const service = new ReportsService({ db, objects, transport: consumerSide, now: () => NIGHT, deletionSweepMs: 0 });
  await service.start();
  stops.push(() => service.stop());
  await waitUntil(async () => (await countRows(db, 'reports')) === 1 && (await countRows(db, 'report_dead_letters')) === 1, 'one report and one dead letter', 90_000, 100);
  const dead = await db.query<{ reason: string; source: string }>('SELECT reason, source FROM report_dead_letters');
  assert.deepEqual(dead.rows, [{ reason: 'REPORT_MALFORMED', source: 'kafka' }]);
  // …and on the dead-letter topic, with its reason in a header.
  const dlq = client.consumer({ groupId: 'accept-dlq', maxWaitTimeInMs: 100 });
  await dlq.connect();
  await dlq.subscribe({ topics: [KAFKA_TOPICS.reportDeadLetter], fromBeginning: true });
  const reasons: string[] = [];
  await dlq.run({ eachMessage: async ({ message }) => void reasons.push(String(message.headers?.[KAFKA_HEADERS.reason])) });
  await waitUntil(() => reasons.length >= 1, 'the dead letter on its topic', 30_000, 50);
  await dlq.disconnect();
  assert.deepEqual(reasons, ['REPORT_MALFORMED']);

  // The doctor downloads it through the portal.
  const config = loadCloudConfig({ VIGIE_DATA_DIR: '/nonexistent-vigie-accept', VIGIE_STAFF_TOTP: 'optional', VIGIE_SECRETS_KEY: TEST_SECRETS_KEY });
  app = await buildCloudApp({
    db,
    config,
    log: silentLogger(),
    roles: { ingest: false, portal: true },
    now: () => NIGHT,
    webDistDir: '/nonexistent-vigie-web',
    reports: { available: true, open: (key) => objects.open(key), publish: async () => undefined },
  });
  await app.ready();
  const cookie = `vigie_session=${(await new SessionStore(db, () => NIGHT).create(doctor.id)).token}`;
  const list = await app.inject({ method: 'GET', url: `/api/patients/${patient.patientId}/reports`, headers: { cookie } });
  assert.equal(list.statusCode, 200);
  const reports = (list.json() as { reports: { id: string; from: string; to: string }[] }).reports;
  assert.deepEqual(reports.map((r) => [r.from, r.to]), [['2026-11-30', '2026-12-07']]);
  const file = await app.inject({ method: 'GET', url: `/api/reports/${reports[0]!.id}/file`, headers: { cookie } });
  assert.equal(file.statusCode, 200);
  assert.equal(file.headers['content-type'], 'application/pdf');
  assert.equal(file.rawPayload.subarray(0, 5).toString(), '%PDF-');
  const audit = await countRows(db, 'access_log', `action = 'report.download' AND account_id = $1 AND patient_id = $2`, [doctor.id, patient.patientId]);
  assert.equal(audit, 1, 'the download is in access_log');

  const out = tempDir('vigie-accept-pdf-');
  try {
    writeFileSync(join(out.path, 'r.pdf'), file.rawPayload);
    const { stdout: text } = await promisify(execFile)('pdftotext', ['-enc', 'UTF-8', '-layout', join(out.path, 'r.pdf'), '-']);
    assert.ok(text.includes('Élise Dupré'), "the patient's name");
    for (const h of ['Rapport de suivi', 'Équipe soignante', 'Résumé et évolution depuis le rapport précédent', 'Fréquence cardiaque (bpm)', 'Saturation en oxygène, SpO2 (%)', 'Valeurs par jour', 'Alertes', 'Disponibilité du dispositif']) {
      assert.ok(text.includes(h), `heading "${h}"`);
    }
    // Figures equal to SQL over the same rows: the week's means and each day's steps.
    const bounds = `ts >= '2026-11-30'::timestamp AT TIME ZONE 'Europe/Paris' AND ts < '2026-12-07'::timestamp AT TIME ZONE 'Europe/Paris'`;
    const sums = await db.query<{ hr: number; spo2: number }>(
      `SELECT avg(value) FILTER (WHERE metric = 'heart_rate')::float8 AS hr, avg(value) FILTER (WHERE metric = 'spo2')::float8 AS spo2 FROM measurements WHERE patient_id = $1 AND ${bounds}`,
      [patient.patientId],
    );
    assert.match(text, new RegExp(`Fréquence cardiaque moyenne \\(bpm\\)\\s+${formatNumber(sums.rows[0]!.hr, 1, 'fr')}\\s`));
    assert.match(text, new RegExp(`SpO2 moyenne \\(%\\)\\s+${formatNumber(sums.rows[0]!.spo2, 1, 'fr')}\\s`));
    const steps = await db.query<{ day: string; n: number }>(
      `SELECT to_char((ts AT TIME ZONE 'Europe/Paris')::date, 'DD/MM/YYYY') AS day, sum(value)::int AS n FROM measurements
        WHERE patient_id = $1 AND metric = 'steps' AND ${bounds} GROUP BY 1 ORDER BY 1`,
      [patient.patientId],
    );
    assert.equal(steps.rows.length, 6);
    for (const d of steps.rows) assert.match(text, new RegExp(`${d.day}\\s.*\\s${d.n}\\s+\\d+,\\d h`), `steps of ${d.day}`);

    // The questionnaire: each question's marks per day (+ positive or neutral, − negative, · none)
    // equal to SQL over the stored answers, the days answered and missed, the negative streaks.
    assert.match(text, /^\s*Questionnaire\s*$/m, 'the questionnaire heading');
    const marks = await db.query<{ text: string; marks: string }>(
      `SELECT q.text_fr AS text, string_agg(CASE a.answer WHEN 'negative' THEN '−' WHEN 'positive' THEN '+' WHEN 'neutral' THEN '+' ELSE '·' END, '' ORDER BY d.day) AS marks
         FROM generate_series('2026-11-30'::date, '2026-12-06'::date, interval '1 day') AS d(day)
         CROSS JOIN (SELECT DISTINCT link_id, question_id FROM questionnaire_answers WHERE patient_id = $1) l
         JOIN questionnaire_questions q ON q.id = l.question_id
         LEFT JOIN questionnaire_answers a ON a.patient_id = $1 AND a.link_id = l.link_id AND a.slot_date = d.day::date
        GROUP BY q.text_fr`,
      [patient.patientId],
    );
    assert.equal(marks.rows.length, 3);
    const literal = (x: string) => x.replace(/[?+.]/g, '\\$&');
    for (const m of marks.rows) assert.match(text, new RegExp(`${literal(m.text)}\\s+${literal(m.marks)}\\n`), `the marks of « ${m.text} »`);
    const answered = await countRows(db, 'questionnaire_responses', `patient_id = $1 AND slot_date >= '2026-11-30' AND slot_date < '2026-12-07'`, [patient.patientId]);
    assert.equal(answered, 4);
    assert.ok(text.includes(`Jours répondus : ${answered} ; jours prévus : 5 ; jours manqués : 1 (02/12/2026).`), 'days answered, due and missed');
    assert.match(text, /Série négative : Avez-vous mal aujourd’hui \? — 2 réponses négatives de suite, du 03\/12\/2026 au 05\/12\/2026\./);
    assert.match(text, /Série négative : Avez-vous bien dormi \? — 2 réponses négatives de suite, du 30\/11\/2026 au 01\/12\/2026\./);
    assert.match(text, /Série négative : Comment va votre moral \? — 2 réponses négatives de suite, du 03\/12\/2026 au 05\/12\/2026\./);
    assert.equal(text.match(/Série négative :/g)?.length, 3, 'no other streak (morale 01/12 alone: the missed day ends it)');
  } finally {
    out.cleanup();
  }
});
