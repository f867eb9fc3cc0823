/**
 * Erasure of a patient (issue 10, build 8): nothing before the grace period, everything after,
 * no restore afterwards, an audit row without medical values; an admin can erase sooner.
 * Runs on PGlite, and on PostgreSQL with DATABASE_URL.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { BOX_CONFIG_DEFAULTS, saveBoxConfig } from '@vigie/cloud-store';
import { assignBox, countRows, createBox, createPatient, type BoxFixture } from '@vigie/cloud-store/testing';
import { linkCare } from '../src/auth/accounts.ts';
import { ErasureJob } from '../src/privacy/erasure-job.ts';
import { claimErasure, ERASED_NAME, runErasure, tablesWithPatientId, KEPT_TABLES, PURGED_TABLES } from '../src/privacy/erasure.ts';
import { portalFixture, type PortalFixture } from './fixture.ts';

const DAY = 86_400_000;
/** A heart rate no other row of the test database holds: found anywhere = a leak. */
const MARKER_VALUE = 87.654;
const MARKER_PHONE = '+33612398765';

let f: PortalFixture;
let admin: string;

before(async () => {
  f = await portalFixture();
});
after(() => f.close());

let loggedInAt = 0;
/** An admin call; logs in again when the test clock moved (sessions expire on that clock). */
async function call(method: 'GET' | 'POST', url: string, payload?: object) {
  if (loggedInAt !== f.clock.now) [admin, loggedInAt] = [await f.login(f.admin), f.clock.now];
  return f.app.inject({ method, url, headers: { cookie: admin, 'x-vigie-csrf': '1' }, ...(payload ? { payload } : {}) });
}

/** Everything the purge must remove, for one patient: one row (or more) of every kind. */
async function patientWithData(name: string): Promise<{ id: string; box: BoxFixture }> {
  const id = await createPatient(f.db, name);
  await linkCare(f.db, id, f.doctorA.id, 'doctor');
  const box = await createBox(f.db, { patientId: id, since: f.clock.now - 60 * DAY });
  const at = (daysAgo: number) => new Date(f.clock.now - daysAgo * DAY).toISOString();
  // Two months of readings (two partitions, or the default one), and the refused and dead ones.
  for (const daysAgo of [40, 2, 1]) {
    await f.db.query("INSERT INTO measurements (patient_id, box_id, metric, ts, value, period_s) VALUES ($1, $2, 'heart_rate', $3, $4, 120)", [id, box.boxId, at(daysAgo), MARKER_VALUE]);
  }
  await f.db.query("INSERT INTO rejected_readings (box_id, seq, position, metric, ts, value, reason, received_at) VALUES ($1, 1, 0, 'spo2', $2, 12.5, 'implausible', $2)", [box.boxId, at(3)]);
  await f.db.query(
    "INSERT INTO dead_letters (topic, kafka_partition, kafka_offset, box_id, reason, received_at, payload, payload_bytes, payload_sha256) VALUES ('vigie.telemetry.v1', 0, $3, $1, 'INGEST_SCHEMA', $2, $4, 5, $5)",
    [box.boxId, at(3), Math.floor(Math.random() * 1e9), Buffer.from(String(MARKER_VALUE)), randomUUID()],
  );
  const alertId = randomUUID();
  await f.db.query(
    `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, notifications)
     VALUES ($1, $2, $3, 1, 'fall', 'critical', 'open', 1, $4, $4, $5)`,
    [alertId, box.boxId, id, at(1), JSON.stringify([{ phone: MARKER_PHONE, status: 'sent' }])],
  );
  await f.db.query("INSERT INTO box_commands (box_id, kind, alert_id, account_id, display_name, requested_at) VALUES ($1, 'acknowledge_alert', $2, $3, 'Dr A', $4)", [box.boxId, alertId, f.doctorA.id, at(1)]);
  await f.db.query("INSERT INTO fleet_events (kind, box_id, patient_id, since, raised_at) VALUES ('box_silent', $1, $2, $3, $3)", [box.boxId, id, at(5)]);
  await f.db.query("INSERT INTO support_tickets (account_id, patient_id, topic, message, callback) VALUES ($1, $2, 'box', 'écran éteint', $3)", [f.doctorA.id, id, MARKER_PHONE]);
  await f.db.query(
    `INSERT INTO registrations (status, details, prescription_type, prescription_size, prescription, patient_id) VALUES ('approved', $1, 'application/pdf', 4, $2, $3)`,
    [JSON.stringify({ patient: { displayName: name, phone: MARKER_PHONE } }), Buffer.from('%PDF'), id],
  );
  const braceletId = `BR-${randomUUID().slice(0, 8)}`;
  await f.db.query('INSERT INTO bracelets (id) VALUES ($1)', [braceletId]);
  await f.db.query('INSERT INTO bracelet_assignments (bracelet_id, patient_id, valid_from) VALUES ($1, $2, $3)', [braceletId, id, at(60)]);
  for (const tier of [1, 2, 3]) {
    await saveBoxConfig(f.db, {
      patientId: id,
      changedBy: 'Dr A',
      now: f.clock.now,
      config: { ...BOX_CONFIG_DEFAULTS, contacts: [{ name: `Fille ${tier}`, phone: MARKER_PHONE, role: 'relative', tier }] },
    });
  }
  return { id, box };
}

/** Rows left about `patientId`, per kind (0 everywhere once erased). */
async function remaining(id: string, box: BoxFixture): Promise<Record<string, number>> {
  return {
    measurements: await countRows(f.db, 'measurements', 'patient_id = $1', [id]),
    rejected_readings: await countRows(f.db, 'rejected_readings', 'box_id = $1', [box.boxId]),
    dead_letters: await countRows(f.db, 'dead_letters', 'box_id = $1', [box.boxId]),
    alerts: await countRows(f.db, 'alerts', 'patient_id = $1', [id]),
    box_commands: await countRows(f.db, 'box_commands', 'box_id = $1', [box.boxId]),
    fleet_events: await countRows(f.db, 'fleet_events', 'patient_id = $1', [id]),
    support_tickets: await countRows(f.db, 'support_tickets', 'patient_id = $1', [id]),
    registrations: await countRows(f.db, 'registrations', 'patient_id = $1', [id]),
    care_links: await countRows(f.db, 'care_links', 'patient_id = $1', [id]),
    box_assignments: await countRows(f.db, 'box_assignments', 'patient_id = $1', [id]),
    bracelet_assignments: await countRows(f.db, 'bracelet_assignments', 'patient_id = $1', [id]),
    box_config_versions: await countRows(f.db, 'box_config_versions', 'patient_id = $1', [id]),
  };
}

const job = () => new ErasureJob({ db: f.db, graceDays: 30, now: () => f.clock.now });

describe('erasure after the grace period', () => {
  let carla: { id: string; box: BoxFixture };
  let deletedAt: number;

  before(async () => {
    carla = await patientWithData('Carla Effacée');
    deletedAt = f.clock.now;
    const res = await call('POST', `/admin/api/patients/${carla.id}/delete`, { confirm: 'Carla Effacée' });
    assert.equal(res.statusCode, 200, res.body);
  });

  test('purges nothing while the grace period runs, and the patient can still be restored', async () => {
    const before = await remaining(carla.id, carla.box);
    f.clock.now = deletedAt + 30 * DAY - 60_000;
    await job().runOnce();
    assert.deepEqual(await remaining(carla.id, carla.box), before);
    assert.ok(Object.values(before).every((n) => n > 0), JSON.stringify(before));
    assert.equal(await countRows(f.db, 'patient_erasures'), 0);
    // Restorable, then deleted again (same deletion time, so the same grace period).
    assert.equal((await call('POST', `/admin/api/patients/${carla.id}/restore`)).statusCode, 200);
    f.clock.now = deletedAt;
    assert.equal((await call('POST', `/admin/api/patients/${carla.id}/delete`, { confirm: 'Carla Effacée' })).statusCode, 200);
  });

  test('purges every kind of data once the grace period ended, and leaves the other patients alone', async () => {
    const othersBefore = await countRows(f.db, 'measurements', 'patient_id <> $1', [carla.id]);
    const linksBefore = await countRows(f.db, 'care_links', 'patient_id <> $1', [carla.id]);
    f.clock.now = deletedAt + 30 * DAY + 60_000;
    await job().runOnce();
    const left = await remaining(carla.id, carla.box);
    assert.deepEqual(left, Object.fromEntries(Object.keys(left).map((k) => [k, 0])));
    assert.equal(await countRows(f.db, 'measurements', 'patient_id <> $1', [carla.id]), othersBefore);
    assert.equal(await countRows(f.db, 'care_links', 'patient_id <> $1', [carla.id]), linksBefore);
    const tomb = (await f.db.query<{ display_name: string; birth_year: number | null; erased_at: Date | null }>('SELECT display_name, birth_year, erased_at FROM patients WHERE id = $1', [carla.id])).rows[0]!;
    assert.equal(tomb.display_name, ERASED_NAME);
    assert.equal(tomb.birth_year, null);
    assert.equal(tomb.erased_at?.getTime(), f.clock.now);
    // Gone from the admin list, and nothing about them left anywhere in the audit trail.
    assert.ok(!(await call('GET', '/admin/api/patients')).json().patients.some((p: { id: string }) => p.id === carla.id));
  });

  test('refuses to restore an erased patient', async () => {
    const res = await call('POST', `/admin/api/patients/${carla.id}/restore`);
    assert.equal(res.statusCode, 410);
    assert.equal(res.json().error.code, 'PORTAL_PATIENT_ERASED');
  });

  test('audits the purge with who deleted, when, kinds and counts, and no name, phone or medical value', async () => {
    const rows = (await f.db.query<{ actor_id: string | null; after: { deletedBy: string; deletedAt: number; reason: string; counts: Record<string, number> } }>(
      "SELECT actor_id, after FROM admin_audit WHERE action = 'patient.erase' AND entity_id = $1", [carla.id],
    )).rows;
    assert.equal(rows.length, 1);
    const { after } = rows[0]!;
    assert.equal(rows[0]!.actor_id, null, 'the grace period, not an admin, started it');
    assert.equal(after.reason, 'grace_period_ended');
    assert.equal(after.deletedBy, f.admin.id);
    assert.equal(after.deletedAt, deletedAt);
    assert.equal(after.counts.measurements, 3);
    assert.equal(after.counts.alerts, 1);
    assert.equal(after.counts.registrations, 1);
    assert.equal(after.counts.box_config_versions, 3);
    assert.equal(after.counts.rejected_readings, 1);
    assert.equal(after.counts.dead_letters, 1);
    const trail = (await f.db.query<{ t: string }>('SELECT coalesce(string_agg(before::text || after::text, \' \'), \'\') AS t FROM admin_audit')).rows[0]!.t;
    for (const secret of ['Carla', String(MARKER_VALUE), MARKER_PHONE, '12.5']) assert.ok(!trail.includes(secret), `admin_audit holds ${secret}`);
    // The access log keeps who read the patient's data (ids only): that trail is not erased.
    assert.ok(KEPT_TABLES.includes('access_log'));
  });

  test("a box's next configuration outranks the erased versions it may still hold", async () => {
    const next = await createPatient(f.db, 'Denis Suivant');
    await assignBox(f.db, carla.box.boxId, next, f.clock.now);
    const saved = await saveBoxConfig(f.db, {
      patientId: next,
      changedBy: 'Dr A',
      now: f.clock.now,
      config: { ...BOX_CONFIG_DEFAULTS, contacts: [{ name: 'Fils', phone: '+33600000042', role: 'relative', tier: 1 }] },
    });
    assert.equal(saved.version, 4, 'versions 1-3 were the erased patient’s');
  });
});

describe('erasure on request', () => {
  test('an admin erases a patient at once only with the name and an explicit irreversible flag', async () => {
    const emma = await patientWithData('Emma Demande');
    const url = `/admin/api/patients/${emma.id}/erase`;
    assert.equal((await call('POST', url, { confirm: 'Emma Demande' })).json().error.field, '/irreversible');
    const wrong = await call('POST', url, { confirm: 'Quelqu’un', irreversible: true });
    assert.equal(wrong.json().error.code, 'PORTAL_CONFIRMATION_MISMATCH');
    assert.equal(await countRows(f.db, 'measurements', 'patient_id = $1', [emma.id]), 3);
    const res = await call('POST', url, { confirm: 'emma demande', irreversible: true });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().erasure.counts.measurements, 3);
    assert.equal(res.json().erasure.reason, 'admin_request');
    assert.equal(res.json().erasure.deletedBy, f.admin.id, 'erasing a patient not yet deleted deletes them first');
    assert.equal(res.json().erasure.deletedAt, f.clock.now);
    assert.ok(Object.values(await remaining(emma.id, emma.box)).every((n) => n === 0));
    const audit = (await f.db.query<{ actor_id: string }>("SELECT actor_id FROM admin_audit WHERE action = 'patient.erase' AND entity_id = $1", [emma.id])).rows;
    assert.deepEqual(audit.map((a) => a.actor_id), [f.admin.id]);
    // Again: the same record, nothing more.
    const again = await call('POST', url, { confirm: 'irrelevant now', irreversible: true });
    assert.deepEqual(again.json().erasure, res.json().erasure);
    assert.equal((await call('POST', `/admin/api/patients/${emma.id}/restore`)).statusCode, 410);
    assert.equal((await call('GET', `/admin/api/patients/${emma.id}/erasure`)).json().erasure.completedAt, f.clock.now);
  });

  test('refuses erasure to other roles', async () => {
    const doctor = await f.login(f.doctorA);
    const res = await f.app.inject({ method: 'POST', url: `/admin/api/patients/${f.patientB}/erase`, headers: { cookie: doctor, 'x-vigie-csrf': '1' }, payload: { confirm: 'Bob Patient', irreversible: true } });
    assert.equal(res.statusCode, 403);
    assert.equal(await countRows(f.db, 'patient_erasures', 'patient_id = $1', [f.patientB]), 0);
  });
});

describe('erasure is idempotent and restartable', () => {
  test('two runs at once purge each row once: exact counts and one audit row', async () => {
    const fred = await patientWithData('Fred Double');
    await claimErasure(f.db, fred.id, { reason: 'admin_request', requestedBy: f.admin.id, now: f.clock.now });
    const [a, b] = await Promise.all([runErasure(f.db, fred.id, { now: f.clock.now }), runErasure(f.db, fred.id, { now: f.clock.now })]);
    assert.deepEqual(a, b);
    assert.equal(a.counts.measurements, 3);
    assert.equal(a.counts.alerts, 1);
    assert.equal(await countRows(f.db, 'admin_audit', "action = 'patient.erase' AND entity_id = $1", [fred.id]), 1);
  });

  test('an erasure claimed and interrupted is resumed by the next pass, whatever the grace period', async () => {
    const gina = await patientWithData('Gina Reprise');
    // A request that died after its claim (the patient is not even soft-deleted).
    await claimErasure(f.db, gina.id, { reason: 'admin_request', requestedBy: f.admin.id, now: f.clock.now });
    await job().runOnce();
    assert.ok(Object.values(await remaining(gina.id, gina.box)).every((n) => n === 0));
  });

  test('an erasure that fails half-way resumes at the next pass with exact counts and one audit row', async () => {
    const jules = await patientWithData('Jules Panne');
    // A fault in the middle of the purge: deleting registrations fails until the trigger goes.
    await f.db.exec(`CREATE FUNCTION erasure_test_fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'disk on fire'; END $$;
      CREATE TRIGGER erasure_test_fault BEFORE DELETE ON registrations FOR EACH ROW EXECUTE FUNCTION erasure_test_fault();`);
    try {
      await claimErasure(f.db, jules.id, { reason: 'admin_request', requestedBy: f.admin.id, now: f.clock.now });
      await assert.rejects(runErasure(f.db, jules.id, { now: f.clock.now }), /disk on fire/);
      assert.equal(await countRows(f.db, 'measurements', 'patient_id = $1', [jules.id]), 0, 'the steps before the fault are done');
      assert.equal(await countRows(f.db, 'registrations', 'patient_id = $1', [jules.id]), 1);
      assert.equal(await countRows(f.db, 'admin_audit', "action = 'patient.erase' AND entity_id = $1", [jules.id]), 0);
      await job().runOnce();
      assert.equal(await countRows(f.db, 'registrations', 'patient_id = $1', [jules.id]), 1, 'still failing: retried later, not skipped');
    } finally {
      await f.db.exec('DROP TRIGGER erasure_test_fault ON registrations; DROP FUNCTION erasure_test_fault();');
    }
    await job().runOnce();
    assert.ok(Object.values(await remaining(jules.id, jules.box)).every((n) => n === 0));
    const audit = (await f.db.query<{ after: { counts: Record<string, number> } }>("SELECT after FROM admin_audit WHERE action = 'patient.erase' AND entity_id = $1", [jules.id])).rows;
    assert.equal(audit.length, 1);
    assert.equal(audit[0]!.after.counts.measurements, 3);
    assert.equal(audit[0]!.after.counts.registrations, 1);
    assert.equal(audit[0]!.after.counts.alerts, 1);
  });

  test('purges the rows of a table added later with a patient_id column (e.g. questionnaire answers)', async () => {
    await f.db.exec('CREATE TABLE questionnaire_answers_test (patient_id uuid NOT NULL, answer text NOT NULL)');
    const hugo = await patientWithData('Hugo Questionnaire');
    await f.db.query("INSERT INTO questionnaire_answers_test VALUES ($1, 'fatigué'), ($1, 'bien')", [hugo.id]);
    await f.db.query("INSERT INTO questionnaire_answers_test VALUES ($1, 'autre')", [f.patientA]);
    assert.ok(!PURGED_TABLES.includes('questionnaire_answers_test') && (await tablesWithPatientId(f.db)).includes('questionnaire_answers_test'));
    await claimErasure(f.db, hugo.id, { reason: 'admin_request', requestedBy: f.admin.id, now: f.clock.now });
    const record = await runErasure(f.db, hugo.id, { now: f.clock.now });
    assert.equal(record.counts.questionnaire_answers_test, 2);
    assert.equal(await countRows(f.db, 'questionnaire_answers_test'), 1);
    await f.db.exec('DROP TABLE questionnaire_answers_test');
  });
});

describe('rejected registrations', () => {
  test('a rejected form and its prescription go after the grace period, and its audit entries lose their contents', async () => {
    const insert = async (status: string, reviewedAt: number | null) =>
      (await f.db.query<{ id: string }>(
        `INSERT INTO registrations (status, details, prescription_type, prescription_size, prescription, reviewed_at)
         VALUES ($1, $2, 'application/pdf', 4, $3, $4) RETURNING id`,
        [status, JSON.stringify({ patient: { displayName: 'Ivan Refusé', phone: MARKER_PHONE } }), Buffer.from('%PDF'), reviewedAt === null ? null : new Date(reviewedAt).toISOString()],
      )).rows[0]!.id;
    const old = await insert('rejected', f.clock.now - 31 * DAY);
    const recent = await insert('rejected', f.clock.now - 29 * DAY);
    const pending = await insert('pending', null);
    await f.db.query("INSERT INTO admin_audit (actor_id, action, entity, entity_id, before, after) VALUES ($1, 'registration.reject', 'registration', $2, $3, $3)", [
      f.admin.id, old, JSON.stringify({ details: { patient: { displayName: 'Ivan Refusé', phone: MARKER_PHONE } } }),
    ]);
    await job().runOnce();
    const left = (await f.db.query<{ id: string }>('SELECT id FROM registrations WHERE id = ANY($1::uuid[])', [[old, recent, pending]])).rows.map((r) => r.id);
    assert.deepEqual(left.sort(), [recent, pending].sort());
    const audit = (await f.db.query<{ before: unknown; actor_id: string }>("SELECT before, actor_id FROM admin_audit WHERE entity_id = $1", [old])).rows;
    assert.deepEqual(audit, [{ before: { erased: true }, actor_id: f.admin.id }]);
  });
});
