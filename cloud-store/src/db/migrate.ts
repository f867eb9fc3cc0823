import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { silentLogger, type Logger } from '@vigie/common';
import { storeErrors } from '../errors.ts';
import type { Db, Queryable } from './types.ts';

/** `cloud-store/migrations/`: plain SQL files `NNNN_name.sql`, applied in name order. */
export const MIGRATIONS_DIR = resolve(import.meta.dirname, '../../migrations');

const FILE_PATTERN = /^\d{4}_[a-z0-9_]+\.sql$/;

/**
 * Key of the transaction-level advisory lock that serialises migrators ("vigi" in ASCII). Two
 * instances starting together both wait here; the second then finds the work already done.
 */
const LOCK_KEY = 0x76696769;

/** One migration file. */
export interface MigrationFile {
  readonly name: string;
  readonly sql: string;
  readonly checksum: string;
}

/** Read and checksum the migration files of `dir`, in order. */
export function readMigrations(dir: string = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((name) => FILE_PATTERN.test(name))
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name), 'utf8');
      return { name, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    });
}

/** Options of {@link migrate}. */
export interface MigrateOptions {
  readonly dir?: string;
  readonly log?: Logger;
}

/**
 * Bring the schema up to date: each pending file in its own transaction, recorded in
 * `schema_migrations` with its checksum. Refuses (before applying anything) when an applied file
 * changed or disappeared, since the database would no longer match the code. Returns the names
 * of the files applied by this call.
 */
export async function migrate(db: Db, options: MigrateOptions = {}): Promise<string[]> {
  const log = (options.log ?? silentLogger()).child({ module: 'migrate' });
  const files = readMigrations(options.dir);
  const applied = await db.transaction(async (tx) => {
    await lock(tx);
    await tx.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
      name text PRIMARY KEY,
      checksum text NOT NULL,
      applied_at timestamptz NOT NULL DEFAULT now()
    )`);
    return readApplied(tx);
  });
  verify(files, applied);

  const done: string[] = [];
  for (const file of files) {
    if (applied.has(file.name)) continue;
    const ran = await db.transaction(async (tx) => {
      await lock(tx);
      // Another instance may have applied it while we waited for the lock.
      if ((await readApplied(tx)).has(file.name)) return false;
      try {
        await tx.exec(file.sql);
      } catch (err) {
        throw storeErrors.create('CLOUD_DB_MIGRATION_FAILED', {
          message: `Migration ${file.name} failed and was rolled back: ${(err as Error).message}`,
          details: { migration: file.name },
          cause: err,
        });
      }
      await tx.query('INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)', [file.name, file.checksum]);
      return true;
    });
    if (ran) {
      log.info({ migration: file.name }, 'migration applied');
      done.push(file.name);
    }
  }
  return done;
}

async function lock(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int8)', [LOCK_KEY]);
}

async function readApplied(tx: Queryable): Promise<Map<string, string>> {
  const { rows } = await tx.query<{ name: string; checksum: string }>('SELECT name, checksum FROM schema_migrations');
  return new Map(rows.map((r) => [r.name, r.checksum]));
}

function verify(files: readonly MigrationFile[], applied: ReadonlyMap<string, string>): void {
  const byName = new Map(files.map((f) => [f.name, f]));
  for (const [name, checksum] of applied) {
    const file = byName.get(name);
    if (!file) {
      throw storeErrors.create('CLOUD_DB_MIGRATION_UNKNOWN', {
        message: `The database has migration ${name} applied, but no such file exists: it was migrated by a newer version of Vigie.`,
        details: { migration: name },
      });
    }
    if (file.checksum !== checksum) {
      throw storeErrors.create('CLOUD_DB_MIGRATION_CHANGED', {
        message: `Migration ${name} was modified after it was applied. Restore the original file and add a new migration instead.`,
        details: { migration: name },
      });
    }
  }
}

/** Where the database stands against the migration files of this code. */
export interface SchemaStatus {
  /** Files not yet applied (the database is behind: run `vigie-cloud migrate`). */
  readonly pending: readonly string[];
}

/**
 * Compare the database with the migration files without changing anything. Throws
 * CLOUD_DB_MIGRATION_UNKNOWN / CLOUD_DB_MIGRATION_CHANGED as {@link migrate} does when the
 * database is ahead of, or differs from, this code.
 */
export async function schemaStatus(db: Queryable, options: { dir?: string } = {}): Promise<SchemaStatus> {
  const files = readMigrations(options.dir);
  const { rows } = await db.query<{ exists: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS exists");
  const applied = rows[0]?.exists ? await readApplied(db) : new Map<string, string>();
  verify(files, applied);
  return { pending: files.filter((f) => !applied.has(f.name)).map((f) => f.name) };
}

/** Options of {@link waitForSchema}. */
export interface WaitForSchemaOptions {
  readonly dir?: string;
  readonly log?: Logger;
  /** Give up after this long (the migration job did not run or failed). */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
}

/**
 * For the instances of a scaled-out cloud, which never migrate (only the `vigie-cloud migrate`
 * job does, so instances never race a migration nor run against half a schema): wait until the
 * database has every migration of this code, polling; CLOUD_DB_SCHEMA_BEHIND after `timeoutMs`,
 * and at once CLOUD_DB_MIGRATION_UNKNOWN when the database is ahead of this code.
 */
export async function waitForSchema(db: Queryable, options: WaitForSchemaOptions): Promise<void> {
  const log = (options.log ?? silentLogger()).child({ module: 'migrate' });
  const deadline = Date.now() + options.timeoutMs;
  let warned = false;
  for (;;) {
    const { pending } = await schemaStatus(db, options.dir === undefined ? {} : { dir: options.dir });
    if (pending.length === 0) return;
    if (Date.now() >= deadline) {
      throw storeErrors.create('CLOUD_DB_SCHEMA_BEHIND', {
        message: `The database lacks ${pending.length} migration(s) of this version (first: ${pending[0]}); run \`vigie-cloud migrate\` (the migration job) first.`,
        details: { pending },
      });
    }
    if (!warned) log.warn({ pending: pending.length, first: pending[0] }, 'waiting for the migration job');
    warned = true;
    await new Promise((r) => setTimeout(r, options.intervalMs ?? 1_000));
  }
}
