import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { dirname } from 'node:path';
import { sha256Hex } from '@vigie/cloud-store';
import { countRows } from '@vigie/cloud-store/testing';
import { dataPaths } from '@vigie/common';
import { tempDir } from '@vigie/common/testing';
import { loadCloudConfig } from '../src/config.ts';
import { DEMO_ACCOUNTS, DEMO_PATIENT_ID, seedDemo } from '../src/demo/seed.ts';
import { portalFixture, T0, type PortalFixture } from './fixture.ts';

const TOKEN = 'demo-token-0123456789abcdef';
const dir = tempDir('vigie-demo-');
const paths = dataPaths(dir.path);
let f: PortalFixture;
let cookie: string;

before(async () => {
  f = await portalFixture({ env: { VIGIE_DEMO: '1', VIGIE_DEMO_BOX_TOKEN: TOKEN, VIGIE_DATA_DIR: dir.path } });
  await seedDemo(f.db, { boxId: 'VB-DEMO-0001', boxToken: TOKEN, now: T0 });
  cookie = await f.login({ id: '', email: 'admin@vigie.demo', password: 'demo-admin' });
});
after(async () => {
  await f.close();
  dir.cleanup();
});

describe('demo seed', () => {
  test('creates the accounts, the patient linked to the care team, and the box assigned to her', async () => {
    for (const account of DEMO_ACCOUNTS) {
      const res = await f.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-vigie-csrf': '1' },
        payload: { email: account.email, password: account.password },
      });
      assert.equal(res.statusCode, 200, account.email);
      const patients = await f.app.inject({ method: 'GET', url: '/api/patients', headers: { cookie: `vigie_session=${res.cookies[0]!.value}` } });
      const ids = patients.json().patients.map((p: { id: string }) => p.id);
      assert.deepEqual(ids, account.role === 'admin' ? [] : [DEMO_PATIENT_ID], account.email);
    }
    const { rows } = await f.db.query<{ display_name: string; birth_year: number }>('SELECT display_name, birth_year FROM patients WHERE id = $1', [DEMO_PATIENT_ID]);
    assert.deepEqual(rows, [{ display_name: 'Jeanne Dupont', birth_year: 1938 }]);
    assert.equal(await countRows(f.db, 'box_assignments', `box_id = 'VB-DEMO-0001' AND patient_id = $1 AND valid_to IS NULL`, [DEMO_PATIENT_ID]), 1);
  });

  test('writes three days of history at the study cadences, before now', async () => {
    const { rows } = await f.db.query<{ metric: string; n: number; first: Date; last: Date; lo: number; hi: number }>(
      `SELECT metric, count(*)::int AS n, min(ts) AS first, max(ts) AS last, min(value) AS lo, max(value) AS hi
         FROM measurements WHERE patient_id = $1 GROUP BY metric ORDER BY metric`,
      [DEMO_PATIENT_ID],
    );
    assert.deepEqual(rows.map((r) => [r.metric, r.n]), [['heart_rate', 2_160], ['spo2', 864], ['steps', 144]]);
    for (const r of rows) {
      assert.ok(r.first.getTime() >= T0 - 3 * 86_400_000 && r.last.getTime() < T0, r.metric);
    }
    const hr = rows.find((r) => r.metric === 'heart_rate')!;
    assert.ok(hr.lo >= 50 && hr.hi <= 100);
    const spo2 = rows.find((r) => r.metric === 'spo2')!;
    assert.ok(spo2.lo >= 90 && spo2.hi <= 100);
  });

  test('is idempotent, keeps the history once and follows a new box token', async () => {
    const before = await countRows(f.db, 'measurements');
    const accounts = await seedDemo(f.db, { boxId: 'VB-DEMO-0001', boxToken: `${TOKEN}-rotated`, now: T0 + 3_600_000 });
    assert.equal(accounts.length, 5);
    assert.equal(await countRows(f.db, 'measurements'), before);
    assert.equal(await countRows(f.db, 'accounts', `email LIKE '%@vigie.demo'`), 5);
    assert.equal(await countRows(f.db, 'care_links', 'patient_id = $1', [DEMO_PATIENT_ID]), 4);
    assert.equal(await countRows(f.db, 'boxes', 'id = $1 AND token_hash = $2', ['VB-DEMO-0001', sha256Hex(`${TOKEN}-rotated`)]), 1);
    await seedDemo(f.db, { boxId: 'VB-DEMO-0001', boxToken: TOKEN, now: T0 });
  });
});

describe('GET /demo/api/sms', () => {
  test('answers an empty list before the modem emulator has written anything', async () => {
    const res = await f.app.inject({ method: 'GET', url: '/demo/api/sms', headers: { cookie } });
    assert.deepEqual(res.json(), { sms: [] });
  });

  test("reads the emulator's JSON lines, skipping a torn last line", async () => {
    const sms = { to: '+33600000000', text: 'ALERTE chute', parts: 1, references: [12], at: T0 };
    mkdirSync(dirname(paths.emulatorSmsLog), { recursive: true });
    writeFileSync(paths.emulatorSmsLog, `${JSON.stringify(sms)}\n{"to":"+33`);
    const res = await f.app.inject({ method: 'GET', url: '/demo/api/sms', headers: { cookie } });
    assert.deepEqual(res.json(), { sms: [sms] });
  });

  test('requires a session', async () => {
    assert.equal((await f.app.inject({ method: 'GET', url: '/demo/api/sms' })).statusCode, 401);
  });
});

describe('POST /demo/api/scenario/:name', () => {
  const play = (name: string) =>
    f.app.inject({ method: 'POST', url: `/demo/api/scenario/${name}`, headers: { cookie, 'x-vigie-csrf': '1' } });

  test('answers 503 with a clear message when the bracelet simulator is not running', async () => {
    const res = await play('fall');
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().error.code, 'PORTAL_DEMO_SIMULATOR_UNAVAILABLE');
    assert.match(res.json().error.message, /simulator is not running/);
  });

  test('sends the command as one NDJSON line and answers 202 when the simulator accepts it', async (t) => {
    const received: string[] = [];
    const server = await fakeSimulator((line) => {
      received.push(line);
      return JSON.parse(line).cmd === 'help' ? { ok: false, error: 'bracelet not worn' } : { ok: true, accepted: true };
    });
    t.after(() => server.close());
    const res = await play('cardiac_arrest');
    assert.equal(res.statusCode, 202);
    assert.deepEqual(res.json(), { ok: true, scenario: 'cardiac_arrest' });
    assert.deepEqual(received, ['{"cmd":"cardiac_arrest"}']);
    const refused = await play('help');
    assert.equal(refused.statusCode, 502);
    assert.match(refused.json().error.message, /bracelet not worn/);
  });

  test('refuses an unknown scenario naming the field, and requires the CSRF header', async () => {
    const res = await play('earthquake');
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, 'name');
    const noCsrf = await f.app.inject({ method: 'POST', url: '/demo/api/scenario/fall', headers: { cookie } });
    assert.equal(noCsrf.statusCode, 403);
  });
});

describe('who reaches the demo surface', () => {
  const demoLogin = (email: string, password: string) => f.login({ id: '', email, password });

  test('refuses the SMS, the captured e-mails and the scenarios to every account but the demo admin', async () => {
    // The finding: a patient read the doctor's reset link here and logged in as the doctor.
    await f.app.inject({ method: 'POST', url: '/api/auth/password/forgot', headers: { 'x-vigie-csrf': '1' }, payload: { email: 'docteur@vigie.demo' } });
    await f.app.mailIdle();
    const others = [
      await demoLogin('patient@vigie.demo', 'demo-patient'),
      await demoLogin('infirmiere@vigie.demo', 'demo-infirmiere'),
      await demoLogin('docteur@vigie.demo', 'demo-docteur'),
      await f.login(f.admin), // an admin, but not the demo's
    ];
    for (const other of others) {
      for (const url of ['/demo/api/sms', '/demo/api/mail']) {
        const res = await f.app.inject({ method: 'GET', url, headers: { cookie: other } });
        assert.equal(res.statusCode, 403, url);
        assert.doesNotMatch(res.body, /token=/);
      }
      const play = await f.app.inject({ method: 'POST', url: '/demo/api/scenario/fall', headers: { cookie: other, 'x-vigie-csrf': '1' } });
      assert.equal(play.statusCode, 403);
    }
    const mail = await f.app.inject({ method: 'GET', url: '/demo/api/mail', headers: { cookie } });
    assert.equal(mail.statusCode, 200);
    assert.match(mail.body, /reset\?token=/, 'the demo admin sees the captured reset link');
  });

  test('answers 404 even to the demo admin from another host or through a proxy', async () => {
    const fromElsewhere = await f.app.inject({ method: 'GET', url: '/demo/api/mail', remoteAddress: '192.0.2.40', headers: { cookie } });
    assert.equal(fromElsewhere.statusCode, 404);
    const proxied = await f.app.inject({ method: 'GET', url: '/demo/api/sms', headers: { cookie, 'x-forwarded-for': '192.0.2.40' } });
    assert.equal(proxied.statusCode, 404);
    assert.equal((await f.app.inject({ method: 'GET', url: '/demo/api/sms', remoteAddress: '::1', headers: { cookie } })).statusCode, 200);
  });
});

test('refuses demo mode with HOST beyond loopback unless VIGIE_DEMO_ALLOW_REMOTE=1', () => {
  const demo = { VIGIE_DEMO: '1', VIGIE_DEMO_BOX_TOKEN: TOKEN };
  for (const HOST of ['0.0.0.0', '::', '192.168.1.20']) {
    assert.throws(() => loadCloudConfig({ ...demo, HOST }), /HOST: demo mode .* loopback only.*VIGIE_DEMO_ALLOW_REMOTE=1/s, HOST);
  }
  assert.equal(loadCloudConfig({ ...demo, HOST: '::1' }).HOST, '::1');
  assert.equal(loadCloudConfig({ ...demo, HOST: '0.0.0.0', VIGIE_DEMO_ALLOW_REMOTE: '1' }).VIGIE_DEMO_ALLOW_REMOTE, true);
  assert.equal(loadCloudConfig({ HOST: '0.0.0.0' }).HOST, '0.0.0.0', 'outside demo mode any HOST is fine');
});

test('serves no demo routes when listening beyond loopback, even when allowed to start', async (t) => {
  const remote = await portalFixture({ env: { VIGIE_DEMO: '1', VIGIE_DEMO_BOX_TOKEN: TOKEN, VIGIE_DATA_DIR: dir.path, HOST: '0.0.0.0', VIGIE_DEMO_ALLOW_REMOTE: '1' } });
  t.after(() => remote.close());
  await seedDemo(remote.db, { boxId: 'VB-DEMO-0001', boxToken: TOKEN, now: T0 });
  const c = await remote.login({ id: '', email: 'admin@vigie.demo', password: 'demo-admin' });
  for (const url of ['/demo/api/sms', '/demo/api/mail']) assert.equal((await remote.app.inject({ method: 'GET', url, headers: { cookie: c } })).statusCode, 404, url);
  assert.ok(!remote.app.routeRegistry.some((r) => r.url.startsWith('/demo/')));
});

test('has no demo routes when VIGIE_DEMO is off', async (t) => {
  const plain = await portalFixture();
  t.after(() => plain.close());
  const c = await plain.login(plain.doctorA);
  assert.equal((await plain.app.inject({ method: 'GET', url: '/demo/api/sms', headers: { cookie: c } })).statusCode, 404);
});

/** A stand-in for the bracelet simulator's control socket: one answer line per command line. */
function fakeSimulator(answer: (line: string) => unknown): Promise<Server> {
  mkdirSync(dirname(paths.braceletControlSocket), { recursive: true });
  const server = createServer((socket) => {
    let buffer = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      const i = buffer.indexOf('\n');
      if (i >= 0) socket.end(`${JSON.stringify(answer(buffer.slice(0, i)))}\n`);
    });
  });
  return new Promise((resolve) => server.listen(paths.braceletControlSocket, () => resolve(server)));
}
