/**
 * A portal on a migrated test database, with a controllable clock and a small care team:
 * doctor A follows patient A, doctor B follows patient B, an admin follows nobody.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { createBox, createPatient, openTestDb, type BoxFixture, type TestDb } from '@vigie/cloud-store/testing';
import { silentLogger } from '@vigie/common';
import { buildCloudApp, type CloudAppOptions } from '../src/app.ts';
import { ensureAccount, linkCare } from '../src/auth/accounts.ts';
import { loadCloudConfig } from '../src/config.ts';
import { SESSION_COOKIE } from '../src/auth/guards.ts';
import type { AccountRole } from '../src/api-types.ts';

/** A fixed "now" for tests: 2026-06-01 12:00 UTC. */
export const T0 = Date.UTC(2026, 5, 1, 12, 0, 0);

export interface Person {
  readonly id: string;
  readonly email: string;
  readonly password: string;
}

export interface PortalFixture {
  readonly db: TestDb;
  readonly app: FastifyInstance;
  readonly clock: { now: number };
  readonly doctorA: Person;
  readonly doctorB: Person;
  readonly admin: Person;
  readonly patientA: string;
  readonly patientB: string;
  readonly boxA: BoxFixture;
  /** Log in and return the `cookie` header value for later requests. */
  login(person: Person): Promise<string>;
  close(): Promise<void>;
}

/** An account with a known password (`pw-<email>`), named after its e-mail unless `displayName` is given. */
export async function createPerson(db: TestDb, email: string, role: AccountRole, displayName = email.split('@')[0]!): Promise<Person> {
  const password = `pw-${email}`;
  const { id } = await ensureAccount(db, { email, displayName, role, password });
  return { id, email, password };
}

/**
 * Build the fixture. `env` is merged into the configuration (e.g. `{ VIGIE_DEMO: '1', ... }`). The
 * app serves the portal; it serves the ingest too when `app.ingestRoutes` is given (the tests of
 * the composed cloud, in cloud-runtime: the portal does not depend on the ingest).
 */
export async function portalFixture(
  options: { env?: Record<string, string>; app?: Partial<CloudAppOptions>; db?: TestDb } = {},
): Promise<PortalFixture> {
  const db = options.db ?? (await openTestDb());
  const clock = { now: T0 };
  const [doctorA, doctorB, admin] = await Promise.all([
    createPerson(db, 'a.doctor@test.example', 'doctor'),
    createPerson(db, 'b.doctor@test.example', 'doctor'),
    createPerson(db, 'admin@test.example', 'admin'),
  ]);
  const patientA = await createPatient(db, 'Alice Patient');
  const patientB = await createPatient(db, 'Bob Patient');
  await linkCare(db, patientA, doctorA.id, 'doctor');
  await linkCare(db, patientB, doctorB.id, 'doctor');
  const boxA = await createBox(db, { patientId: patientA, since: T0 - 30 * 86_400_000 });
  const config = loadCloudConfig({ VIGIE_DATA_DIR: '/nonexistent-vigie-test', VIGIE_STAFF_TOTP: 'optional', VIGIE_SECRETS_KEY: TEST_SECRETS_KEY, ...options.env });
  const app = await buildCloudApp({
    db,
    config,
    log: silentLogger(),
    roles: { ingest: options.app?.ingestRoutes !== undefined, portal: true },
    now: () => clock.now,
    webDistDir: '/nonexistent-vigie-web',
    ...options.app,
  });
  await app.ready();

  return {
    db,
    app,
    clock,
    doctorA,
    doctorB,
    admin,
    patientA,
    patientB,
    boxA,
    async login(who) {
      const res = await app.inject({
        method: 'POST',
        url: '/api/auth/login',
        headers: { 'x-vigie-csrf': '1' },
        payload: { email: who.email, password: who.password },
      });
      if (res.statusCode !== 200) throw new Error(`login failed: ${res.statusCode} ${res.body}`);
      return cookieOf(res);
    },
    async close() {
      await app.close();
      await db.close();
    },
  };
}

/** The `name=value` of the session cookie a response sets. */
export function cookieOf(res: LightMyRequestResponse): string {
  const cookie = res.cookies.find((c) => c.name === SESSION_COOKIE);
  if (!cookie) throw new Error('no session cookie');
  return `${cookie.name}=${cookie.value}`;
}

/** A secrets key for the tests' portals, so that no test writes a key file. */
export const TEST_SECRETS_KEY = randomBytes(32).toString('base64');
