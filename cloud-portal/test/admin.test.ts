import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { sha256Hex } from '@vigie/cloud-store';
import { portalFixture, T0, type PortalFixture } from './fixture.ts';

const DAY = 86_400_000;
let f: PortalFixture;
let admin: string;
let doctor: string;

before(async () => {
  f = await portalFixture();
  admin = await f.login(f.admin);
  doctor = await f.login(f.doctorA);
});
after(() => f.close());

const call = (method: 'GET' | 'POST' | 'PATCH', url: string, payload?: object, cookie = admin) =>
  f.app.inject({ method, url, headers: { cookie, 'x-vigie-csrf': '1' }, ...(payload ? { payload } : {}) });
const lastAudit = async (action: string) =>
  (await f.db.query<{ actor_id: string; before: unknown; after: unknown }>('SELECT actor_id, before, after FROM admin_audit WHERE action = $1 ORDER BY id DESC LIMIT 1', [action])).rows[0];

describe('admin accounts', () => {
  let nurseId: string;

  test('creates an account and e-mails an invitation whose link sets the password', async () => {
    const res = await call('POST', '/admin/api/accounts', { email: 'New.Nurse@test.example', displayName: 'Nina Nurse', role: 'nurse' });
    assert.equal(res.statusCode, 201, res.body);
    nurseId = res.json().account.id;
    assert.equal(res.json().account.email, 'new.nurse@test.example');
    const mail = f.app.mailer.captured().at(-1)!;
    assert.equal(mail.to, 'new.nurse@test.example');
    assert.match(mail.subject, /invitation/);
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    const login = () => f.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-vigie-csrf': '1' }, payload: { email: 'new.nurse@test.example', password: 'nurse-password-1' } });
    assert.equal((await login()).statusCode, 401, 'no password before the invitation is accepted');
    const accept = await f.app.inject({ method: 'POST', url: '/api/auth/invitation/accept', headers: { 'x-vigie-csrf': '1' }, payload: { token, password: 'nurse-password-1' } });
    assert.equal(accept.statusCode, 204);
    assert.equal((await login()).statusCode, 200);
    const audit = await lastAudit('account.create');
    assert.equal(audit?.actor_id, f.admin.id);
    assert.equal(audit?.before, null);
    assert.equal((audit?.after as { email: string }).email, 'new.nurse@test.example');
  });

  test('refuses a second account with the same e-mail and names the field', async () => {
    const res = await call('POST', '/admin/api/accounts', { email: 'new.nurse@test.example', displayName: 'Again', role: 'nurse' });
    assert.equal(res.statusCode, 409);
    assert.equal(res.json().error.field, '/email');
    assert.equal((await call('POST', '/admin/api/accounts', { email: 'x@test.example', displayName: 'X', role: 'wizard' })).json().error.field, '/role');
  });

  test('edits an account with before and after in the audit', async () => {
    const res = await call('PATCH', `/admin/api/accounts/${nurseId}`, { displayName: 'Nina Infirmière' });
    assert.equal(res.statusCode, 200);
    const audit = await lastAudit('account.edit');
    assert.equal((audit?.before as { displayName: string }).displayName, 'Nina Nurse');
    assert.equal((audit?.after as { displayName: string }).displayName, 'Nina Infirmière');
  });

  test('disables only with the e-mail as confirmation, ends its sessions, and restores', async () => {
    const session = await f.login(f.doctorB);
    const wrong = await call('POST', `/admin/api/accounts/${f.doctorB.id}/disable`, { confirm: 'someone@else' });
    assert.equal(wrong.statusCode, 400);
    assert.equal(wrong.json().error.code, 'PORTAL_CONFIRMATION_MISMATCH');
    assert.equal((await call('POST', `/admin/api/accounts/${f.doctorB.id}/disable`, {})).json().error.field, '/confirm');
    const ok = await call('POST', `/admin/api/accounts/${f.doctorB.id}/disable`, { confirm: f.doctorB.email });
    assert.equal(ok.statusCode, 200);
    assert.equal((await f.app.inject({ method: 'GET', url: '/api/me', headers: { cookie: session } })).statusCode, 401);
    const restored = await call('POST', `/admin/api/accounts/${f.doctorB.id}/restore`);
    assert.equal(restored.statusCode, 200);
    assert.equal(restored.json().account.disabledAt, null);
    await f.login(f.doctorB);
  });

  test('refuses admin routes to other roles', async () => {
    const res = await call('GET', '/admin/api/accounts', undefined, doctor);
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().error.code, 'PORTAL_FORBIDDEN');
  });
});

describe('patients and care links', () => {
  test('unlinks with confirmation (access ends at once) and restores the link', async () => {
    const see = () => f.app.inject({ method: 'GET', url: `/api/patients/${f.patientA}/alerts`, headers: { cookie: doctor } });
    assert.equal((await see()).statusCode, 200);
    const body = { patientId: f.patientA, accountId: f.doctorA.id };
    assert.equal((await call('POST', '/admin/api/links/unlink', { ...body, confirm: 'wrong' })).statusCode, 400);
    assert.equal((await call('POST', '/admin/api/links/unlink', { ...body, confirm: f.doctorA.email })).statusCode, 200);
    assert.equal((await see()).statusCode, 404);
    const links = (await call('GET', `/admin/api/links?patient=${f.patientA}`)).json().links;
    assert.ok(links.some((l: { accountId: string; removedAt: number | null }) => l.accountId === f.doctorA.id && l.removedAt !== null), 'listed while restorable');
    assert.equal((await call('POST', '/admin/api/links/restore', body)).statusCode, 200);
    assert.equal((await see()).statusCode, 200);
  });

  test('links an account whose role fits the relation, and refuses one that does not', async () => {
    const ok = await call('POST', '/admin/api/links', { patientId: f.patientB, accountId: f.doctorA.id, relation: 'doctor' });
    assert.equal(ok.statusCode, 201);
    const bad = await call('POST', '/admin/api/links', { patientId: f.patientB, accountId: f.doctorA.id, relation: 'relative' });
    assert.equal(bad.statusCode, 409);
    await call('POST', '/admin/api/links/unlink', { patientId: f.patientB, accountId: f.doctorA.id, confirm: f.doctorA.email });
  });

  test('deletes a patient softly, restores it within 30 days, and not after', async () => {
    const created = await call('POST', '/admin/api/patients', { displayName: 'Rose Restore', birthYear: 1936 });
    assert.equal(created.statusCode, 201);
    const id = created.json().patient.id as string;
    assert.equal((await call('POST', `/admin/api/patients/${id}/delete`, { confirm: 'Rose' })).statusCode, 400);
    assert.equal((await call('POST', `/admin/api/patients/${id}/delete`, { confirm: 'rose restore' })).statusCode, 200);
    f.clock.now = T0 + 29 * DAY;
    admin = await f.login(f.admin); // the old session idled out meanwhile
    const restored = await call('POST', `/admin/api/patients/${id}/restore`);
    assert.equal(restored.statusCode, 200);
    assert.equal(restored.json().patient.deletedAt, null);
    await call('POST', `/admin/api/patients/${id}/delete`, { confirm: 'Rose Restore' });
    f.clock.now = T0 + 60 * DAY + 1;
    admin = await f.login(f.admin);
    try {
      const late = await call('POST', `/admin/api/patients/${id}/restore`);
      assert.equal(late.statusCode, 409);
      assert.equal(late.json().error.code, 'PORTAL_RESTORE_EXPIRED');
    } finally {
        f.clock.now = T0;
      admin = await f.login(f.admin);
    }
    const actions = (await call('GET', `/admin/api/audit?entity=patient&entityId=${id}`)).json().entries.map((e: { action: string }) => e.action);
    assert.deepEqual(actions, ['patient.delete', 'patient.restore', 'patient.delete', 'patient.create']);
  });
});

describe('device registry', () => {
  test('registers a box (token shown once, hash kept) and a bracelet, assigns with history, unassigns and restores', async () => {
    const box = await call('POST', '/admin/api/devices', { kind: 'box', serial: 'VB-ADMIN-0001' });
    assert.equal(box.statusCode, 201);
    const token = box.json().token as string;
    const { rows } = await f.db.query<{ token_hash: string }>('SELECT token_hash FROM boxes WHERE id = $1', ['VB-ADMIN-0001']);
    assert.equal(rows[0]!.token_hash, sha256Hex(token));
    assert.equal((await call('POST', '/admin/api/devices', { kind: 'box', serial: 'VB-ADMIN-0001' })).statusCode, 409);
    assert.equal((await call('POST', '/admin/api/devices', { kind: 'bracelet', serial: 'BR ADMIN' })).json().error.field, '/serial');
    assert.equal((await call('POST', '/admin/api/devices', { kind: 'bracelet', serial: 'BR-ADMIN-0001' })).statusCode, 201);

    assert.equal((await call('POST', '/admin/api/devices/box/VB-ADMIN-0001/assign', { patientId: f.patientA })).statusCode, 200);
    f.clock.now = T0 + 60_000;
    assert.equal((await call('POST', '/admin/api/devices/box/VB-ADMIN-0001/assign', { patientId: f.patientB })).statusCode, 200);
    const detail = (await call('GET', '/admin/api/devices/box/VB-ADMIN-0001')).json();
    assert.deepEqual(detail.history.map((h: { patientId: string; to: number | null }) => [h.patientId, h.to]), [[f.patientB, null], [f.patientA, T0 + 60_000]]);

    f.clock.now = T0 + 120_000;
    assert.equal((await call('POST', '/admin/api/devices/box/VB-ADMIN-0001/unassign', { confirm: 'VB-OTHER' })).statusCode, 400);
    const off = await call('POST', '/admin/api/devices/box/VB-ADMIN-0001/unassign', { confirm: 'VB-ADMIN-0001' });
    assert.equal(off.json().device.current, null);
    const back = await call('POST', '/admin/api/devices/box/VB-ADMIN-0001/restore');
    assert.equal(back.statusCode, 200);
    assert.equal(back.json().device.current.patientId, f.patientB);
    f.clock.now = T0;
    const devices = (await call('GET', '/admin/api/devices')).json().devices.map((d: { kind: string; serial: string }) => `${d.kind}:${d.serial}`);
    assert.ok(devices.includes('box:VB-ADMIN-0001') && devices.includes('bracelet:BR-ADMIN-0001'));
  });
});

describe('access log', () => {
  test("lets an admin query who read a patient's data, filtered by patient, account and time", async () => {
    doctor = await f.login(f.doctorA);
    await f.app.inject({ method: 'GET', url: `/api/patients/${f.patientA}/dashboard`, headers: { cookie: doctor } });
    const res = await call('GET', `/admin/api/access-log?patient=${f.patientA}&account=${f.doctorA.id}&from=0`);
    assert.equal(res.statusCode, 200);
    const entry = res.json().entries.find((e: { action: string }) => e.action === 'patient.dashboard');
    assert.ok(entry);
    assert.equal(entry.accountEmail, f.doctorA.email);
    assert.equal(entry.patientName, 'Alice Patient');
    assert.deepEqual((await call('GET', `/admin/api/access-log?patient=${f.patientA}&to=1`)).json().entries, []);
    assert.equal((await call('GET', '/admin/api/access-log?patient=nope')).json().error.field, 'patient');
    assert.equal((await call('GET', '/admin/api/access-log', undefined, doctor)).statusCode, 403);
  });
});
