/**
 * Test helpers of the cloud (imported from tests only, as `@vigie/cloud-store/testing`).
 */
import { generateKeyPairSync, randomBytes, randomUUID, sign, type KeyObject } from 'node:crypto';
import pg from 'pg';
import { migrate } from './db/migrate.ts';
import { openPgDb } from './db/pg-adapter.ts';
import { openPgliteDb } from './db/pglite-adapter.ts';
import { sha256Hex } from './db/tokens.ts';
import type { Db, Queryable } from './db/types.ts';
import { after } from 'node:test';

/** A migrated database of its own; `close()` also drops it (PostgreSQL) or frees it (PGlite). */
export interface TestDb extends Db {
  /** URL of this test's database on PostgreSQL (to open a second connection), null on PGlite. */
  readonly databaseUrl: string | null;
}

/** True when the tests run against PostgreSQL (`DATABASE_URL` set), false on PGlite. */
export const testsUsePostgres = Boolean(process.env.DATABASE_URL);

// PGlite's initdb takes ~2 s; a dump of a migrated database loads in well under one. One template
// per test process.
let template: Promise<Blob> | null = null;

/**
 * A fresh, migrated database for one test file (or one test). With `DATABASE_URL` set: a new
 * database `vigie_t_<random>` on that server, dropped by `close()`; otherwise an in-memory PGlite.
 * Test files run in parallel processes, so never share one between files.
 */
export async function openTestDb(options: { fresh?: boolean } = {}): Promise<TestDb> {
  const serverUrl = process.env.DATABASE_URL;
  if (serverUrl) return openPostgresTestDb(serverUrl, options.fresh === true);
  if (options.fresh) return Object.assign(await openPgliteDb(), { databaseUrl: null });
  template ??= (async () => {
    const db = await openPgliteDb();
    await migrate(db);
    const dump = await db.dump();
    await db.close();
    return dump;
  })();
  return Object.assign(await openPgliteDb({ loadDataDir: await template }), { databaseUrl: null });
}

/**
 * For a test that starts a cloud on a database URL: with `DATABASE_URL`, a new empty database of
 * the test file's own on that server (dropped once the file's tests have ended, after their own
 * `t.after` hooks stopped the clouds); without it, null (the cloud then opens its embedded one).
 * Never the server's shared database: what every portal instance shares through the database
 * (login counters, sessions) must not mix with other test files running at the same time.
 */
export async function ownDatabaseUrl(): Promise<string | null> {
  if (!process.env.DATABASE_URL) return null;
  const db = await openTestDb({ fresh: true });
  after(() => db.close());
  return db.databaseUrl;
}

async function openPostgresTestDb(serverUrl: string, fresh: boolean): Promise<TestDb> {
  const name = `vigie_t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = await openPgDb({ connectionString: url.toString(), max: 5 });
  if (!fresh) await migrate(db);
  let closed = false;
  return {
    ...db,
    databaseUrl: url.toString(),
    async close() {
      if (closed) return;
      closed = true;
      await db.close();
      const dropper = new pg.Client({ connectionString: serverUrl });
      await dropper.connect();
      try {
        // FORCE: a connection a failed test left open must not keep the database alive.
        await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      } finally {
        await dropper.end();
      }
    },
  };
}

/** A patient, a box with a known token, and the box assigned to the patient since `since`. */
export interface BoxFixture {
  readonly patientId: string;
  readonly boxId: string;
  readonly token: string;
  /** The box's Kafka signing key (ed25519 private key); its public half is registered in `boxes`. */
  readonly signingKey: KeyObject;
  /** The same key as PKCS#8 PEM (for a box process started by a test). */
  readonly signingKeyPem: string;
}

/** The `vigie-signature` header of `value` as the box signs it (ed25519, hex). */
export function signBoxMessage(box: Pick<BoxFixture, 'signingKey'>, value: Buffer): string {
  return sign(null, value, box.signingKey).toString('hex');
}

/** Insert a patient (fixture). */
export async function createPatient(q: Queryable, displayName = 'Test Patient', birthYear = 1940): Promise<string> {
  const id = randomUUID();
  await q.query('INSERT INTO patients (id, display_name, birth_year) VALUES ($1, $2, $3)', [id, displayName, birthYear]);
  return id;
}

/**
 * Insert a box with a random token, assigned to `patientId` from `since` when given (fixture). It
 * counts as provisioned at `provisionedAt`, by default 2020-01-01 (tests date their readings freely;
 * readings before provisioning are refused).
 */
export async function createBox(
  q: Queryable,
  options: { boxId?: string; patientId?: string; since?: number; provisionedAt?: number } = {},
): Promise<BoxFixture> {
  const boxId = options.boxId ?? `VB-T-${randomBytes(4).toString('hex')}`;
  const token = randomBytes(32).toString('base64url');
  const keys = generateKeyPairSync('ed25519');
  await q.query('INSERT INTO boxes (id, token_hash, provisioned_at) VALUES ($1, $2, $3)', [
    boxId,
    sha256Hex(token),
    new Date(options.provisionedAt ?? Date.UTC(2020, 0, 1)).toISOString(),
  ]);
  // Registered as the box registers it; skipped on a database migrated only part of the way (a
  // migration's own test), where the column does not exist yet.
  const { rows } = await q.query(
    `SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'boxes' AND column_name = 'signing_public_key'`,
  );
  if (rows.length > 0) {
    await q.query('UPDATE boxes SET signing_public_key = $2 WHERE id = $1', [boxId, keys.publicKey.export({ type: 'spki', format: 'der' }).toString('base64')]);
  }
  if (options.patientId) await assignBox(q, boxId, options.patientId, options.since ?? Date.now() - 86_400_000);
  return {
    boxId,
    token,
    patientId: options.patientId ?? '',
    signingKey: keys.privateKey,
    signingKeyPem: keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Close the box's current assignment at `from` and assign it to `patientId` from then (fixture). */
export async function assignBox(q: Queryable, boxId: string, patientId: string, from: number): Promise<void> {
  const at = new Date(from).toISOString();
  await q.query('UPDATE box_assignments SET valid_to = $2 WHERE box_id = $1 AND valid_to IS NULL', [boxId, at]);
  await q.query('INSERT INTO box_assignments (box_id, patient_id, valid_from) VALUES ($1, $2, $3)', [boxId, patientId, at]);
}

/** `SELECT count(*)` of a table, as a number (fixture). */
export async function countRows(q: Queryable, table: string, where = 'true', params: unknown[] = []): Promise<number> {
  const { rows } = await q.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE ${where}`, params);
  return rows[0]!.n;
}
