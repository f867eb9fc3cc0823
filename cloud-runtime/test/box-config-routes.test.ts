/**
 * The doctor's thresholds and contacts page through the real app (app.inject): read the defaults,
 * save versions through the store, refuse bad documents and stale saves, read-only
 * for the nurse, refused to everyone else; and the box fetching what the doctor saved.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BOX_CONFIG_DEFAULTS } from '@vigie/cloud-store';
import { countRows } from '@vigie/cloud-store/testing';
import { ingestRoutes } from '@vigie/cloud-ingest';
import { linkCare, type AccountRole } from '@vigie/cloud-portal';
import { createPerson, portalFixture, T0, type Person, type PortalFixture } from '@vigie/cloud-portal/testing';

const URL_OF = (patientId: string) => `/api/patients/${patientId}/box-config`;
let f: PortalFixture;
const cookies: Record<string, string> = {};

const person = (email: string, role: AccountRole, displayName: string): Promise<Person> => createPerson(f.db, email, role, displayName);

function get(patientId: string, who: string) {
  return f.app.inject({ method: 'GET', url: URL_OF(patientId), headers: { cookie: cookies[who]! } });
}
function put(patientId: string, who: string, payload: object) {
  return f.app.inject({ method: 'PUT', url: URL_OF(patientId), headers: { cookie: cookies[who]!, 'x-vigie-csrf': '1' }, payload });
}

/** A valid document: the defaults with two contacts and the given heart-rate ceiling. */
function document(heartRateHigh = 125) {
  return {
    contacts: [
      { name: 'Paul Relative', role: 'relative', phone: '+33612345678', tier: 1 },
      { name: 'Sophie Nurse', role: 'nurse', phone: '+33698765432', tier: 2 },
    ],
    alerting: { ...BOX_CONFIG_DEFAULTS.alerting },
    thresholds: { ...BOX_CONFIG_DEFAULTS.thresholds, heartRateHigh },
    cadences: { ...BOX_CONFIG_DEFAULTS.cadences },
  };
}

/**
 * Two saves at the same moment. On PostgreSQL the box row is held locked until both requests wait
 * on a lock, so both have started before either finishes (on PGlite transactions run one at a time:
 * there the saves simply queue).
 */
async function racingSaves(bodies: [object, object]) {
  const both = () => Promise.all([put(f.patientA, 'doctor', bodies[0]), put(f.patientA, 'doctor', bodies[1])]);
  if (f.db.kind !== 'postgres') return both();
  let saves: ReturnType<typeof both> | undefined;
  await f.db.transaction(async (tx) => {
    await tx.query('SELECT id FROM boxes WHERE id = $1 FOR UPDATE', [f.boxA.boxId]);
    saves = both();
    for (let waiting = 0; waiting < 2; ) {
      await new Promise((resolve) => setImmediate(resolve));
      const { rows } = await tx.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
      );
      waiting = rows[0]!.n;
    }
  });
  return saves!;
}

const versions = () => countRows(f.db, 'box_config_versions', 'box_id = $1', [f.boxA.boxId]);

before(async () => {
  f = await portalFixture({ app: { ingestRoutes } });
  const nurse = await person('nurse@test.example', 'nurse', 'Sophie Nurse');
  const relative = await person('relative@test.example', 'relative', 'Paul Relative');
  const patient = await person('patient@test.example', 'patient', 'Alice Patient');
  const support = await person('support@test.example', 'support', 'Sam Support');
  await linkCare(f.db, f.patientA, nurse.id, 'nurse');
  await linkCare(f.db, f.patientA, relative.id, 'relative');
  await linkCare(f.db, f.patientA, patient.id, 'patient');
  // The admin is linked as nothing; support neither: both refused.
  for (const [who, p] of Object.entries({ doctor: f.doctorA, doctorB: f.doctorB, admin: f.admin, nurse, relative, patient, support })) cookies[who] = await f.login(p);
});
after(() => f.close());

describe('thresholds and contacts (box configuration)', () => {
  test('a patient with no version yet: the defaults with no contact, marked as a first version', async () => {
    const res = await get(f.patientA, 'doctor');
    assert.equal(res.statusCode, 200, res.body);
    const view = res.json();
    assert.equal(view.boxId, f.boxA.boxId);
    assert.equal(view.firstVersion, true);
    assert.equal(view.version, null);
    assert.equal(view.canEdit, true);
    assert.deepEqual(view.config, { ...BOX_CONFIG_DEFAULTS, contacts: [] });
    assert.deepEqual(view.history, []);
    assert.equal(view.appliedVersion, null);
  });

  test('a bad phone number is refused naming the field, and nothing is saved', async () => {
    const doc = document();
    doc.contacts[0]!.phone = '06 12 34 56 78';
    const res = await put(f.patientA, 'doctor', { ...doc, expectedVersion: 0 });
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'PORTAL_INVALID_REQUEST');
    assert.equal(res.json().error.field, '/contacts/0/phone');
    assert.ok(!res.body.includes('06 12 34 56 78'), 'the number is not echoed');
    // The same number twice: the downlink's own check, same shape.
    const twice = document();
    twice.contacts[1]!.phone = twice.contacts[0]!.phone;
    const dup = await put(f.patientA, 'doctor', twice);
    assert.equal(dup.statusCode, 400, dup.body);
    assert.equal(dup.json().error.field, '/contacts/1/phone');
    // No contact at all.
    const none = await put(f.patientA, 'doctor', { ...document(), contacts: [] });
    assert.equal(none.statusCode, 400, none.body);
    assert.equal(none.json().error.field, '/contacts');
    assert.equal(await versions(), 0);
  });

  test('the doctor saves version 1 and reads it back, pending until the box reports it', async () => {
    f.clock.now = T0 + 60_000;
    const res = await put(f.patientA, 'doctor', { ...document(), expectedVersion: 0 });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), { boxId: f.boxA.boxId, version: 1, changed: true, previousVersion: null });
    const view = (await get(f.patientA, 'doctor')).json();
    assert.equal(view.firstVersion, false);
    assert.equal(view.version, 1);
    assert.equal(view.changedBy, 'a.doctor');
    assert.equal(view.changedAt, T0 + 60_000);
    assert.deepEqual(view.config, document());
    assert.equal(view.appliedVersion, null);
    assert.deepEqual(view.history, [{ version: 1, changedBy: 'a.doctor', changedAt: T0 + 60_000, contacts: 2 }]);
  });

  test('the box fetches the new version through the real downlink, then reports it applied', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/ingest/v1/config', headers: { authorization: `Bearer ${f.boxA.token}` } });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().boxId, f.boxA.boxId);
    assert.equal(res.json().version, 1);
    assert.deepEqual(res.json().config, document());
    // Without its bearer token a box gets nothing.
    const anon = await f.app.inject({ method: 'GET', url: '/ingest/v1/config', headers: { cookie: cookies.doctor! } });
    assert.equal(anon.statusCode, 401);
    // The box applied it and says so in its heartbeat.
    const at = T0 + 2 * 60_000;
    f.clock.now = at;
    const hb = await f.app.inject({
      method: 'POST',
      url: '/ingest/v1/heartbeats',
      headers: { authorization: `Bearer ${f.boxA.token}` },
      payload: {
        v: 1, boxId: f.boxA.boxId, at, software: { box: '1.4.2' }, bufferDepth: 0, oldestUnsentAt: null,
        lastBraceletContactAt: at, braceletBattery: 80, modem: { registered: true, signal: 18 }, diskFreeBytes: 1e9, configVersion: 1,
      },
    });
    assert.equal(hb.statusCode, 204, hb.body);
    const view = (await get(f.patientA, 'doctor')).json();
    assert.equal(view.appliedVersion, 1);
    assert.equal(view.boxLastHeardAt, at);
  });

  test('a save based on a version that moved meanwhile is refused with 409, and two saves at once make one version', async () => {
    const stale = await put(f.patientA, 'doctor', { ...document(140), expectedVersion: 0 });
    assert.equal(stale.statusCode, 409, stale.body);
    assert.equal(stale.json().error.code, 'PORTAL_CONFLICT');
    assert.equal(stale.json().error.field, '/expectedVersion');
    assert.equal(await versions(), 1);
    // Two doctors' tabs saving on version 1 at the same time: one wins, the other must reload.
    const [a, b] = await racingSaves([
      { ...document(150), expectedVersion: 1 },
      { ...document(160), expectedVersion: 1 },
    ]);
    assert.deepEqual([a.statusCode, b.statusCode].sort(), [200, 409], `${a.body} ${b.body}`);
    assert.equal(await versions(), 2);
    const view = (await get(f.patientA, 'doctor')).json();
    assert.equal(view.version, 2);
    assert.equal(view.config.thresholds.heartRateHigh, a.statusCode === 200 ? 150 : 160);
    // The box applied 1 only: version 2 is pending.
    assert.equal(view.appliedVersion, 1);
    // Without expectedVersion the save goes through (the page always sends it).
    const blind = await put(f.patientA, 'doctor', document(170));
    assert.equal(blind.statusCode, 200, blind.body);
    assert.equal(blind.json().version, 3);
    // The same document again changes nothing.
    const same = await put(f.patientA, 'doctor', { ...document(170), expectedVersion: 3 });
    assert.deepEqual(same.json(), { boxId: f.boxA.boxId, version: 3, changed: false, previousVersion: 3 });
  });

  test('the nurse reads the page but may not save', async () => {
    const res = await get(f.patientA, 'nurse');
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.json().canEdit, false);
    assert.equal(res.json().version, 3);
    const before = await versions();
    const refused = await put(f.patientA, 'nurse', { ...document(99 + 1), expectedVersion: 3 });
    assert.equal(refused.statusCode, 403, refused.body);
    assert.equal(refused.json().error.code, 'PORTAL_FORBIDDEN');
    assert.equal(await versions(), before);
  });

  test('relatives, the patient, support, admins and another patient’s doctor are refused without learning anything', async () => {
    const before = await versions();
    for (const who of ['relative', 'patient', 'support', 'admin', 'doctorB']) {
      for (const res of [await get(f.patientA, who), await put(f.patientA, who, { ...document(180), expectedVersion: 3 })]) {
        assert.equal(res.statusCode, 404, `${who}: ${res.body}`);
        assert.equal(res.json().error.code, 'PORTAL_PATIENT_NOT_FOUND');
        assert.ok(!res.body.includes('+336'), `${who} saw a phone number`);
      }
    }
    assert.equal(await versions(), before);
  });

  test('a patient with no box: the page says so and a save is refused', async () => {
    const view = await get(f.patientB, 'doctorB');
    assert.equal(view.statusCode, 200, view.body);
    assert.equal(view.json().boxId, null);
    assert.equal(view.json().config, null);
    const res = await put(f.patientB, 'doctorB', { ...document(), expectedVersion: 0 });
    assert.equal(res.statusCode, 409, res.body);
    assert.equal(res.json().error.field, 'boxId');
  });

  test('every read, change and refusal is in the access log, with versions and no phone number', async () => {
    const rows = async (accountId: string, action: string, where = 'true') =>
      countRows(f.db, 'access_log', `account_id = $1 AND patient_id = $2 AND action = $3 AND ${where}`, [accountId, f.patientA, action]);
    // Four reads by the doctor (tests above), each logged.
    assert.equal(await rows(f.doctorA.id, 'patient.medical', `detail->>'route' = 'GET /api/patients/:id/box-config'`), 4);
    assert.equal(await rows(f.doctorA.id, 'patient.medical', `detail->>'change' = 'box_config' AND (detail->>'toVersion')::int = 1 AND detail->>'fromVersion' IS NULL`), 1);
    assert.equal(await rows(f.doctorA.id, 'patient.medical', `detail->>'change' = 'box_config' AND (detail->>'changed')::boolean`), 3);
    // The refused saves (bad document, stale version) left no change row.
    assert.equal(await rows(f.doctorA.id, 'patient.medical', `detail->>'change' = 'box_config'`), 4);
    const nurse = (await f.db.query<{ id: string }>(`SELECT id FROM accounts WHERE email = 'nurse@test.example'`)).rows[0]!.id;
    assert.equal(await rows(nurse, 'patient.medical', `detail->>'route' = 'GET /api/patients/:id/box-config'`), 1);
    assert.equal(await rows(nurse, 'patient.denied', `detail->>'route' = 'PUT /api/patients/:id/box-config'`), 1);
    const relative = (await f.db.query<{ id: string }>(`SELECT id FROM accounts WHERE email = 'relative@test.example'`)).rows[0]!.id;
    assert.equal(await rows(relative, 'patient.denied'), 2);
    assert.equal(await countRows(f.db, 'access_log', `detail::text LIKE '%+336%'`), 0);
  });
});
