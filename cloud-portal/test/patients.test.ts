import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { insertMeasurements, type MeasurementRow } from '@vigie/cloud-store';
import { countRows } from '@vigie/cloud-store/testing';
import { portalFixture, T0, type PortalFixture } from './fixture.ts';

const MIN = 60_000;
const DAY = 86_400_000;
let f: PortalFixture;
let cookieA: string;
let cookieAdmin: string;

function get(url: string, cookie = cookieA) {
  return f.app.inject({ method: 'GET', url, headers: { cookie } });
}

function rows(patientId: string, metric: string, n: number, stepMs: number, start: number, value: (i: number) => number): MeasurementRow[] {
  return Array.from({ length: n }, (_, i) => ({ patientId, boxId: f.boxA.boxId, metric, ts: start + i * stepMs, value: value(i), periodS: stepMs / 1000 }));
}

before(async () => {
  f = await portalFixture();
  // Patient A: 7 days of heart rate every 2 min (5,040 readings), 3 days of steps every 30 min.
  await insertMeasurements(f.db, rows(f.patientA, 'heart_rate', 5_040, 2 * MIN, T0 - 7 * DAY, (i) => 60 + (i % 30)));
  await insertMeasurements(f.db, rows(f.patientA, 'steps', 144, 30 * MIN, T0 - 3 * DAY, (i) => i % 10));
  await insertMeasurements(f.db, rows(f.patientB, 'heart_rate', 10, 2 * MIN, T0 - DAY, () => 70));
  for (const [i, state] of (['closed', 'acknowledged', 'notified', 'raised'] as const).entries()) {
    await f.db.query(
      `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, notifications)
       VALUES ($1, $2, $3, $4, 'fall', 'critical', $5, 1, $6, $6, '[]')`,
      [randomUUID(), f.boxA.boxId, f.patientA, i + 1, state, new Date(T0 - (4 - i) * DAY).toISOString()],
    );
  }
  cookieA = await f.login(f.doctorA);
  cookieAdmin = await f.login(f.admin);
});
after(() => f.close());

describe('GET /api/patients', () => {
  test("lists only the caller's patients with box, last reading and open alerts", async () => {
    const res = await get('/api/patients');
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      patients: [{ id: f.patientA, displayName: 'Alice Patient', boxId: f.boxA.boxId, lastReadingAt: T0 - 2 * MIN, openAlerts: 2 }],
    });
  });

  test('shows an admin no medical data when not linked', async () => {
    assert.deepEqual((await get('/api/patients', cookieAdmin)).json(), { patients: [] });
    assert.equal((await get(`/api/patients/${f.patientA}/alerts`, cookieAdmin)).statusCode, 404);
  });

  test('hides a soft-deleted patient', async () => {
    await f.db.query('UPDATE patients SET deleted_at = now() WHERE id = $1', [f.patientA]);
    try {
      assert.deepEqual((await get('/api/patients')).json(), { patients: [] });
      assert.equal((await get(`/api/patients/${f.patientA}/alerts`)).statusCode, 404);
    } finally {
      await f.db.query('UPDATE patients SET deleted_at = NULL WHERE id = $1', [f.patientA]);
    }
  });

  test('requires a session', async () => {
    assert.equal((await f.app.inject({ method: 'GET', url: '/api/patients' })).statusCode, 401);
  });
});

describe('patient data routes', () => {
  test("answers 404 for another doctor's patient, an unknown id and a malformed id alike", async () => {
    const answers = await Promise.all(
      [f.patientB, randomUUID(), 'not-a-uuid', `${f.patientA.toUpperCase()}`].map((id) => get(`/api/patients/${id}/alerts`)),
    );
    for (const res of answers) {
      assert.equal(res.statusCode, 404);
      assert.deepEqual(res.json(), answers[0]!.json());
    }
    assert.equal(answers[0]!.json().error.code, 'PORTAL_PATIENT_NOT_FOUND');
    assert.equal((await get(`/api/patients/${f.patientB}/dashboard`)).statusCode, 404);
  });

  test('names the query field that is invalid', async () => {
    assert.equal((await get(`/api/patients/${f.patientA}/alerts?limit=0`)).json().error.field, 'limit');
  });

  test('lists alerts newest first, with a limit', async () => {
    const res = await get(`/api/patients/${f.patientA}/alerts?limit=3`);
    assert.equal(res.statusCode, 200);
    const { alerts } = res.json();
    assert.deepEqual(alerts.map((a: { number: number }) => a.number), [4, 3, 2]);
    assert.deepEqual(Object.keys(alerts[0]).sort(), [
      'acknowledgement', 'alertId', 'kind', 'notifications', 'number', 'raisedAt', 'severity', 'state', 'updatedAt',
    ]);
    assert.equal(alerts[0].raisedAt, T0 - DAY);
  });

  test('writes an access_log row for every read of medical data, and for refused attempts', async () => {
    const before = await countRows(f.db, 'access_log', 'account_id = $1', [f.doctorA.id]);
    await get('/api/patients');
    await get(`/api/patients/${f.patientA}/dashboard`);
    await get(`/api/patients/${f.patientA}/alerts`);
    await get(`/api/patients/${f.patientB}/alerts`);
    const { rows: log } = await f.db.query<{ action: string; patient_id: string }>(
      'SELECT action, patient_id FROM access_log WHERE account_id = $1 ORDER BY id OFFSET $2',
      [f.doctorA.id, before],
    );
    assert.deepEqual(log, [
      { action: 'patients.list', patient_id: f.patientA },
      { action: 'patient.dashboard', patient_id: f.patientA },
      { action: 'patient.alerts', patient_id: f.patientA },
      { action: 'patient.denied', patient_id: f.patientB },
    ]);
  });
});

describe('HTTP hygiene', () => {
  test('puts security headers on API answers, errors and pages, and never caches API answers', async () => {
    for (const res of [await get('/api/patients'), await get('/api/nope'), await get('/'), await get('/patients/x')]) {
      assert.match(String(res.headers['content-security-policy']), /default-src 'self'.*frame-ancestors 'none'/);
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
      assert.equal(res.headers['referrer-policy'], 'no-referrer');
    }
    assert.equal((await get('/api/patients')).headers['cache-control'], 'no-store');
  });

  test('answers unknown API paths with a JSON 404', async () => {
    const res = await get('/api/nope');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().error.code, 'CLOUD_NOT_FOUND');
  });

  test('answers 500 without internals when something unexpected fails', async () => {
    await f.db.query('ALTER TABLE alerts RENAME TO alerts_away');
    try {
      const res = await get(`/api/patients/${f.patientA}/alerts`);
      assert.equal(res.statusCode, 500);
      assert.deepEqual(res.json(), { error: { code: 'CLOUD_INTERNAL', message: 'Internal error' } });
    } finally {
      await f.db.query('ALTER TABLE alerts_away RENAME TO alerts');
    }
  });
});
