import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { countRows } from '@vigie/cloud-store/testing';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS } from '../src/auth/sessions.ts';
import { cookieOf, portalFixture, T0, type PortalFixture } from './fixture.ts';

const MIN = 60_000;
let f: PortalFixture;

before(async () => {
  f = await portalFixture();
});
after(() => f.close());

const me = (cookie?: string) => f.app.inject({ method: 'GET', url: '/api/me', headers: cookie ? { cookie } : {} });
const login = (email: string, password: string, headers: Record<string, string> = { 'x-vigie-csrf': '1' }) =>
  f.app.inject({ method: 'POST', url: '/api/auth/login', headers, payload: { email, password } });

describe('login', () => {
  test('logs in with the right password and answers the user with a session cookie', async () => {
    const res = await login(' A.Doctor@Test.Example ', f.doctorA.password);
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      user: { id: f.doctorA.id, email: f.doctorA.email, displayName: 'a.doctor', role: 'doctor', locale: 'fr' },
    });
    const cookie = res.cookies.find((c) => c.name === 'vigie_session')!;
    assert.equal(Buffer.from(cookie.value, 'base64url').length, 32);
    assert.equal(cookie.httpOnly, true);
    assert.equal(cookie.sameSite, 'Strict');
    assert.equal(cookie.path, '/');
    assert.equal(cookie.secure, undefined, 'plain HTTP: not Secure, or the browser would drop it');
    assert.equal(cookie.maxAge, SESSION_ABSOLUTE_MS / 1000);
    assert.equal((await me(cookieOf(res))).json().user.id, f.doctorA.id);
  });

  test('does not believe an untrusted X-Forwarded-Proto: no proxy is trusted unless VIGIE_TRUST_PROXY says so', async () => {
    const res = await login(f.doctorA.email, f.doctorA.password, { 'x-vigie-csrf': '1', 'x-forwarded-proto': 'https' });
    assert.equal(res.cookies.find((c) => c.name === 'vigie_session')!.secure, undefined);
    assert.equal(res.headers['strict-transport-security'], undefined);
  });

  test('refuses a wrong password and an unknown email with the same answer', async () => {
    const wrong = await login(f.doctorA.email, 'not-the-password');
    const unknown = await login('nobody@test.example', 'whatever');
    assert.equal(wrong.statusCode, 401);
    assert.equal(unknown.statusCode, 401);
    assert.deepEqual(wrong.json(), unknown.json());
    assert.equal(wrong.json().error.code, 'PORTAL_LOGIN_FAILED');
    assert.equal(wrong.cookies.length, 0);
  });

  test('refuses a disabled account, and its open sessions stop working', async () => {
    const cookie = await f.login(f.doctorB);
    await f.db.query('UPDATE accounts SET disabled_at = now() WHERE id = $1', [f.doctorB.id]);
    try {
      assert.equal((await login(f.doctorB.email, f.doctorB.password)).statusCode, 401);
      assert.equal((await me(cookie)).statusCode, 401);
    } finally {
      await f.db.query('UPDATE accounts SET disabled_at = NULL WHERE id = $1', [f.doctorB.id]);
    }
  });

  test('names the failing field of a malformed login body', async () => {
    const res = await f.app.inject({ method: 'POST', url: '/api/auth/login', headers: { 'x-vigie-csrf': '1' }, payload: { email: 'x' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().error.field, '/password');
  });

  test('stores passwords as argon2id hashes', async () => {
    const { rows } = await f.db.query<{ password_hash: string }>('SELECT password_hash FROM accounts WHERE id = $1', [f.doctorA.id]);
    assert.match(rows[0]!.password_hash, /^\$argon2id\$/);
  });
});

describe('sessions', () => {
  test('answers 401 to /api/me without a session', async () => {
    const res = await me();
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().error.code, 'PORTAL_UNAUTHENTICATED');
    assert.equal((await me('vigie_session=forged')).statusCode, 401);
  });

  test('logout ends the session and clears the cookie', async () => {
    const cookie = await f.login(f.doctorA);
    const out = await f.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie, 'x-vigie-csrf': '1' } });
    assert.equal(out.statusCode, 204);
    assert.equal(out.cookies.find((c) => c.name === 'vigie_session')?.value, '');
    assert.equal((await me(cookie)).statusCode, 401);
  });

  test('keeps only the hash of the token in the database', async () => {
    const cookie = await f.login(f.doctorA);
    const token = cookie.split('=')[1]!;
    assert.equal(await countRows(f.db, 'sessions', 'id = $1', [token]), 0);
  });

  test('expires after 30 idle minutes, and slides with activity', async () => {
    f.clock.now = T0;
    const cookie = await f.login(f.doctorA);
    f.clock.now = T0 + 20 * MIN;
    assert.equal((await me(cookie)).statusCode, 200);
    f.clock.now = T0 + 45 * MIN;
    assert.equal((await me(cookie)).statusCode, 200, '25 min after the last request');
    f.clock.now = T0 + 45 * MIN + SESSION_IDLE_MS + 1;
    assert.equal((await me(cookie)).statusCode, 401);
    f.clock.now = T0;
  });

  test('expires 12 hours after login however active', async () => {
    f.clock.now = T0;
    const cookie = await f.login(f.doctorA);
    for (let t = 20 * MIN; t < SESSION_ABSOLUTE_MS; t += 20 * MIN) {
      f.clock.now = T0 + t;
      assert.equal((await me(cookie)).statusCode, 200);
    }
    f.clock.now = T0 + SESSION_ABSOLUTE_MS + 1;
    assert.equal((await me(cookie)).statusCode, 401);
    f.clock.now = T0;
  });
});

describe('CSRF', () => {
  test('refuses state-changing API requests without the x-vigie-csrf header', async () => {
    const cookie = await f.login(f.doctorA);
    const noHeaderLogin = await login(f.doctorA.email, f.doctorA.password, {});
    assert.equal(noHeaderLogin.statusCode, 403);
    assert.equal(noHeaderLogin.json().error.code, 'PORTAL_CSRF_HEADER_MISSING');
    const noHeaderLogout = await f.app.inject({ method: 'POST', url: '/api/auth/logout', headers: { cookie } });
    assert.equal(noHeaderLogout.statusCode, 403);
    assert.equal((await me(cookie)).statusCode, 200, 'the refused logout did nothing');
    const wrongValue = await login(f.doctorA.email, f.doctorA.password, { 'x-vigie-csrf': 'yes' });
    assert.equal(wrongValue.statusCode, 403);
  });
});
