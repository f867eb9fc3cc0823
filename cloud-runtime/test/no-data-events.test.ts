/**
 * "No data" fleet events (box or bracelet silent) reach the care team and support, live and in the
 * nurse's views, and nobody else: over a real socket (`GET /api/events`), the silence detector run
 * on the test database (on PostgreSQL its NOTIFY crosses from a pool connection to the portal's
 * LISTEN connection).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { detectSilence, ingestRoutes } from '@vigie/cloud-ingest';
import { EVENTS_CHANNEL } from '@vigie/cloud-store';
import { createBox, createPatient, openTestDb, type BoxFixture } from '@vigie/cloud-store/testing';
import { createLogger } from '@vigie/common';
import { linkCare, type AccountRole } from '@vigie/cloud-portal';
import { createPerson, openEventStream, portalFixture, T0, type Person, type PortalFixture, type SseMessage } from '@vigie/cloud-portal/testing';

const MIN = 60_000;
const DAY = 24 * 60 * MIN;
let f: PortalFixture;
let portalUrl: string;
const logLines: Array<{ msg?: string; module?: string }> = [];
const cookies: Record<string, string> = {};

const openStream = (cookie: string) => openEventStream(portalUrl, cookie);

const person = (email: string, role: AccountRole, displayName: string): Promise<Person> => createPerson(f.db, email, role, displayName);

const get = (url: string, who: string) => f.app.inject({ method: 'GET', url, headers: { cookie: cookies[who]! } });

/** A heartbeat of `box` received at `at` (the app's clock), the bracelet in contact a minute before. */
async function heartbeat(box: BoxFixture, at: number): Promise<void> {
  const saved = f.clock.now;
  f.clock.now = at;
  try {
    const res = await f.app.inject({
      method: 'POST',
      url: '/ingest/v1/heartbeats',
      headers: { authorization: `Bearer ${box.token}` },
      payload: {
        v: 1,
        boxId: box.boxId,
        at,
        software: { box: '1.4.2' },
        bufferDepth: 0,
        oldestUnsentAt: null,
        lastBraceletContactAt: at - MIN,
        braceletBattery: 80,
        modem: { registered: true, signal: 18 },
        diskFreeBytes: 1e9,
      },
    });
    assert.equal(res.statusCode, 204, res.body);
  } finally {
    f.clock.now = saved;
  }
}

const fleetOf = (messages: readonly SseMessage[]) => messages.filter((m) => m.event === 'fleet').map((m) => m.data);

before(async () => {
  const db = await openTestDb();
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line) logLines.push(JSON.parse(line) as { msg?: string });
      done();
    },
  });
  f = await portalFixture({ db, app: { log: createLogger('test', { level: 'warn' }, sink), ingestRoutes, keepAliveMs: 60_000 } });
  portalUrl = await f.app.listen({ port: 0, host: '127.0.0.1' });
  const people = {
    nurse: await person('nurse.a@test.example', 'nurse', 'Sophie Nurse'),
    nurseB: await person('nurse.b@test.example', 'nurse', 'Nora NurseB'),
    relative: await person('relative.a@test.example', 'relative', 'Paul Relative'),
    support: await person('support@test.example', 'support', 'Sam Support'),
  };
  await linkCare(f.db, f.patientA, people.nurse.id, 'nurse');
  await linkCare(f.db, f.patientB, people.nurseB.id, 'nurse');
  await linkCare(f.db, f.patientA, people.relative.id, 'relative');
  for (const [who, p] of Object.entries({ ...people, doctor: f.doctorA })) cookies[who] = await f.login(p);
});
after(() => f.close());

test("a box falling silent reaches its patient's nurse and support live, not a relative nor another patient's nurse; the inbox lists it until data returns", async () => {
  const streams = Object.fromEntries(await Promise.all(['nurse', 'nurseB', 'relative', 'support'].map(async (who) => [who, await openStream(cookies[who]!)] as const)));
  const { nurse, nurseB, relative, support } = streams as Record<string, Awaited<ReturnType<typeof openStream>>>;

  // Box A (assigned 30 days ago) never sent a heartbeat: silent for the detector at T0.
  const first = await detectSilence(f.db, { now: T0 });
  assert.deepEqual(first.raised.map((e) => [e.kind, e.boxId, e.patientId]), [['box_silent', f.boxA.boxId, f.patientA]]);
  const eventA = first.raised[0]!;
  await nurse!.waitFor(() => fleetOf(nurse!.messages).length >= 1, "the nurse's fleet event");
  assert.deepEqual(fleetOf(nurse!.messages), [
    { eventId: eventA.id, kind: 'box_silent', boxId: f.boxA.boxId, patientId: f.patientA, state: 'open', since: T0 - 30 * DAY, raisedAt: T0, resolvedAt: null },
  ]);
  await support!.waitFor(() => fleetOf(support!.messages).length >= 1, "support's fleet event");
  assert.deepEqual(fleetOf(support!.messages), [
    { eventId: eventA.id, kind: 'box_silent', boxId: f.boxA.boxId, patientId: null, state: 'open', since: T0 - 30 * DAY, raisedAt: T0, resolvedAt: null },
  ]);

  // Another patient's box: its nurse gets it. Events go out in order, so A's would have come first.
  const boxB = await createBox(f.db, { patientId: f.patientB, since: T0 - DAY });
  const second = await detectSilence(f.db, { now: T0 });
  assert.equal(second.raised.length, 1);
  await nurseB!.waitFor(() => fleetOf(nurseB!.messages).length >= 1, "nurse B's fleet event");
  await support!.waitFor(() => fleetOf(support!.messages).length >= 2, "support's second fleet event");
  assert.deepEqual(fleetOf(nurseB!.messages).map((d) => [d.boxId, d.patientId]), [[boxB.boxId, f.patientB]]);
  assert.equal(fleetOf(nurse!.messages).length, 1, "nurse A does not get patient B's event");
  assert.deepEqual(relative!.messages, [], 'a relative gets no fleet event');

  // The nurse's inbox lists it as a "no data" item, the doctor's list shows it; nurse B sees only hers.
  const inbox = (await get('/api/inbox', 'nurse')).json();
  assert.deepEqual(inbox.deviceEvents, [
    { eventId: eventA.id, kind: 'box_silent', boxId: f.boxA.boxId, since: T0 - 30 * DAY, raisedAt: T0, patientId: f.patientA, patientName: 'Alice Patient' },
  ]);
  assert.deepEqual((await get('/api/inbox', 'nurseB')).json().deviceEvents.map((e: { boxId: string }) => e.boxId), [boxB.boxId]);
  assert.equal((await get('/api/inbox', 'relative')).statusCode, 403);
  const [row] = (await get('/api/care/patients', 'doctor')).json().patients;
  assert.deepEqual(row.deviceEvents.map((e: { eventId: string }) => e.eventId), [eventA.id]);
  const logged = await f.db.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM access_log WHERE account_id = (SELECT id FROM accounts WHERE email = 'nurse.a@test.example') AND action = 'inbox.list' AND patient_id = $1",
    [f.patientA],
  );
  assert.ok(logged.rows[0]!.n >= 1, 'the inbox read is in the access log');

  // Data returns: resolved live for the nurse and support, gone from the inbox and the list.
  await heartbeat(f.boxA, T0 + MIN);
  const third = await detectSilence(f.db, { now: T0 + MIN });
  assert.deepEqual(third.resolved.map((e) => e.id), [eventA.id]);
  await nurse!.waitFor(() => fleetOf(nurse!.messages).length >= 2, 'the resolution');
  assert.deepEqual(fleetOf(nurse!.messages)[1], {
    eventId: eventA.id, kind: 'box_silent', boxId: f.boxA.boxId, patientId: f.patientA, state: 'resolved', since: T0 - 30 * DAY, raisedAt: T0, resolvedAt: T0 + MIN,
  });
  await support!.waitFor(() => fleetOf(support!.messages).length >= 3, "support's resolution");
  assert.equal(fleetOf(support!.messages)[2]!.state, 'resolved');
  assert.deepEqual((await get('/api/inbox', 'nurse')).json().deviceEvents, []);
  assert.deepEqual((await get('/api/care/patients', 'doctor')).json().patients[0].deviceEvents, []);
  assert.equal((await get('/api/inbox', 'nurseB')).json().deviceEvents.length, 1, "patient B's event stays open");
  assert.deepEqual(relative!.messages, []);

  for (const s of [nurse, nurseB, relative, support]) s!.close();
});

test('logs an unknown payload of the channel once, and a fleet payload not at all', async () => {
  const stream = await openStream(cookies.nurse!);
  const unknown = () => logLines.filter((l) => l.msg === 'ignored an unknown database event').length;
  const before = unknown();
  await f.db.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify({ type: 'mystery', patientId: f.patientA })]);
  const raised = await detectSilence(f.db, { now: T0 + 20 * MIN });
  assert.equal(raised.raised.length, 1, 'box A silent again');
  // The fleet event was sent after the unknown payload was looked at: both are handled by now.
  await stream.waitFor(() => fleetOf(stream.messages).length >= 1, 'the fleet event');
  assert.equal(unknown() - before, 1);
  stream.close();
});

test('registering a box sets its provisioning time on the portal clock; readings older than it stay refused', async () => {
  const admin = await f.login(f.admin);
  const call = (url: string, payload: object) => f.app.inject({ method: 'POST', url, headers: { cookie: admin, 'x-vigie-csrf': '1' }, payload });
  const patient = await createPatient(f.db, 'Carla Patient');
  // Registered and assigned ten days ago (the portal's clock; the database's is today).
  f.clock.now = T0 - 10 * DAY;
  let token: string;
  try {
    const res = await call('/admin/api/devices', { kind: 'box', serial: 'VB-NODATA-0001' });
    assert.equal(res.statusCode, 201, res.body);
    token = res.json().token as string;
    const { rows } = await f.db.query<{ provisioned_at: Date }>('SELECT provisioned_at FROM boxes WHERE id = $1', ['VB-NODATA-0001']);
    assert.equal(rows[0]!.provisioned_at.getTime(), T0 - 10 * DAY);
    assert.equal((await call('/admin/api/devices/box/VB-NODATA-0001/assign', { patientId: patient })).statusCode, 200);
  } finally {
    f.clock.now = T0;
  }
  // The box's clock: one reading from before its registration (beyond the hour of skew), one after.
  const batch = {
    v: 1,
    boxId: 'VB-NODATA-0001',
    seq: 1,
    createdAt: T0,
    readings: [
      { metric: 'heart_rate', ts: T0 - 12 * DAY, value: 70 },
      { metric: 'heart_rate', ts: T0 - 9 * DAY, value: 72 },
    ],
  };
  const res = await f.app.inject({ method: 'POST', url: '/ingest/v1/telemetry', headers: { authorization: `Bearer ${token}` }, payload: batch });
  assert.equal(res.statusCode, 200, res.body);
  const stored = await f.db.query<{ ts: Date }>('SELECT ts FROM measurements WHERE box_id = $1', ['VB-NODATA-0001']);
  assert.deepEqual(stored.rows.map((r) => r.ts.getTime()), [T0 - 9 * DAY]);
  const refused = await f.db.query<{ ts: Date; reason: string }>('SELECT ts, reason FROM rejected_readings WHERE box_id = $1', ['VB-NODATA-0001']);
  assert.deepEqual(refused.rows.map((r) => [r.ts.getTime(), r.reason]), [[T0 - 12 * DAY, 'ts_before_provisioning']]);
});
