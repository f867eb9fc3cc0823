/**
 * The access log says who read what, as which role, from which address and with which client
 * (issue 10, finding 8): a doctor's read of a series, an admin's reads of registrations and of a
 * prescription. The address honours VIGIE_TRUST_PROXY (Fastify's request.ip).
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { portalFixture, type PortalFixture } from './fixture.ts';

const UA = 'Mozilla/5.0 (VigieTest) Firefox/140.0';
let f: PortalFixture;
let doctor: string;
let admin: string;
let registrationId: string;

before(async () => {
  // A reverse proxy on this host, as behind the shipped nginx (the default trusts none).
  f = await portalFixture({ env: { VIGIE_TRUST_PROXY: 'loopback' } });
  doctor = await f.login(f.doctorA);
  admin = await f.login(f.admin);
  const { rows } = await f.db.query<{ id: string }>(
    `INSERT INTO registrations (details, prescription_type, prescription_size, prescription)
     VALUES ($1, 'application/pdf', 8, $2) RETURNING id`,
    [JSON.stringify({ patient: { displayName: 'Inès Inscrite' }, doctor: { name: 'Dr X', email: 'x@test.example' }, nurses: [], relatives: [] }), Buffer.from('%PDF-1.4')],
  );
  registrationId = rows[0]!.id;
});
after(() => f.close());

interface LogRow { action: string; role: string | null; ip: string | null; user_agent: string | null; patient_id: string | null; detail: Record<string, unknown> | null }
const lastRows = async (accountId: string, n: number) =>
  (await f.db.query<LogRow>('SELECT action, role, ip, user_agent, patient_id, detail FROM access_log WHERE account_id = $1 ORDER BY id DESC LIMIT $2', [accountId, n])).rows.reverse();

describe('access log: role, address and user agent', () => {
  test("a doctor's read of a patient's series records the role, the client address and the user agent", async () => {
    const res = await f.app.inject({
      method: 'GET',
      url: `/api/patients/${f.patientA}/dashboard`,
      headers: { cookie: doctor, 'user-agent': UA },
      remoteAddress: '203.0.113.7',
    });
    assert.equal(res.statusCode, 200, res.body);
    const [row] = await lastRows(f.doctorA.id, 1);
    assert.equal(row?.action, 'patient.dashboard');
    assert.equal(row?.patient_id, f.patientA);
    assert.deepEqual([row?.role, row?.ip, row?.user_agent], ['doctor', '203.0.113.7', UA]);
  });

  test('believes X-Forwarded-For only from the trusted proxy (here loopback)', async () => {
    const read = (remoteAddress: string) =>
      f.app.inject({
        method: 'GET',
        url: `/api/patients/${f.patientA}/alerts`,
        headers: { cookie: doctor, 'user-agent': UA, 'x-forwarded-for': '198.51.100.23' },
        remoteAddress,
      });
    assert.equal((await read('127.0.0.1')).statusCode, 200);
    assert.equal((await lastRows(f.doctorA.id, 1))[0]?.ip, '198.51.100.23');
    assert.equal((await read('203.0.113.9')).statusCode, 200);
    assert.equal((await lastRows(f.doctorA.id, 1))[0]?.ip, '203.0.113.9');
  });

  test("an admin's reads of registrations and the download of a prescription are recorded", async () => {
    const get = (url: string) => f.app.inject({ method: 'GET', url, headers: { cookie: admin, 'user-agent': UA }, remoteAddress: '192.0.2.44' });
    assert.equal((await get('/admin/api/registrations')).statusCode, 200);
    assert.equal((await get(`/admin/api/registrations/${registrationId}`)).statusCode, 200);
    const file = await get(`/admin/api/registrations/${registrationId}/prescription`);
    assert.equal(file.statusCode, 200);
    assert.equal(file.body, '%PDF-1.4');
    const rows = await lastRows(f.admin.id, 3);
    assert.deepEqual(rows.map((r) => r.action), ['registrations.list', 'registration.read', 'registration.prescription']);
    for (const r of rows) assert.deepEqual([r.role, r.ip, r.user_agent], ['admin', '192.0.2.44', UA]);
    assert.equal(rows[2]?.detail?.registrationId, registrationId);
  });

  test('a request with a body (read from a stream) is recorded with its address and agent too', async () => {
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/alerts/00000000-0000-4000-8000-000000000000/acknowledge',
      headers: { cookie: doctor, 'user-agent': UA, 'x-vigie-csrf': '1' },
      payload: { note: 'x'.repeat(20_000) },
      remoteAddress: '203.0.113.50',
    });
    assert.equal(res.statusCode, 404);
    const [row] = await lastRows(f.doctorA.id, 1);
    assert.deepEqual([row?.action, row?.role, row?.ip, row?.user_agent], ['patient.denied', 'doctor', '203.0.113.50', UA]);
  });

  test('a long user agent is cut, and the admin trail shows role, address and agent', async () => {
    const long = `Agent/${'x'.repeat(1000)}`;
    await f.app.inject({ method: 'GET', url: `/api/patients/${f.patientA}/alerts`, headers: { cookie: doctor, 'user-agent': long }, remoteAddress: '203.0.113.7' });
    assert.equal((await lastRows(f.doctorA.id, 1))[0]?.user_agent, long.slice(0, 300));
    const res = await f.app.inject({ method: 'GET', url: `/admin/api/access-log?account=${f.doctorA.id}&limit=1`, headers: { cookie: admin } });
    const [entry] = res.json().entries;
    assert.deepEqual([entry.role, entry.ip, entry.userAgent], ['doctor', '203.0.113.7', long.slice(0, 300)]);
  });
});
