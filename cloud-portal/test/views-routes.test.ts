/**
 * The role views through the real app (app.inject): doctor's dashboard, patient list at a glance,
 * nurse's summary and inbox with acknowledgement, relative's alerts, patient's status page and
 * support tickets, support's fleet — each for the right role, and refused to the others.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import type { Heartbeat } from '@vigie/protocol';
import { BOX_CONFIG_DEFAULTS, insertMeasurements, saveBoxConfig, updateBoxStatus, type MeasurementRow } from '@vigie/cloud-store';
import { countRows } from '@vigie/cloud-store/testing';
import { linkCare } from '../src/auth/accounts.ts';
import { MAX_POINTS } from '../src/patients/measurement-series.ts';
import type { AccountRole } from '../src/api-types.ts';
import { createPerson, portalFixture, T0, type Person, type PortalFixture } from './fixture.ts';

const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
let f: PortalFixture;
const cookies: Record<string, string> = {};
let fallId: string;
let oldId: string;

const person = (email: string, role: AccountRole, displayName: string): Promise<Person> => createPerson(f.db, email, role, displayName);

function get(url: string, who: string) {
  return f.app.inject({ method: 'GET', url, headers: { cookie: cookies[who]! } });
}
function post(url: string, who: string, payload: object = {}, csrf = true) {
  return f.app.inject({ method: 'POST', url, headers: { cookie: cookies[who]!, ...(csrf ? { 'x-vigie-csrf': '1' } : {}) }, payload });
}

/** A heartbeat as the ingest keeps it (`box_status`, the store's query), received at `at`. */
async function heartbeat(at: number, extra: Record<string, unknown> = {}) {
  const payload = {
    v: 1,
    boxId: f.boxA.boxId,
    at,
    software: { box: '1.4.2' },
    bufferDepth: 3,
    oldestUnsentAt: null,
    lastBraceletContactAt: at - MIN,
    braceletBattery: 80,
    modem: { registered: true, signal: 18 },
    diskFreeBytes: 1e9,
    ...extra,
  };
  await updateBoxStatus(f.db, payload as Heartbeat, at);
}

async function alert(state: string, raisedAt: number, severity = 'critical', extra: { notifications?: unknown[]; acknowledgement?: unknown } = {}): Promise<string> {
  const id = randomUUID();
  await f.db.query(
    `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision, raised_at, updated_at, notifications, acknowledgement)
     VALUES ($1, $2, $3, $4, 'fall', $5, $6, 1, $7, $7, $8::jsonb, $9::jsonb)`,
    [id, f.boxA.boxId, f.patientA, Math.floor(Math.random() * 900) + 1, severity, state, new Date(raisedAt).toISOString(), JSON.stringify(extra.notifications ?? []), extra.acknowledgement ? JSON.stringify(extra.acknowledgement) : null],
  );
  return id;
}

before(async () => {
  f = await portalFixture();
  const nurse = await person('nurse@test.example', 'nurse', 'Sophie Nurse');
  const relative = await person('relative@test.example', 'relative', 'Paul Relative');
  const patient = await person('patient@test.example', 'patient', 'Alice Patient');
  const support = await person('support@test.example', 'support', 'Sam Support');
  await linkCare(f.db, f.patientA, nurse.id, 'nurse');
  await linkCare(f.db, f.patientA, relative.id, 'relative');
  await linkCare(f.db, f.patientA, patient.id, 'patient');
  // 30 days of heart rate every 2 min, SpO2 every 5 min, steps every 30 min, for patient A.
  const rows: MeasurementRow[] = [];
  const m = (metric: string, step: number, value: (i: number) => number) => {
    for (let ts = T0 - 30 * DAY, i = 0; ts < T0; ts += step, i++) rows.push({ patientId: f.patientA, boxId: f.boxA.boxId, metric, ts, value: value(i), periodS: step / 1000 });
  };
  m('heart_rate', 2 * MIN, (i) => (i % 100 === 0 ? 140 : 70 + (i % 10)));
  m('spo2', 5 * MIN, (i) => (i % 50 === 0 ? 87 : 96));
  m('steps', 30 * MIN, () => 100);
  for (let i = 0; i < rows.length; i += 5_000) await insertMeasurements(f.db, rows.slice(i, i + 5_000));
  await heartbeat(T0 - 2 * MIN, { braceletBattery: 12 });
  fallId = await alert('notified', T0 - 2 * HOUR, 'critical', {
    notifications: [
      { contact: 'Paul Relative', channel: 'sms', status: 'sent', at: T0 - 2 * HOUR + 5_000 },
      { contact: 'Sophie Nurse', channel: 'sms', status: 'failed', at: T0 - 2 * HOUR + 5_000 },
    ],
  });
  oldId = await alert('closed', T0 - 5 * DAY, 'critical', { acknowledgement: { by: 'Sophie Nurse', via: 'sms', at: T0 - 5 * DAY + MIN } });
  await alert('closed', T0 - 3 * DAY, 'warning');
  for (const [who, p] of Object.entries({ doctor: f.doctorA, doctorB: f.doctorB, admin: f.admin, nurse, relative, patient, support })) cookies[who] = await f.login(p);
});
after(() => f.close());

describe("doctor's patient page", () => {
  test('a month: three series of at most 1,000 points each, alert markers on the axis', async () => {
    const res = await get(`/api/patients/${f.patientA}/dashboard?from=${T0 - 30 * DAY}&to=${T0}`, 'doctor');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    for (const metric of ['heart_rate', 'spo2', 'steps']) {
      const s = body.series[metric];
      assert.ok(s.points.length > 0 && s.points.length <= MAX_POINTS, `${metric}: ${s.points.length}`);
    }
    assert.equal(body.series.heart_rate.readings, 21_600);
    assert.equal(body.series.steps.points.reduce((n: number, p: number[]) => n + p[1]!, 0), 30 * 48 * 100);
    // Every bucket of heart rate holds one 140 spike at most: max reaches 140, min stays ≥ 70.
    assert.ok(body.series.heart_rate.points.some((p: number[]) => p[3] === 140));
    assert.ok(body.series.heart_rate.points.every((p: number[]) => p[2]! >= 70));
    const markers = body.alerts as { alertId: string; severity: string; raisedAt: number }[];
    assert.equal(markers.length, 3);
    assert.ok(markers.some((a) => a.alertId === fallId && a.raisedAt === T0 - 2 * HOUR));
    assert.ok(markers.some((a) => a.alertId === oldId));
    assert.ok(markers.every((a, i) => i === 0 || a.raisedAt >= markers[i - 1]!.raisedAt));
  });

  test('defaults to the last 30 days and names a bad query field', async () => {
    const res = await get(`/api/patients/${f.patientA}/dashboard`, 'doctor');
    assert.equal(res.json().to - res.json().from, 30 * DAY);
    for (const [q, field] of [['from=yesterday', 'from'], [`from=${T0}&to=${T0 - 1}`, 'from'], [`from=0&to=${T0}`, 'from']] as const) {
      const bad = await get(`/api/patients/${f.patientA}/dashboard?${q}`, 'doctor');
      assert.equal(bad.statusCode, 400, q);
      assert.equal(bad.json().error.field, field);
    }
  });

  test("is refused (404) to another doctor, a relative, support and an unlinked admin", async () => {
    for (const who of ['doctorB', 'relative', 'support', 'admin']) {
      const res = await get(`/api/patients/${f.patientA}/dashboard`, who);
      assert.equal(res.statusCode, 404, who);
    }
  });

  test('the list at a glance shows last data, open alerts and equipment problems', async () => {
    const res = await get('/api/care/patients', 'doctor');
    assert.equal(res.statusCode, 200);
    const [row] = res.json().patients;
    assert.equal(row.id, f.patientA);
    assert.equal(row.openAlerts, 1);
    assert.equal(row.lastReadingAt, T0 - 2 * MIN);
    assert.equal(row.device.boxOnline, true);
    assert.equal(row.device.lastHeartbeatAt, T0 - 2 * MIN);
    assert.deepEqual(row.device.problems, ['bracelet_battery_low']);
    assert.equal(res.json().patients.length, 1);
    assert.deepEqual((await get('/api/care/patients', 'doctorB')).json().patients.map((p: { id: string }) => p.id), [f.patientB]);
  });

  test('a silent box and a backlog show as problems', async () => {
    // 16 minutes without a heartbeat (the session is still alive: 30 min idle).
    f.clock.now = T0 + 14 * MIN;
    try {
      const [row] = (await get('/api/care/patients', 'doctor')).json().patients;
      assert.ok(row.device.problems.includes('box_silent'), JSON.stringify(row.device));
      assert.equal(row.device.boxOnline, false);
    } finally {
      f.clock.now = T0;
    }
    await heartbeat(T0 - MIN, { braceletBattery: 12, bufferDepth: 900 });
    try {
      const [row] = (await get('/api/care/patients', 'doctor')).json().patients;
      assert.deepEqual(row.device.problems, ['bracelet_battery_low', 'buffer_backlog']);
    } finally {
      await heartbeat(T0 - MIN / 2, { braceletBattery: 12 });
    }
  });
});

describe("nurse's summary and inbox", () => {
  test('min, mean, max, anomalies per metric, steps per day and alerts over 48 h', async () => {
    const res = await get(`/api/patients/${f.patientA}/summary?from=${T0 - 2 * DAY}&to=${T0}`, 'nurse');
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json();
    const hr = body.metrics.find((m: { metric: string }) => m.metric === 'heart_rate');
    assert.equal(hr.count, 1_440);
    assert.equal(hr.min, 70);
    assert.equal(hr.max, 140);
    // Spikes (140 > 130) every 100th reading.
    assert.ok(hr.anomalies >= 14 && hr.anomalies <= 15, String(hr.anomalies));
    const spo2 = body.metrics.find((m: { metric: string }) => m.metric === 'spo2');
    assert.ok(spo2.anomalies >= 11 && spo2.anomalies <= 12, String(spo2.anomalies));
    assert.equal(body.metrics.find((m: { metric: string }) => m.metric === 'steps').anomalies, 0);
    const steps = body.stepsPerDay.reduce((n: number, d: { steps: number }) => n + d.steps, 0);
    assert.equal(steps, 96 * 100);
    assert.ok(body.stepsPerDay.every((d: { day: string }) => /^\d{4}-\d\d-\d\d$/.test(d.day)));
    assert.deepEqual(body.alerts.map((a: { alertId: string }) => a.alertId), [fallId]);
  });

  test("counts anomalies against the patient's own thresholds once the doctor has set them", async () => {
    await saveBoxConfig(f.db, {
      patientId: f.patientA,
      config: { ...BOX_CONFIG_DEFAULTS, contacts: [{ name: 'Sophie Nurse', phone: '+33639980001', role: 'nurse', tier: 1 }], thresholds: { ...BOX_CONFIG_DEFAULTS.thresholds, heartRateLow: 75 } },
      changedBy: 'a.doctor@test.example',
      now: T0,
    });
    const body = (await get(`/api/patients/${f.patientA}/summary?from=${T0 - 2 * DAY}&to=${T0}`, 'nurse')).json();
    const hr = body.metrics.find((m: { metric: string }) => m.metric === 'heart_rate');
    assert.deepEqual(hr.thresholds, { low: 75, high: 130 });
    // 70–74 (half of the ordinary readings) are now below the low threshold, plus the spikes.
    assert.ok(hr.anomalies > 700 && hr.anomalies < 740, String(hr.anomalies));
  });

  test('the inbox lists open and recent alerts of the patients followed, with their names', async () => {
    const res = await get('/api/inbox', 'nurse');
    assert.equal(res.statusCode, 200);
    const ids = res.json().alerts.map((a: { alertId: string }) => a.alertId);
    assert.ok(ids.includes(fallId) && ids.includes(oldId));
    assert.equal(res.json().alerts[0].patientName, 'Alice Patient');
    assert.equal((await get('/api/inbox', 'doctorB')).json().alerts.length, 0);
    assert.equal((await get('/api/inbox', 'relative')).statusCode, 403);
  });

  test('acknowledging needs the CSRF header, a care role and a visible alert', async () => {
    assert.equal((await post(`/api/alerts/${fallId}/acknowledge`, 'nurse', {}, false)).statusCode, 403);
    assert.equal((await post(`/api/alerts/${fallId}/acknowledge`, 'relative')).statusCode, 403);
    assert.equal((await post(`/api/alerts/${fallId}/acknowledge`, 'doctorB')).json().error.code, 'PORTAL_ALERT_NOT_FOUND');
    assert.equal((await post(`/api/alerts/${randomUUID()}/acknowledge`, 'nurse')).statusCode, 404);
    // Already over: nothing to send.
    const closed = await post(`/api/alerts/${oldId}/acknowledge`, 'nurse');
    assert.equal(closed.statusCode, 200);
    assert.deepEqual(closed.json(), { alertId: oldId, queued: false });
  });

  test('acknowledging an open alert sends it to the box (or says the downlink is missing)', async () => {
    const res = await post(`/api/alerts/${fallId}/acknowledge`, 'nurse');
    assert.equal(res.statusCode, 202, res.body);
    assert.deepEqual(res.json(), { alertId: fallId, queued: true });
    // The command waits for the box, once, quoting the nurse.
    assert.equal(await countRows(f.db, 'box_commands', "alert_id = $1 AND kind = 'acknowledge_alert' AND done_at IS NULL", [fallId]), 1);
    assert.deepEqual((await post(`/api/alerts/${fallId}/acknowledge`, 'doctor')).json(), { alertId: fallId, queued: true });
    assert.equal(await countRows(f.db, 'box_commands', 'alert_id = $1', [fallId]), 1);
    // The inbox shows it as sent to the box.
    const item = (await get('/api/inbox', 'nurse')).json().alerts.find((a: { alertId: string }) => a.alertId === fallId);
    assert.equal(item.ackRequest.by, 'Sophie Nurse');
    assert.equal(item.ackRequest.doneAt, null);
    assert.ok((await countRows(f.db, 'access_log', "action = 'alert.acknowledge'")) >= 1);
  });
});

describe("relative's alerts", () => {
  test('critical alerts only, with the SMS sent and who took them in charge, no measurement', async () => {
    const res = await get('/api/relative/alerts', 'relative');
    assert.equal(res.statusCode, 200);
    const { alerts } = res.json();
    assert.deepEqual(alerts.map((a: { alertId: string }) => a.alertId), [fallId, oldId]);
    assert.deepEqual(alerts[0].smsSent, [{ contact: 'Paul Relative', at: T0 - 2 * HOUR + 5_000 }]);
    assert.equal(alerts[1].acknowledgement.by, 'Sophie Nurse');
    assert.doesNotMatch(res.body, /heart_rate|spo2|value/);
    for (const who of ['doctor', 'nurse', 'patient', 'support']) assert.equal((await get('/api/relative/alerts', who)).statusCode, 403, who);
    assert.equal((await get(`/api/patients/${f.patientA}/summary`, 'relative')).statusCode, 404);
  });
});

describe("patient's status page and support tickets", () => {
  test('box online, bracelet connected, battery low with the fix, last sync', async () => {
    const res = await get('/api/my/status', 'patient');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.patientName, 'Alice Patient');
    assert.equal(body.device.boxOnline, true);
    assert.equal(body.braceletConnected, true);
    assert.equal(body.device.braceletBattery, 12);
    assert.deepEqual(body.device.problems, ['bracelet_battery_low']);
    assert.equal(body.lastSyncAt, T0 - 2 * MIN);
    assert.doesNotMatch(res.body, /heart_rate|spo2/);
    assert.equal((await get('/api/my/status', 'doctor')).statusCode, 403);
  });

  test('a ticket from the patient reaches support and admins, who change its status', async () => {
    const created = await post('/api/support/tickets', 'patient', { topic: 'bracelet', message: '  Le bracelet ne charge plus  ', callback: '01 23 45 67 89' });
    assert.equal(created.statusCode, 201, created.body);
    const { ticket } = created.json();
    assert.equal(ticket.message, 'Le bracelet ne charge plus');
    assert.equal(ticket.status, 'open');
    assert.equal(ticket.patientName, 'Alice Patient');
    assert.equal(ticket.boxId, f.boxA.boxId);
    assert.ok(ticket.number >= 1);
    for (const who of ['support', 'admin']) {
      const list = await get('/api/support/tickets', who);
      assert.equal(list.statusCode, 200, who);
      assert.equal(list.json().tickets[0].id, ticket.id);
    }
    for (const who of ['doctor', 'nurse', 'patient', 'relative']) assert.equal((await get('/api/support/tickets', who)).statusCode, 403, who);
    assert.equal((await get('/api/support/tickets?status=in_progress', 'support')).json().tickets.length, 0);
    assert.equal((await get('/api/support/tickets?status=lost', 'support')).json().error.field, 'status');
    const changed = await post(`/api/support/tickets/${ticket.id}/status`, 'support', { status: 'in_progress' });
    assert.equal(changed.json().ticket.status, 'in_progress');
    assert.equal((await get('/api/my/tickets', 'patient')).json().tickets[0].status, 'in_progress');
    assert.equal((await post(`/api/support/tickets/${ticket.id}/status`, 'patient', { status: 'closed' })).statusCode, 403);
    assert.equal((await post(`/api/support/tickets/${randomUUID()}/status`, 'support', { status: 'closed' })).json().error.code, 'PORTAL_TICKET_NOT_FOUND');
  });

  test('a bad ticket names the field', async () => {
    for (const [payload, field] of [
      [{ topic: 'weather', message: 'x' }, '/topic'],
      [{ topic: 'box', message: '' }, '/message'],
      [{ topic: 'box', message: '   ' }, '/message'],
      [{ topic: 'box', message: 'x'.repeat(2001) }, '/message'],
      [{ topic: 'box', message: 'x', extra: 1 }, '/extra'],
    ] as const) {
      const res = await post('/api/support/tickets', 'patient', payload);
      assert.equal(res.statusCode, 400, JSON.stringify(payload).slice(0, 80));
      assert.equal(res.json().error.field, field);
    }
  });
});

describe("support's fleet", () => {
  test('boxes with heartbeat, battery, signal, buffer and versions; no medical value', async () => {
    const res = await get('/api/support/fleet', 'support');
    assert.equal(res.statusCode, 200);
    const body = res.json();
    const box = body.boxes.find((b: { boxId: string }) => b.boxId === f.boxA.boxId);
    assert.equal(box.lastHeartbeatAt, T0 - MIN / 2);
    assert.equal(box.signal, 18);
    assert.equal(box.bufferDepth, 3);
    assert.equal(box.braceletBattery, 12);
    assert.equal(box.software, '1.4.2');
    assert.equal(box.silent, false);
    assert.deepEqual(body.versions, [{ version: '1.4.2', boxes: 1 }]);
    assert.deepEqual(body.events, []);
    // An open "no data" event of the ingest's silence detector shows; a resolved one does not.
    await f.db.query(
      `INSERT INTO fleet_events (kind, box_id, patient_id, since, raised_at, resolved_at)
       VALUES ('bracelet_silent', $1, $2, $3, $4, NULL), ('box_silent', $1, $2, $3, $4, $4)`,
      [f.boxA.boxId, f.patientA, new Date(T0 - HOUR).toISOString(), new Date(T0 - 30 * MIN).toISOString()],
    );
    assert.deepEqual((await get('/api/support/fleet', 'support')).json().events, [{ kind: 'bracelet_silent', boxId: f.boxA.boxId, since: T0 - HOUR, raisedAt: T0 - 30 * MIN }]);
    assert.equal(body.totals.boxes, 1);
    assert.doesNotMatch(res.body, /Alice|heart_rate|spo2/);
    for (const who of ['doctor', 'nurse', 'relative', 'patient']) assert.equal((await get('/api/support/fleet', who)).statusCode, 403, who);
    assert.equal((await f.app.inject({ method: 'GET', url: '/api/support/fleet' })).statusCode, 401);
  });

  test("the box's last daily self-test shows with the checks that failed, and stays until the next one", async () => {
    const fleetBox = async () => (await get('/api/support/fleet', 'support')).json().boxes.find((b: { boxId: string }) => b.boxId === f.boxA.boxId);
    await heartbeat(T0 - MIN / 3, { selftest: { at: T0 - MIN / 3, failed: ['sim', 'storage-space'] } });
    assert.deepEqual((await fleetBox()).selfTest, { at: T0 - MIN / 3, failed: ['sim', 'storage-space'] });
    // A heartbeat between two daily runs (or from a box that does not report it) keeps the last one.
    await heartbeat(T0 - MIN / 4);
    assert.deepEqual((await fleetBox()).selfTest, { at: T0 - MIN / 3, failed: ['sim', 'storage-space'] });
    await heartbeat(T0 - MIN / 5, { selftest: { at: T0 - MIN / 5, failed: [] } });
    assert.deepEqual((await fleetBox()).selfTest, { at: T0 - MIN / 5, failed: [] });
  });
});
