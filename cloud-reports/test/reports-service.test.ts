import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { countRows } from '@vigie/cloud-store/testing';
import { skipUnlessTool, waitUntil } from '@vigie/common/testing';
import { ReportObjectStore, reportObjectKey } from '../src/objects/object-store.ts';
import { formatNumber } from '../src/render/report-strings.ts';
import { ReportScheduler, type DailyTrigger } from '../src/requests/scheduler.ts';
import type { ReportDelivery } from '../src/transport/port.ts';
import { parisMidnight, seedPatient, type SeededPatient } from '../src/testing.ts';
import { NIGHT, pdfText, readAll, reportsHarness, type ReportsHarness } from './harness.ts';

let h: ReportsHarness;
let alice: SeededPatient;
let bob: SeededPatient;

before(async () => {
  h = await reportsHarness();
  alice = await seedPatient(h.db, { name: 'Élise Dupré', from: parisMidnight('2026-11-30'), days: 7, gapDay: 2 });
  bob = await seedPatient(h.db, { name: 'Bob Lenoir', from: parisMidnight('2026-11-30'), days: 7, seed: 7 });
  // Alice weekly from Monday 2026-11-02, Bob monthly: on 2026-12-08 their due periods are the
  // week of 11-30 and November.
  await h.db.query(`INSERT INTO report_schedules (patient_id, frequency, anchor_date) VALUES ($1, 'weekly', '2026-11-02'), ($2, 'monthly', '2026-11-01')`, [alice.patientId, bob.patientId]);
});
after(() => h.close());

/** A trigger that runs its job when the test says the clock reached the cron's hour. */
function manualTrigger(): { trigger: DailyTrigger; fire(): Promise<void>; expressions: string[]; zones: string[] } {
  const jobs: (() => Promise<void>)[] = [];
  const expressions: string[] = [];
  const zones: string[] = [];
  return {
    trigger: (expression, zone, job) => {
      expressions.push(expression);
      zones.push(zone);
      jobs.push(job);
      return { stop: () => void jobs.splice(jobs.indexOf(job), 1) };
    },
    fire: async () => void (await Promise.all(jobs.map((j) => j()))),
    expressions,
    zones,
  };
}

const delivery = (value: unknown, ref: string = randomUUID()): ReportDelivery => ({
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  source: 'queue',
  ref,
  redeliveries: 0,
});

test('the nightly pass at 02:00 Paris requests each due report once, across two scheduler instances and a rerun', async () => {
  const cron = manualTrigger();
  const one = new ReportScheduler({ db: h.db, transport: h.queue, now: () => h.clock.now, trigger: cron.trigger });
  const two = new ReportScheduler({ db: h.db, transport: h.queue, now: () => h.clock.now, trigger: cron.trigger });
  await one.start();
  await two.start();
  assert.deepEqual(cron.expressions, ['0 2 * * *', '0 2 * * *']);
  assert.deepEqual(cron.zones, ['Europe/Paris', 'Europe/Paris']);
  await cron.fire();
  await cron.fire();
  await one.stop();
  await two.stop();
  const { rows } = await h.db.query<{ patient_id: string; f: string; t: string }>(
    `SELECT patient_id, period_from::text AS f, period_to::text AS t FROM report_requests WHERE kind = 'scheduled' ORDER BY f`,
  );
  assert.deepEqual(
    rows.map((r) => [r.patient_id, r.f, r.t]),
    [
      [bob.patientId, '2026-11-01', '2026-12-01'],
      [alice.patientId, '2026-11-30', '2026-12-07'],
    ],
  );
  assert.equal(await countRows(h.db, 'report_queue'), 2, 'one queue row per request');
  assert.equal(await countRows(h.db, 'report_requests', 'published_at IS NULL'), 0);
});

test('the service renders the queued requests into the object store, one report each, with figures equal to SQL', { skip: skipUnlessTool('pdftotext', 'poppler-utils') }, async () => {
  const service = h.service();
  await service.start();
  await waitUntil(async () => (await countRows(h.db, 'reports')) === 2, 'two reports stored', 60_000, 50);
  await service.stop();
  assert.equal(await countRows(h.db, 'report_queue'), 0, 'the queue is drained');
  const keys = await h.objects.list('reports/');
  assert.deepEqual(keys.sort(), [reportObjectKey({ patientId: alice.patientId, from: '2026-11-30', to: '2026-12-07', kind: 'scheduled' }), reportObjectKey({ patientId: bob.patientId, from: '2026-11-01', to: '2026-12-01', kind: 'scheduled' })].sort());
  const { rows } = await h.db.query<{ object_key: string; sha256: string; size_bytes: number }>(`SELECT object_key, sha256, size_bytes FROM reports WHERE patient_id = $1`, [alice.patientId]);
  const pdf = await readAll(await h.objects.open(rows[0]!.object_key));
  assert.equal(pdf.length, rows[0]!.size_bytes);
  const text = await pdfText(pdf);
  for (const heading of ['Rapport de suivi — Élise Dupré', 'Équipe soignante', 'Fréquence cardiaque (bpm)', 'Valeurs par jour', 'Valeurs hors des seuils du patient', 'Alertes', 'Disponibilité du dispositif', 'Questionnaire']) {
    assert.ok(text.includes(heading), `the PDF shows "${heading}"`);
  }
  assert.match(text, /Dr Hélène Martin \(Médecin\)/);
  // Every day's heart-rate min / mean / max as SQL computes them over the same rows.
  const days = await h.db.query<{ day: string; line: string }>(
    `SELECT to_char((ts AT TIME ZONE 'Europe/Paris')::date, 'DD/MM/YYYY') AS day,
            min(value)::int || ' / ' || replace(round(avg(value)::numeric, 1)::text, '.', ',') || ' / ' || max(value)::int AS line
       FROM measurements WHERE patient_id = $1 AND metric = 'heart_rate'
        AND ts >= '2026-11-30'::timestamp AT TIME ZONE 'Europe/Paris' AND ts < '2026-12-07'::timestamp AT TIME ZONE 'Europe/Paris'
      GROUP BY 1 ORDER BY 1`,
    [alice.patientId],
  );
  assert.equal(days.rows.length, 6, 'six days of data, one gap');
  for (const d of days.rows) assert.match(text, new RegExp(`${d.day}\\s+${d.line.replace(/[/]/g, '\\/')}\\s`), `day ${d.day}: ${d.line}`);
  assert.match(text, /02\/12\/2026\s+—\s+—\s+—\s+0,0 h/, 'the day without readings is a gap');
  const oor = await h.db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM measurements WHERE patient_id = $1 AND metric = 'heart_rate' AND (value < 40 OR value > 130)
        AND ts >= '2026-11-30'::timestamp AT TIME ZONE 'Europe/Paris' AND ts < '2026-12-07'::timestamp AT TIME ZONE 'Europe/Paris'`,
    [alice.patientId],
  );
  assert.ok(text.includes(`${oor.rows[0]!.n} mesure(s) de fréquence cardiaque`), `out-of-range count ${oor.rows[0]!.n}`);
  const mean = await h.db.query<{ m: number }>(
    `SELECT avg(value)::float8 AS m FROM measurements WHERE patient_id = $1 AND metric = 'spo2'
        AND ts >= '2026-11-30'::timestamp AT TIME ZONE 'Europe/Paris' AND ts < '2026-12-07'::timestamp AT TIME ZONE 'Europe/Paris'`,
    [alice.patientId],
  );
  assert.match(text, new RegExp(`SpO2 moyenne \\(%\\)\\s+${formatNumber(mean.rows[0]!.m, 1, 'fr')}\\s`));
  assert.match(text, /1\s+Chute\s+\S+\s+01\/12\/2026 09:00\s+01\/12\/2026 09:04\s+Marc Dupré/, 'the alert, its acknowledgement time and who');
  // The doctor's inbox entry.
  assert.equal(await countRows(h.db, 'report_notifications', 'account_id = $1', [alice.doctorId]), 1);
});

test('a request delivered again, even after a crash between the object and the row, yields one report and one object', async () => {
  const { rows } = await h.db.query<{ id: string; requested_at: Date }>(`SELECT id, requested_at FROM report_requests WHERE patient_id = $1`, [alice.patientId]);
  const message = { v: 1, requestId: rows[0]!.id, patientId: alice.patientId, from: '2026-11-30', to: '2026-12-07', kind: 'scheduled', requestedAt: rows[0]!.requested_at.getTime(), requestedBy: null };
  const service = h.service();
  const again = await service.handle(delivery(message));
  assert.equal(again.status, 'existing');
  // The crash: the object was written, the row was not (deleted here to stand for it).
  const key = reportObjectKey({ patientId: alice.patientId, from: '2026-11-30', to: '2026-12-07', kind: 'scheduled' });
  const before = await readAll(await h.objects.open(key));
  await h.db.query('DELETE FROM report_notifications WHERE patient_id = $1', [alice.patientId]);
  await h.db.query('DELETE FROM reports WHERE patient_id = $1', [alice.patientId]);
  const redone = await service.handle(delivery(message));
  assert.equal(redone.status, 'stored');
  const afterCrash = await readAll(await h.objects.open(key));
  assert.ok(afterCrash.equals(before), 'rendering is deterministic: the same bytes');
  assert.equal((await h.objects.list(`reports/${alice.patientId}/`)).length, 1);
  assert.equal(await countRows(h.db, 'reports', 'patient_id = $1', [alice.patientId]), 1);
});

test('an object store that stays down is retried with backoff, then the request is dead-lettered for support', async () => {
  const down = new ReportObjectStore({ ...h.s3.config, endpoint: 'http://127.0.0.1:9' });
  const sleeps: number[] = [];
  const service = h.service({ objects: down, maxAttempts: 3, backoffMs: 100, sleep: async (ms) => void sleeps.push(ms) });
  const message = { v: 1, requestId: randomUUID(), patientId: bob.patientId, from: '2026-12-01', to: '2026-12-08', kind: 'on_demand', requestedAt: NIGHT, requestedBy: bob.doctorId };
  const outcome = await service.handle(delivery(message, 'down-1'));
  down.close();
  assert.deepEqual(outcome, { status: 'dead', reason: 'REPORT_STORE_UNAVAILABLE', field: null });
  assert.deepEqual(sleeps, [100, 200]);
  const { rows } = await h.db.query<{ reason: string; state: string; attempts: number }>(
    `SELECT d.reason, r.state, r.attempts FROM report_dead_letters d JOIN report_requests r ON r.id = d.request_id WHERE d.source_ref = 'down-1'`,
  );
  assert.deepEqual(rows, [{ reason: 'REPORT_STORE_UNAVAILABLE', state: 'dead', attempts: 3 }]);
});

test('bad requests are refused with a reason and dead-lettered, never rendered, never in another patient folder', async () => {
  const service = h.service();
  const valid = { v: 1, requestId: randomUUID(), patientId: alice.patientId, from: '2026-11-23', to: '2026-11-30', kind: 'on_demand', requestedAt: NIGHT, requestedBy: null };
  const erased = await seedPatient(h.db, { name: 'Gone Patient', from: parisMidnight('2026-11-30'), days: 1 });
  await h.db.query(`UPDATE patients SET erased_at = now() WHERE id = $1`, [erased.patientId]);
  const cases: [string, unknown, string, string | null][] = [
    ['not JSON', '{"v":1,', 'REPORT_MALFORMED', null],
    ['a missing field', { ...valid, patientId: undefined }, 'REPORT_MALFORMED', '/patientId'],
    ['a newer schema version', { ...valid, v: 2 }, 'REPORT_SCHEMA_VERSION', '/v'],
    ['an unknown patient', { ...valid, patientId: randomUUID() }, 'REPORT_UNKNOWN_PATIENT', '/patientId'],
    ['an erased patient', { ...valid, patientId: erased.patientId }, 'REPORT_UNKNOWN_PATIENT', '/patientId'],
    ['a period in the future', { ...valid, from: '2026-12-01', to: '2026-12-31' }, 'REPORT_PERIOD_INVALID', '/to'],
    ['a period longer than a year', { ...valid, from: '2025-01-01', to: '2026-12-01' }, 'REPORT_PERIOD_INVALID', '/to'],
    ['a date that does not exist', { ...valid, from: '2026-02-30' }, 'REPORT_PERIOD_INVALID', '/from'],
  ];
  for (const [what, message, reason, field] of cases) {
    const outcome = await service.handle(delivery(message, `bad-${what}`));
    assert.deepEqual(outcome, { status: 'refused', reason, field }, what);
  }
  // A request id already used for Alice, sent again naming Bob: refused, nothing in Bob's folder.
  const first = await service.handle(delivery(valid, 'alice-on-demand'));
  assert.equal(first.status, 'stored');
  const hijack = await service.handle(delivery({ ...valid, patientId: bob.patientId }, 'hijack'));
  assert.deepEqual(hijack, { status: 'refused', reason: 'REPORT_KEY_CONFLICT', field: '/requestId' });
  assert.deepEqual(
    (await h.objects.list(`reports/${bob.patientId}/`)).filter((k) => k.includes('2026-11-23')),
    [],
  );
  assert.equal(await countRows(h.db, 'report_dead_letters', `source_ref LIKE 'bad-%' OR source_ref = 'hijack'`), cases.length + 1);
});
