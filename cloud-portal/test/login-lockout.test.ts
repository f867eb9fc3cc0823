/**
 * Login hardening (issue 10, finding 6): the lockout cannot be aimed at someone else, the per-IP
 * limit believes X-Forwarded-For only from trusted proxies, second-factor codes are limited per
 * account across password entries, and a new password must pass the policy.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { totpCode } from '../src/auth/totp.ts';
import { LOGIN_RATE_LIMIT } from '../src/auth/auth-routes.ts';
import { delayAfter, PASSWORD_POLICY, SECOND_FACTOR_POLICY, sourceOf } from '../src/auth/login-limiter.ts';
import { cookieOf, createPerson, portalFixture, T0, type PortalFixture, type Person } from './fixture.ts';

let f: PortalFixture;
const csrf = { 'x-vigie-csrf': '1' };

before(async () => {
  f = await portalFixture();
});
after(() => f.close());

const post = (url: string, payload: object, options: { from?: string; headers?: Record<string, string>; cookie?: string } = {}) =>
  f.app.inject({
    method: 'POST',
    url,
    remoteAddress: options.from ?? '192.0.2.1',
    headers: { ...csrf, ...options.headers, ...(options.cookie ? { cookie: options.cookie } : {}) },
    payload,
  });
const login = (who: { email: string; password: string }, from?: string) => post('/api/auth/login', { email: who.email, password: who.password }, { from });
const at = (ms: number) => (f.clock.now = ms);

describe('password lockout per account and source', () => {
  test('a guesser elsewhere cannot lock the owner out', async () => {
    const owner = await createPerson(f.db, 'owner.one@test.example', 'doctor');
    for (let i = 0; i < PASSWORD_POLICY.free + 3; i++) await login({ email: owner.email, password: `wrong-${i}` }, '198.51.100.66');
    assert.equal((await login(owner, '198.51.100.66')).statusCode, 429, 'the guessing source waits, even with the right password');
    assert.equal((await login(owner, '203.0.113.20')).statusCode, 200, 'the owner, from their own address, logs in');
  });

  test('delays grow with each failure past the free ones, announce themselves, and end', async () => {
    const owner = await createPerson(f.db, 'owner.two@test.example', 'doctor');
    const from = '198.51.100.67';
    try {
      for (let i = 0; i < PASSWORD_POLICY.free; i++) assert.equal((await login({ email: owner.email, password: 'nope' }, from)).statusCode, 401);
      const first = await login(owner, from);
      assert.equal(first.statusCode, 429);
      assert.equal(first.json().error.code, 'PORTAL_TOO_MANY_ATTEMPTS');
      assert.equal(first.headers['retry-after'], String(delayAfter(PASSWORD_POLICY, PASSWORD_POLICY.free) / 1000));
      at(T0 + 60_001);
      assert.equal((await login({ email: owner.email, password: 'nope' }, from)).statusCode, 401, 'one more try after the delay');
      const second = await login(owner, from);
      assert.equal(second.statusCode, 429);
      assert.equal(second.headers['retry-after'], '120', 'the delay doubled');
      at(T0 + 60_001 + 120_001);
      assert.equal((await login(owner, from)).statusCode, 200);
      at(T0 + 60_001 + 120_002);
      assert.equal((await login({ email: owner.email, password: 'nope' }, from)).statusCode, 401, 'a success starts the source afresh');
    } finally {
      at(T0);
    }
  });

  test('answers the same for an unknown e-mail', async () => {
    const from = '198.51.100.68';
    for (const email of ['a.doctor@test.example', 'ghost@test.example']) {
      for (let i = 0; i < PASSWORD_POLICY.free; i++) await login({ email, password: 'nope' }, from);
    }
    const known = await login({ email: 'a.doctor@test.example', password: 'x' }, from);
    const unknown = await login({ email: 'ghost@test.example', password: 'x' }, from);
    assert.equal(known.statusCode, 429);
    assert.deepEqual(known.json(), unknown.json());
    assert.equal(known.headers['retry-after'], unknown.headers['retry-after']);
  });

  test('groups an IPv6 source by its /64', () => {
    assert.equal(sourceOf('2001:db8:1:2:aaaa::1'), '2001:db8:1:2::/64');
    assert.equal(sourceOf('2001:0db8:0001:0002:ffff:1:2:3'), '2001:db8:1:2::/64');
    assert.equal(sourceOf('::1'), '0:0:0:0::/64');
    assert.equal(sourceOf('198.51.100.1'), '198.51.100.1');
  });
});

describe('second-factor codes per account', () => {
  let owner: Person;
  let secret: string;

  before(async () => {
    owner = await createPerson(f.db, 'totp.owner@test.example', 'doctor', 'Totp Owner');
    const cookie = cookieOf(await login(owner));
    secret = (await post('/api/auth/totp/enrol', {}, { cookie })).json().secret as string;
    assert.equal((await post('/api/auth/totp/confirm', { code: totpCode(secret, T0) }, { cookie })).statusCode, 200);
  });

  // Each test from its own address: the per-IP limit (30 a minute) is not under test here.
  let from = '192.0.2.10';
  const challenge = async () => {
    const res = await login(owner, from);
    assert.equal(res.statusCode, 200, res.body);
    return res.json().challenge as string;
  };
  const code = (c: string, value: string) => post('/api/auth/login/second-factor', { challenge: c, code: value }, { from });

  test('a fresh password entry gives no fresh set of codes, and an e-mailed reset link still gets the owner in', async () => {
    at(T0 + 30_000);
    try {
      let wrong = 0;
      // Five codes per challenge, a new challenge each time: the account's budget runs out anyway.
      while (wrong < SECOND_FACTOR_POLICY.free) {
        const c = await challenge();
        for (let i = 0; i < 5 && wrong < SECOND_FACTOR_POLICY.free; i++, wrong++) assert.equal((await code(c, String(100_000 + wrong))).statusCode, 401);
      }
      const blocked = await code(await challenge(), totpCode(secret, f.clock.now));
      assert.equal(blocked.statusCode, 429, 'even the right code waits');
      assert.ok(Number(blocked.headers['retry-after']) > 0);

      // The owner resets the password by e-mail: the counters go, the guesser's password with them.
      await post('/api/auth/password/forgot', { email: owner.email });
      await f.app.mailIdle();
      const mail = [...f.app.mailer.captured()].reverse().find((m) => m.to === owner.email)!;
      const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      assert.equal((await post('/api/auth/password/reset', { token, password: 'a brand new passphrase' })).statusCode, 204);
      owner = { ...owner, password: 'a brand new passphrase' };
      const ok = await code(await challenge(), totpCode(secret, f.clock.now));
      assert.equal(ok.statusCode, 200, ok.body);
    } finally {
      at(T0);
    }
  });

  test('a right code clears the account\'s failures', async () => {
    from = '192.0.2.11';
    at(T0 + 60_000);
    try {
      for (let i = 0; i < SECOND_FACTOR_POLICY.free - 1; i++) assert.equal((await code(await challenge(), '000000')).statusCode, 401);
      assert.equal((await code(await challenge(), totpCode(secret, f.clock.now))).statusCode, 200);
      at(T0 + 90_000);
      for (let i = 0; i < SECOND_FACTOR_POLICY.free - 1; i++) assert.equal((await code(await challenge(), '000000')).statusCode, 401);
      assert.equal((await code(await challenge(), totpCode(secret, f.clock.now))).statusCode, 200);
    } finally {
      at(T0);
    }
  });
});

describe('new passwords', () => {
  test('refuses a weak or personal password naming the field, and the link stays usable', async () => {
    const person = await createPerson(f.db, 'policy.person@test.example', 'nurse', 'Nadia Policy');
    await post('/api/auth/password/forgot', { email: person.email });
    await f.app.mailIdle();
    const mail = [...f.app.mailer.captured()].reverse().find((m) => m.to === person.email)!;
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
    for (const password of ['aaaaaaaaaa', 'aaaaaaaaaaaa', 'password1234', 'policy.person@test.example', 'nadia policy 2026']) {
      const res = await post('/api/auth/password/reset', { token, password });
      assert.equal(res.statusCode, 400, password);
      assert.equal(res.json().error.code, 'PORTAL_PASSWORD_REJECTED', password);
      assert.equal(res.json().error.field, '/password');
    }
    assert.equal((await post('/api/auth/password/reset', { token, password: 'un chat sur le toit' })).statusCode, 204, 'the link still works');
  });

  test('applies the policy to a password change too', async () => {
    const person = await createPerson(f.db, 'change.person@test.example', 'nurse', 'Carl Change');
    const cookie = cookieOf(await login(person));
    const weak = await post('/api/auth/password/change', { current: person.password, password: 'change.person@test.example' }, { cookie });
    assert.equal(weak.json().error.code, 'PORTAL_PASSWORD_REJECTED');
    assert.equal((await post('/api/auth/password/change', { current: person.password, password: 'trois petits cochons' }, { cookie })).statusCode, 204);
  });
});

describe('per-IP limit and X-Forwarded-For', () => {
  test('a forged X-Forwarded-For from loopback is not a new address', async (t) => {
    const own = await portalFixture();
    t.after(() => own.close());
    let limited = 0;
    for (let i = 0; i < LOGIN_RATE_LIMIT.max + 2; i++) {
      const res = await own.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '127.0.0.1',
        headers: { ...csrf, 'x-forwarded-for': `198.51.100.${i + 1}` },
        payload: { email: `flood${i}@test.example`, password: 'x' },
      });
      if (res.statusCode === 429) limited++;
    }
    assert.equal(limited, 2);
  });

  test('behind a trusted proxy, counts the address the proxy saw, not what the client wrote', async (t) => {
    const own = await portalFixture({ env: { VIGIE_TRUST_PROXY: 'loopback' } });
    t.after(() => own.close());
    const viaProxy = (clientWrote: string | null, proxySaw: string, i: number) =>
      own.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        remoteAddress: '127.0.0.1',
        // What a reverse proxy sends: the client's own header, then the address it saw.
        headers: { ...csrf, 'x-forwarded-for': clientWrote ? `${clientWrote}, ${proxySaw}` : proxySaw },
        payload: { email: `proxied${i}@test.example`, password: 'x' },
      });
    const statuses: number[] = [];
    for (let i = 0; i < LOGIN_RATE_LIMIT.max + 1; i++) statuses.push((await viaProxy(`10.9.8.${i}`, '203.0.113.50', i)).statusCode);
    assert.equal(statuses.at(-1), 429, 'one client, whatever it wrote, is one address');
    assert.equal((await viaProxy(null, '203.0.113.51', 99)).statusCode, 401, 'another client is not limited');
  });
});
