import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { countRows } from '@vigie/cloud-store/testing';
import { totpCode } from '../src/auth/totp.ts';
import { LOGIN_RATE_LIMIT } from '../src/auth/auth-routes.ts';
import { PASSWORD_POLICY } from '../src/auth/login-limiter.ts';
import { cookieOf, portalFixture, T0, type PortalFixture } from './fixture.ts';

let f: PortalFixture;
const csrf = { 'x-vigie-csrf': '1' };

before(async () => {
  // A key of its own: the TOTP secrets enrolled here are sealed without writing a key file.
  f = await portalFixture({ env: { VIGIE_STAFF_TOTP: 'required', VIGIE_SECRETS_KEY: randomBytes(32).toString('base64') } });
});
after(() => f.close());

const post = (url: string, payload: object, cookie?: string, extra: Record<string, string> = {}) =>
  f.app.inject({ method: 'POST', url, headers: { ...csrf, ...extra, ...(cookie ? { cookie } : {}) }, payload });
const get = (url: string, cookie?: string) => f.app.inject({ method: 'GET', url, headers: cookie ? { cookie } : {} });
/** The link token in the latest captured e-mail to `to`. */
function lastToken(to: string): string {
  const mail = [...captured()].reverse().find((m) => m.to === to);
  assert.ok(mail, `an e-mail to ${to}`);
  return /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
}
function captured() {
  return f.app.mailer.captured();
}

describe('second factor (TOTP) for staff', () => {
  let secret: string;

  test('confines a staff session without a second factor to enrolment', async () => {
    const cookie = await f.login(f.doctorA);
    const me = await get('/api/me', cookie);
    assert.deepEqual(me.json().secondFactor, { required: true, enrolled: false });
    const patients = await get('/api/patients', cookie);
    assert.equal(patients.statusCode, 403);
    assert.equal(patients.json().error.code, 'PORTAL_SECOND_FACTOR_REQUIRED');
  });

  test('enrols: secret, otpauth URI and QR code, then a first code turns it on and gives recovery codes', async () => {
    const cookie = await f.login(f.doctorA);
    const enrol = await post('/api/auth/totp/enrol', {}, cookie);
    assert.equal(enrol.statusCode, 200);
    const body = enrol.json();
    secret = body.secret;
    assert.match(body.uri, /^otpauth:\/\/totp\/Vigie:a\.doctor%40test\.example\?.*secret=/);
    assert.match(body.qr, /^data:image\/png;base64,/);
    assert.equal((await post('/api/auth/totp/confirm', { code: '000000' }, cookie)).json().error.code, 'PORTAL_SECOND_FACTOR_FAILED');
    const confirm = await post('/api/auth/totp/confirm', { code: totpCode(secret, T0) }, cookie);
    assert.equal(confirm.statusCode, 200);
    assert.equal(confirm.json().recoveryCodes.length, 10);
    const { rows } = await f.db.query<{ code_hash: string }>('SELECT code_hash FROM recovery_codes WHERE account_id = $1', [f.doctorA.id]);
    assert.equal(rows.length, 10);
    assert.ok(!rows.some((r) => confirm.json().recoveryCodes.includes(r.code_hash)), 'only hashes are stored');
    (globalThis as { recovery?: string[] }).recovery = confirm.json().recoveryCodes;
  });

  test('logs in in two steps: password, then a code; a replayed or wrong code is refused', async () => {
    const step1 = await post('/api/auth/login', { email: f.doctorA.email, password: f.doctorA.password });
    assert.equal(step1.statusCode, 200);
    assert.equal(step1.json().secondFactor, 'totp');
    assert.equal(step1.cookies.length, 0, 'no session before the second factor');
    const challenge = step1.json().challenge as string;
    const wrong = await post('/api/auth/login/second-factor', { challenge, code: '123456' });
    assert.equal(wrong.statusCode, 401);
    // The enrolment consumed the T0 step: the same code is a replay.
    assert.equal((await post('/api/auth/login/second-factor', { challenge, code: totpCode(secret, T0) })).statusCode, 401);
    f.clock.now = T0 + 30_000;
    const ok = await post('/api/auth/login/second-factor', { challenge, code: totpCode(secret, f.clock.now) });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().user.id, f.doctorA.id);
    assert.equal((await get('/api/patients', cookieOf(ok))).statusCode, 200);
    assert.equal((await post('/api/auth/login/second-factor', { challenge, code: totpCode(secret, f.clock.now) })).statusCode, 401, 'a challenge is single-use');
    f.clock.now = T0;
  });

  test('accepts a recovery code once', async () => {
    const codes = (globalThis as { recovery?: string[] }).recovery!;
    const login = async () => (await post('/api/auth/login', { email: f.doctorA.email, password: f.doctorA.password })).json().challenge as string;
    assert.equal((await post('/api/auth/login/second-factor', { challenge: await login(), code: codes[0]! })).statusCode, 200);
    assert.equal((await post('/api/auth/login/second-factor', { challenge: await login(), code: codes[0]! })).statusCode, 401);
  });
});

describe('password reset and invitation links', () => {
  test('answers the same to known and unknown e-mails, and mails a single-use link to known ones', async () => {
    const before = captured().length;
    const known = await post('/api/auth/password/forgot', { email: f.doctorB.email });
    const unknown = await post('/api/auth/password/forgot', { email: 'nobody@test.example' });
    assert.equal(known.statusCode, 202);
    assert.deepEqual(known.json(), unknown.json());
    assert.equal(known.statusCode, unknown.statusCode);
    await f.app.mailIdle();
    assert.equal(captured().length, before + 1);
    const token = lastToken(f.doctorB.email);
    assert.equal(await countRows(f.db, 'account_tokens', 'id = $1', [token]), 0, 'only the hash is stored');

    const oldSession = await f.login(f.doctorB);
    const reset = await post('/api/auth/password/reset', { token, password: 'a-new-long-password' });
    assert.equal(reset.statusCode, 204);
    assert.equal((await get('/api/me', oldSession)).statusCode, 401, 'sessions end when the password changes');
    assert.equal((await post('/api/auth/password/reset', { token, password: 'another-long-password' })).json().error.code, 'PORTAL_LINK_INVALID');
    assert.equal((await post('/api/auth/login', { email: f.doctorB.email, password: 'a-new-long-password' })).statusCode, 200);
  });

  test('refuses an expired link', async () => {
    await post('/api/auth/password/forgot', { email: f.admin.email });
    await f.app.mailIdle();
    const token = lastToken(f.admin.email);
    f.clock.now = T0 + 2 * 3_600_000;
    try {
      assert.equal((await post('/api/auth/password/reset', { token, password: 'a-new-long-password' })).statusCode, 400);
    } finally {
      f.clock.now = T0;
    }
  });

  test('names the failing field of a short password', async () => {
    const res = await post('/api/auth/password/reset', { token: 'x'.repeat(43), password: 'short' });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, '/password');
  });

  test('password change ends the other sessions and keeps this one', async () => {
    // Log in twice through the store directly (the second factor is not under test here).
    const { SessionStore } = await import('../src/auth/sessions.ts');
    const store = new SessionStore(f.db, () => f.clock.now);
    const a = `vigie_session=${(await store.create(f.doctorB.id)).token}`;
    const b = `vigie_session=${(await store.create(f.doctorB.id)).token}`;
    const wrong = await post('/api/auth/password/change', { current: 'not-it', password: 'yet-another-password' }, a);
    assert.equal(wrong.statusCode, 401);
    const res = await post('/api/auth/password/change', { current: 'a-new-long-password', password: 'yet-another-password' }, a);
    assert.equal(res.statusCode, 204, res.body);
    assert.equal((await get('/api/me', a)).statusCode, 200);
    assert.equal((await get('/api/me', b)).statusCode, 401);
  });
});

describe('login rate limits', () => {
  // Other tests log in from 127.0.0.1: this one's own address keeps the per-IP limit out of the way.
  const from = (remoteAddress: string) => (payload: object) =>
    f.app.inject({ method: 'POST', url: '/api/auth/login', remoteAddress, headers: csrf, payload });
  test(`delays an e-mail from one source after ${PASSWORD_POLICY.free} failures, known or not, with the same answer`, async () => {
    const login = from('198.51.100.7');
    for (const email of ['b.doctor@test.example', 'ghost@test.example']) {
      for (let i = 0; i < PASSWORD_POLICY.free; i++) assert.equal((await login({ email, password: 'wrong' })).statusCode, 401);
    }
    const known = await login({ email: 'b.doctor@test.example', password: 'anything' });
    const unknown = await login({ email: 'ghost@test.example', password: 'anything' });
    assert.equal(known.statusCode, 429);
    assert.deepEqual(known.json(), unknown.json());
    assert.equal(known.json().error.code, 'PORTAL_TOO_MANY_ATTEMPTS');
    f.clock.now = T0 + PASSWORD_POLICY.baseDelayMs + 1;
    assert.notEqual((await login({ email: 'ghost@test.example', password: 'x' })).statusCode, 429);
    f.clock.now = T0;
  });

  test('limits logins per address', async () => {
    const login = from('203.0.113.9');
    let limited = 0;
    for (let i = 0; i < LOGIN_RATE_LIMIT.max + 2; i++) {
      const res = await login({ email: `flood${i}@test.example`, password: 'x' });
      if (res.statusCode === 429) limited++;
    }
    assert.ok(limited >= 2, `${limited} refused`);
  });
});
