/**
 * FHIR R4 export (issue 18): the demo patient as a Bundle and as bulk NDJSON, every resource
 * validated against the R4 definitions and the vital-signs profiles (`fhir-validator.ts`), figures
 * equal to the rows they come from, access and audit as in the portal.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { countRows } from '@vigie/cloud-store/testing';
import { DEMO_PATIENT_ID, seedDemo } from '../src/demo/seed.ts';
import { observationResource } from '../src/fhir/fhir-resources.ts';
import { createPerson, portalFixture, T0, type PortalFixture } from './fixture.ts';
import { fhirProblems, requiredValueProblems, schemaProblems } from './fhir-validator.ts';
import { linkCare } from '../src/auth/accounts.ts';

const TOKEN = 'demo-token-0123456789abcdef';
let f: PortalFixture;
let doctor: string;
let nurse: string;
let patient: string;
let relative: string;
let otherDoctor: string;
let doctorId: string;

interface Json {
  [key: string]: unknown;
}

async function get(url: string, cookie?: string, headers: Record<string, string> = {}) {
  return f.app.inject({ method: 'GET', url, headers: { ...(cookie ? { cookie } : {}), ...headers } });
}

/**
 * Every resource against the official R4 JSON Schema and its profiles' required codes and units, and
 * one resource of each shape (type, profile, code, kind of effective time) through the full
 * StructureDefinition validation (`fhir-validator.ts`). Returns the first problems found.
 */
/** The path and query of an absolute URL the server handed out (inject() takes no host). */
function pathOf(url: string): string {
  const u = new URL(url);
  return u.pathname + u.search;
}

function allValid(resources: readonly Json[]): string[] {
  const problems: string[] = [];
  const shapes = new Set<string>();
  for (const r of resources) {
    const found = [...schemaProblems(r), ...requiredValueProblems(r)];
    const shape = JSON.stringify([r.resourceType, r.meta, (r.code as Json | undefined)?.coding, 'effectivePeriod' in r, 'mitigation' in r]);
    if (!shapes.has(shape)) {
      shapes.add(shape);
      found.push(...fhirProblems(r));
    }
    problems.push(...found.map((p) => `${String(r.resourceType)}/${String(r.id)}: ${p}`));
    if (problems.length >= 10) break;
  }
  return problems;
}

before(async () => {
  f = await portalFixture();
  await seedDemo(f.db, { boxId: 'VB-DEMO-0001', boxToken: TOKEN, now: T0 });
  // A bracelet, an acknowledged fall and an open low-battery alert for the demo patient.
  await f.db.query(`INSERT INTO bracelets (id) VALUES ('BR-DEMO-0001')`);
  await f.db.query(`INSERT INTO bracelet_assignments (bracelet_id, patient_id, valid_from) VALUES ('BR-DEMO-0001', $1, $2)`, [DEMO_PATIENT_ID, new Date(T0 - 3 * 86_400_000)]);
  await f.db.query(
    `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, acknowledgement) VALUES
       ('a0000000-0000-4000-8000-000000000001', 'VB-DEMO-0001', $1, 1, 'fall', 'critical', 'acknowledged', 3, $2, $3, $4),
       ('a0000000-0000-4000-8000-000000000002', 'VB-DEMO-0001', $1, 2, 'low_battery', 'warning', 'notified', 1, $3, $3, NULL)`,
    [DEMO_PATIENT_ID, new Date(T0 - 86_400_000), new Date(T0 - 86_000_000), JSON.stringify({ by: 'Sophie Bernard', via: 'sms', at: T0 - 86_300_000 })],
  );
  const login = (email: string, password: string) => f.login({ id: '', email, password });
  doctor = await login('docteur@vigie.demo', 'demo-docteur');
  nurse = await login('infirmiere@vigie.demo', 'demo-infirmiere');
  patient = await login('patient@vigie.demo', 'demo-patient');
  relative = await login('proche@vigie.demo', 'demo-proche');
  otherDoctor = await f.login(f.doctorB);
  doctorId = (await get('/api/me', doctor)).json().user.id as string;
  // The nurse also follows patient A of the fixture: a bulk export covers every patient of the caller.
  const { rows } = await f.db.query<{ id: string }>(`SELECT id FROM accounts WHERE email = 'infirmiere@vigie.demo'`);
  await linkCare(f.db, f.patientA, rows[0]!.id, 'nurse');
});
after(() => f.close());

describe('FHIR export', () => {
  test('metadata is a valid CapabilityStatement naming R4, Patient/$everything and the bulk export', async () => {
    const res = await get('/fhir/metadata');
    assert.equal(res.statusCode, 200);
    assert.match(String(res.headers['content-type']), /^application\/fhir\+json/);
    const cs = res.json() as Json;
    assert.deepEqual(fhirProblems(cs), []);
    assert.equal(cs.fhirVersion, '4.0.1');
    assert.match(JSON.stringify(cs), /Patient-everything/);
    assert.match(JSON.stringify(cs), /group-export/);
  });

  test('exports the demo patient as a Bundle of valid resources whose values equal the rows', async () => {
    const res = await get(`/fhir/Patient/${DEMO_PATIENT_ID}/$everything`, doctor);
    assert.equal(res.statusCode, 200, res.body);
    const bundle = res.json() as Json;
    assert.deepEqual(schemaProblems(bundle), []);
    const resources = (bundle.entry as { resource: Json }[]).map((e) => e.resource);
    assert.deepEqual(allValid(resources), []);

    const byType = (type: string) => resources.filter((r) => r.resourceType === type);
    assert.equal(byType('Patient').length, 1);
    assert.deepEqual((byType('Patient')[0]!.name as Json[])[0], { text: 'Jeanne Dupont' });
    assert.equal(byType('Patient')[0]!.birthDate, '1938');
    assert.deepEqual(byType('Device').map((d) => d.id).sort(), ['box-VB-DEMO-0001', 'bracelet-BR-DEMO-0001']);
    // Three days of history: 2,160 heart-rate means, 864 SpO2, 144 step counts (the seed's figures).
    const observations = byType('Observation');
    const count = (loinc: string) => observations.filter((o) => JSON.stringify(o.code).includes(`"${loinc}"`)).length;
    assert.deepEqual([count('8867-4'), count('2708-6'), count('55423-8')], [2_160, 864, 144]);
    const { rows } = await f.db.query<{ metric: string; total: number }>(
      `SELECT metric, sum(value)::float8 AS total FROM measurements WHERE patient_id = $1 AND metric IN ('heart_rate', 'spo2', 'steps') GROUP BY metric ORDER BY metric`,
      [DEMO_PATIENT_ID],
    );
    const sum = (loinc: string) =>
      observations.filter((o) => JSON.stringify(o.code).includes(`"${loinc}"`)).reduce((s, o) => s + ((o.valueQuantity as { value: number }).value), 0);
    assert.deepEqual(
      rows.map((r) => Math.round(r.total * 1000)),
      [sum('8867-4'), sum('2708-6'), sum('55423-8')].map((v) => Math.round(v * 1000)),
    );
    const issues = byType('DetectedIssue');
    assert.deepEqual(issues.map((i) => [(i.code as { coding: Json[] }).coding[0]!.code, i.status, i.severity]), [
      ['fall', 'final', 'high'],
      ['low_battery', 'preliminary', 'moderate'],
    ]);
    assert.match(JSON.stringify(issues[0]!.mitigation), /Pris en charge par Sophie Bernard par SMS/);
  });

  test('each vital sign uses its profile, LOINC code and UCUM unit; a mean over a period has an effectivePeriod', () => {
    const hr = observationResource(DEMO_PATIENT_ID, { metric: 'heart_rate', ts: new Date(T0), value: 72, period_s: 120 })!;
    assert.deepEqual(hr.meta, { profile: ['http://hl7.org/fhir/StructureDefinition/heartrate'] });
    assert.deepEqual(hr.valueQuantity, { value: 72, unit: 'beats/minute', system: 'http://unitsofmeasure.org', code: '/min' });
    assert.deepEqual(hr.effectivePeriod, { start: new Date(T0 - 120_000).toISOString(), end: new Date(T0).toISOString() });
    const spo2 = observationResource(DEMO_PATIENT_ID, { metric: 'spo2', ts: new Date(T0), value: 96, period_s: null })!;
    assert.equal(spo2.effectiveDateTime, new Date(T0).toISOString());
    assert.deepEqual((spo2.code as { coding: Json[] }).coding.map((c) => c.code), ['2708-6', '59408-5']);
    const steps = observationResource(DEMO_PATIENT_ID, { metric: 'steps', ts: new Date(T0), value: 340, period_s: 1800 })!;
    assert.equal((steps.valueQuantity as Json).code, '{steps}');
    assert.equal(observationResource(DEMO_PATIENT_ID, { metric: 'bracelet_battery', ts: new Date(T0), value: 80, period_s: null }), null);
    for (const r of [hr, spo2, steps]) assert.deepEqual(fhirProblems(r), []);
  });

  test('the validator refuses a heart rate with a wrong LOINC code or a wrong unit, and an unknown property', () => {
    const hr = observationResource(DEMO_PATIENT_ID, { metric: 'heart_rate', ts: new Date(T0), value: 72, period_s: null })!;
    assert.notDeepEqual(fhirProblems({ ...hr, code: { coding: [{ system: 'http://loinc.org', code: '8310-5' }] } }), []);
    assert.notDeepEqual(fhirProblems({ ...hr, valueQuantity: { value: 72, unit: 'bpm', system: 'http://unitsofmeasure.org', code: 'bpm' } }), []);
    assert.notDeepEqual(fhirProblems({ ...hr, heartRate: 72 }), []);
  });

  test('bulk export: kick-off, status manifest, then NDJSON files of valid resources for every patient of the caller', async () => {
    const kick = await get(`/fhir/Group/${(await get('/api/me', nurse)).json().user.id as string}/$export`, nurse, { prefer: 'respond-async', accept: 'application/fhir+json' });
    assert.equal(kick.statusCode, 202, kick.body);
    const statusUrl = new URL(String(kick.headers['content-location']));
    const status = await get(statusUrl.pathname + statusUrl.search, nurse);
    assert.equal(status.statusCode, 200);
    const manifest = status.json() as { transactionTime: string; requiresAccessToken: boolean; output: { type: string; url: string }[]; error: unknown[] };
    assert.equal(manifest.transactionTime, new Date(T0).toISOString());
    assert.deepEqual(manifest.output.map((o) => o.type), ['Patient', 'Device', 'Observation', 'DetectedIssue']);
    const files: Record<string, Json[]> = {};
    for (const output of manifest.output) {
      const res = await get(pathOf(output.url), nurse);
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /^application\/fhir\+ndjson/);
      assert.ok(res.body.endsWith('\n'));
      files[output.type] = res.body.trimEnd().split('\n').map((line) => JSON.parse(line) as Json);
      assert.ok(files[output.type]!.every((r) => r.resourceType === output.type));
    }
    assert.deepEqual(files.Patient!.map((p) => p.id).sort(), [DEMO_PATIENT_ID, f.patientA].sort());
    assert.equal(files.Observation!.length, 2_160 + 864 + 144);
    assert.deepEqual(allValid(Object.values(files).flat()), []);
    // Each step was audited with the patients it concerned.
    assert.equal(await countRows(f.db, 'access_log', `action = 'fhir.export' AND patient_id = $1`, [DEMO_PATIENT_ID]), 1);
    assert.equal(await countRows(f.db, 'access_log', `action = 'fhir.export.file' AND patient_id = $1`, [DEMO_PATIENT_ID]), 4);
  });

  test('bulk export: _type and _since narrow it; bad parameters are OperationOutcomes naming the parameter', async () => {
    const headers = { prefer: 'respond-async' };
    const kick = await get(`/fhir/Group/${doctorId}/$export?_type=Observation&_since=${new Date(T0 - 3_600_000).toISOString()}`, doctor, headers);
    assert.equal(kick.statusCode, 202);
    const manifest = (await get(pathOf(String(kick.headers['content-location'])), doctor)).json() as { output: { type: string; url: string }[] };
    assert.deepEqual(manifest.output.map((o) => o.type), ['Observation']);
    const lines = (await get(pathOf(manifest.output[0]!.url), doctor)).body.trimEnd().split('\n');
    const expected = await countRows(f.db, 'measurements', `patient_id = $1 AND metric IN ('heart_rate', 'spo2', 'steps') AND ts >= $2 AND ts <= $3`, [DEMO_PATIENT_ID, new Date(T0 - 3_600_000), new Date(T0)]);
    assert.equal(lines.length, expected);

    for (const [query, field] of [['_type=Medication', '_type'], ['_since=yesterday', '_since'], ['_outputFormat=text/csv', '_outputFormat']] as const) {
      const res = await get(`/fhir/Group/${doctorId}/$export?${query}`, doctor, headers);
      assert.equal(res.statusCode, 400, query);
      const outcome = res.json() as { resourceType: string; issue: { code: string; expression: string[]; diagnostics: string }[] };
      assert.equal(outcome.resourceType, 'OperationOutcome');
      assert.deepEqual(outcome.issue[0]!.expression, [field]);
      assert.deepEqual(fhirProblems(outcome as unknown as Json), []);
    }
    const noPrefer = await get(`/fhir/Group/${doctorId}/$export`, doctor);
    assert.equal(noPrefer.statusCode, 400);
    assert.deepEqual((noPrefer.json() as { issue: { expression: string[] }[] }).issue[0]!.expression, ['Prefer']);
    const tooLong = await get(`/fhir/Patient/${DEMO_PATIENT_ID}/$everything?start=2026-01-01&end=2026-05-01`, doctor);
    assert.equal(tooLong.statusCode, 400);
    assert.match(tooLong.body, /bulk export/);
  });

  test('access as in the portal: the patient reads their own record; a relative, another doctor, support and admin read nothing; a job is its owner’s only', async () => {
    assert.equal((await get(`/fhir/Patient/${DEMO_PATIENT_ID}`, patient)).statusCode, 200);
    assert.equal((await get(`/fhir/Patient/${DEMO_PATIENT_ID}/$everything`, patient)).statusCode, 200);
    const support = await f.login(await createPerson(f.db, 'support@test.example', 'support'));
    for (const [who, cookie] of [['relative', relative], ['other doctor', otherDoctor], ['support', support], ['nobody', undefined]] as const) {
      const res = await get(`/fhir/Patient/${DEMO_PATIENT_ID}/$everything`, cookie);
      assert.ok([401, 404].includes(res.statusCode), `${who}: ${res.statusCode}`);
      assert.equal((res.json() as Json).resourceType, 'OperationOutcome');
    }
    // The bulk export is for the care team; a relative and a patient cannot start one, nor use another's group.
    assert.equal((await get(`/fhir/Group/${doctorId}/$export`, relative, { prefer: 'respond-async' })).statusCode, 403);
    assert.equal((await get(`/fhir/Group/${doctorId}/$export`, otherDoctor, { prefer: 'respond-async' })).statusCode, 403);
    const kick = await get(`/fhir/Group/${doctorId}/$export`, doctor, { prefer: 'respond-async' });
    const statusPath = pathOf(String(kick.headers['content-location']));
    assert.equal((await get(statusPath, otherDoctor)).statusCode, 404, 'a job URL is useless to another account');
    const forged = statusPath.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'));
    assert.equal((await get(forged, doctor)).statusCode, 404, 'a tampered job is refused');
    // A job expires with its hour (a new session: the old one idled out meanwhile).
    f.clock.now += 61 * 60_000;
    const later = await f.login({ id: '', email: 'docteur@vigie.demo', password: 'demo-docteur' });
    assert.equal((await get(statusPath, later)).statusCode, 404);
    f.clock.now = T0;
    assert.ok(await countRows(f.db, 'access_log', `action = 'patient.fhir' AND patient_id = $1`, [DEMO_PATIENT_ID]) >= 2);
  });
});
