/**
 * Staff TOTP secrets at rest, through the real routes: enrolment stores only the sealed form,
 * login opens it, a legacy plaintext secret still works and is sealed at its next use, and a secret
 * the key cannot open (another key, another row) fails closed with the generic answer.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@vigie/common';
import { buildCloudApp } from '../src/app.ts';
import { totpCode } from '../src/auth/totp.ts';
import { loadCloudConfig, secretsKeyFile } from '../src/config.ts';
import { cookieOf, portalFixture, T0, type PortalFixture, type Person } from './fixture.ts';

const KEY = randomBytes(32).toString('base64');
const csrf = { 'x-vigie-csrf': '1' };
const STEP_MS = 30_000;

let f: PortalFixture;
const logLines: string[] = [];
const log = createLogger('test', { level: 'info' }, { write: (line: string) => void logLines.push(line) });

before(async () => {
  f = await portalFixture({ env: { VIGIE_STAFF_TOTP: 'required', VIGIE_SECRETS_KEY: KEY }, app: { log } });
});
after(() => f.close());

const post = (app: FastifyInstance, url: string, payload: object, cookie?: string) =>
  app.inject({ method: 'POST', url, headers: { ...csrf, ...(cookie ? { cookie } : {}) }, payload });

/** Password, then `code`: the second step's answer. */
async function loginWithCode(app: FastifyInstance, who: Person, code: string) {
  const step1 = await post(app, '/api/auth/login', { email: who.email, password: who.password });
  assert.equal(step1.json().secondFactor, 'totp', step1.body);
  return post(app, '/api/auth/login/second-factor', { challenge: step1.json().challenge, code });
}

/** The stored column, as a dump would show it. */
const storedSecret = async (accountId: string) =>
  (await f.db.query<{ totp_secret: string | null }>('SELECT totp_secret FROM accounts WHERE id = $1', [accountId])).rows[0]!.totp_secret;

/** Every row of every table of the schema, as text, that contains `needle` (case-insensitive). */
async function tablesContaining(needle: string): Promise<string[]> {
  const { rows } = await f.db.query<{ table_name: string }>(
    `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
  );
  const found: string[] = [];
  for (const { table_name: table } of rows) {
    const hit = await f.db.query(`SELECT 1 FROM "${table}" t WHERE t::text ILIKE $1 LIMIT 1`, [`%${needle}%`]);
    if (hit.rows.length > 0) found.push(table);
  }
  assert.ok(rows.length > 5, 'the scan saw the schema');
  return found;
}

/** Enrol `who` on `app` through the routes at the clock's time; answers the clear secret shown to the user. */
async function enrol(app: FastifyInstance, who: Person): Promise<string> {
  const login = await post(app, '/api/auth/login', { email: who.email, password: who.password });
  assert.equal(login.statusCode, 200, login.body);
  const cookie = cookieOf(login);
  const enrolment = await post(app, '/api/auth/totp/enrol', {}, cookie);
  assert.equal(enrolment.statusCode, 200, enrolment.body);
  const secret = enrolment.json().secret as string;
  const confirm = await post(app, '/api/auth/totp/confirm', { code: totpCode(secret, f.clock.now) }, cookie);
  assert.equal(confirm.statusCode, 200, confirm.body);
  return secret;
}

describe('TOTP secrets at rest', () => {
  let secretA: string;

  test('enrolment stores only the sealed secret: no table holds the base32 secret', async () => {
    f.clock.now = T0;
    const cookie = await f.login(f.doctorA);
    const enrolment = await post(f.app, '/api/auth/totp/enrol', {}, cookie);
    secretA = enrolment.json().secret;
    // Pending (enrolled, not yet confirmed): already sealed.
    assert.match((await storedSecret(f.doctorA.id))!, /^v1:/);
    assert.deepEqual(await tablesContaining(secretA), []);
    assert.equal((await post(f.app, '/api/auth/totp/confirm', { code: totpCode(secretA, T0) }, cookie)).statusCode, 200);
    const stored = (await storedSecret(f.doctorA.id))!;
    assert.match(stored, /^v1:[A-Za-z0-9+/]+=*:[A-Za-z0-9+/]+=*$/);
    assert.deepEqual(await tablesContaining(secretA), []);
  });

  test('a sealed secret verifies at login', async () => {
    f.clock.now = T0 + STEP_MS;
    const ok = await loginWithCode(f.app, f.doctorA, totpCode(secretA, f.clock.now));
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().user.id, f.doctorA.id);
  });

  test('a secret copied onto another account does not open there', async () => {
    const sealed = await storedSecret(f.doctorA.id);
    await f.db.query('UPDATE accounts SET totp_secret = $2, totp_enabled_at = $3, totp_last_step = NULL WHERE id = $1', [f.doctorB.id, sealed, new Date(T0).toISOString()]);
    f.clock.now = T0 + 2 * STEP_MS;
    const copied = await loginWithCode(f.app, f.doctorB, totpCode(secretA, f.clock.now));
    const wrong = await loginWithCode(f.app, f.doctorB, '000000');
    assert.equal(copied.statusCode, 401);
    assert.deepEqual(copied.json(), wrong.json(), 'the same answer as a wrong code');
    assert.equal(copied.json().error.code, 'PORTAL_SECOND_FACTOR_FAILED');
    await f.db.query('UPDATE accounts SET totp_secret = NULL, totp_enabled_at = NULL WHERE id = $1', [f.doctorB.id]);
  });

  test('under another key the second factor fails closed, generically, and the reason is logged without the secret', async () => {
    logLines.length = 0;
    const otherKey = loadCloudConfig({ VIGIE_DATA_DIR: '/nonexistent-vigie-test', VIGIE_STAFF_TOTP: 'required', VIGIE_SECRETS_KEY: randomBytes(32).toString('base64') });
    const other = await buildCloudApp({ db: f.db, config: otherKey, log, roles: { ingest: false, portal: true }, now: () => f.clock.now, webDistDir: '/nonexistent-vigie-web' });
    try {
      f.clock.now = T0 + 3 * STEP_MS;
      const refused = await loginWithCode(other, f.doctorA, totpCode(secretA, f.clock.now));
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.json().error.code, 'PORTAL_SECOND_FACTOR_FAILED');
      assert.deepEqual(refused.json(), (await loginWithCode(other, f.doctorA, '000000')).json());
      const reasons = logLines.map((l) => JSON.parse(l) as { msg: string; reason?: string; accountId?: string }).filter((l) => l.reason === 'undecryptable');
      assert.ok(reasons.length > 0, 'the reason is logged');
      assert.equal(reasons[0]!.accountId, f.doctorA.id);
      assert.ok(!logLines.some((l) => l.includes(secretA)), 'never the secret');
      // The right key still works: nothing was damaged by the refusals.
      const ok = await loginWithCode(f.app, f.doctorA, totpCode(secretA, f.clock.now));
      assert.equal(ok.statusCode, 200, ok.body);
    } finally {
      await other.close();
    }
  });

  test('a legacy plaintext secret still verifies, and is sealed by that login', async () => {
    const legacy = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    await f.db.query('UPDATE accounts SET totp_secret = $2, totp_enabled_at = $3, totp_last_step = NULL WHERE id = $1', [f.admin.id, legacy, new Date(T0).toISOString()]);
    f.clock.now = T0 + 4 * STEP_MS;
    assert.equal((await loginWithCode(f.app, f.admin, '000000')).statusCode, 401, 'a wrong code is still wrong');
    assert.equal(await storedSecret(f.admin.id), legacy, 'a failed attempt rewrites nothing');
    const ok = await loginWithCode(f.app, f.admin, totpCode(legacy, f.clock.now));
    assert.equal(ok.statusCode, 200, ok.body);
    const stored = (await storedSecret(f.admin.id))!;
    assert.match(stored, /^v1:/);
    assert.deepEqual(await tablesContaining(legacy), []);
    f.clock.now = T0 + 5 * STEP_MS;
    assert.equal((await loginWithCode(f.app, f.admin, totpCode(legacy, f.clock.now))).statusCode, 200, 'and verifies sealed');
  });
});

describe('the key file (VIGIE_SECRETS_KEY unset)', () => {
  test('is created with mode 0600 at the first enrolment, reused after a restart, and a broken one stops the start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigie-totp-'));
    const config = loadCloudConfig({ VIGIE_DATA_DIR: dir, VIGIE_STAFF_TOTP: 'required' });
    const build = () => buildCloudApp({ db: f.db, config, log, roles: { ingest: false, portal: true }, now: () => f.clock.now, webDistDir: '/nonexistent-vigie-web' });
    try {
      const first = await build();
      let secret: string;
      try {
        assert.throws(() => statSync(secretsKeyFile(config)), /ENOENT/, 'nothing written before a secret is sealed');
        f.clock.now = T0 + 10 * STEP_MS;
        secret = await enrol(first, f.doctorB);
        assert.equal(statSync(secretsKeyFile(config)).mode & 0o777, 0o600);
        assert.match((await storedSecret(f.doctorB.id))!, /^v1:/);
        assert.deepEqual(await tablesContaining(secret), []);
      } finally {
        await first.close();
      }
      const restarted = await build();
      try {
        f.clock.now = T0 + 11 * STEP_MS;
        assert.equal((await loginWithCode(restarted, f.doctorB, totpCode(secret, f.clock.now))).statusCode, 200);
      } finally {
        await restarted.close();
      }
      writeFileSync(secretsKeyFile(config), 'broken\n');
      await assert.rejects(build(), (err: { code?: string; message?: string }) => err.code === 'CONFIG_INVALID' && err.message!.includes('secrets.key'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
