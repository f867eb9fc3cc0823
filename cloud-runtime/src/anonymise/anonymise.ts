import { randomBytes } from 'node:crypto';
import { ensurePartitions, migrate, schemaStatus, type CopyValue, type Db } from '@vigie/cloud-store';
import { hashPassword, portalErrors } from '@vigie/cloud-portal';
import { silentLogger, type Logger } from '@vigie/common';
import { Pseudonyms } from './pseudonyms.ts';
import { TABLE_POLICIES, type CopyContext } from './policy.ts';

/** Rows fetched from the source cursor, and loaded into the target, at a time. */
const CHUNK = 5_000;

/** What one copy did, per table (rows copied; skipped tables absent). */
export type AnonymiseReport = Record<string, number>;

/** The cloud's tables (partitions of a partitioned table excluded), in `db`. */
async function tablesOf(db: Db): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p') AND NOT c.relispartition ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

/**
 * Copy the production database `source` into the empty pre-production database `target` with
 * every identity pseudonymised (cloud-runtime/src/anonymise/policy.ts says what happens to each
 * table; docs/anonymisation.md against the GDPR). The source is only read, in one repeatable-read
 * transaction (a consistent snapshot). Refuses a source whose schema is not this version's, a
 * non-empty target, and a source table that has no policy.
 */
export async function anonymiseDatabase(source: Db, target: Db, options: { log?: Logger } = {}): Promise<AnonymiseReport> {
  const log = (options.log ?? silentLogger()).child({ module: 'anonymise' });
  const { pending } = await schemaStatus(source);
  if (pending.length > 0) {
    throw portalErrors.create('PORTAL_CLI_USAGE', { message: `The source database lacks ${pending.length} migration(s) of this version (first: ${pending[0]}): migrate it, or run the version it was migrated with.` });
  }
  const unknown = (await tablesOf(source)).filter((t) => !(t in TABLE_POLICIES));
  if (unknown.length > 0) {
    throw portalErrors.create('PORTAL_ANONYMISE_UNKNOWN_TABLE', {
      message: `No anonymisation policy for table(s) ${unknown.join(', ')}: add one to cloud-runtime/src/anonymise/policy.ts (nothing is copied by default).`,
      details: { tables: unknown },
    });
  }
  await migrate(target, { log });
  const { rows: used } = await target.query<{ n: number }>('SELECT (SELECT count(*) FROM patients) + (SELECT count(*) FROM accounts) AS n');
  if (Number(used[0]!.n) > 0) {
    throw portalErrors.create('PORTAL_ANONYMISE_TARGET_NOT_EMPTY', { message: 'The target database already holds patients or accounts: give an empty (or new) database.' });
  }

  const pseudonyms = new Pseudonyms();
  // A password nobody will ever know: every copied account shares its hash.
  const context: CopyContext = { passwordHash: await hashPassword(randomBytes(32).toString('base64url')) };
  const report: AnonymiseReport = {};
  await source.transaction(async (tx) => {
    await tx.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    for (const [table, policy] of Object.entries(TABLE_POLICIES)) {
      if (policy.kind === 'skip') continue;
      let copied = 0;
      if (policy.replaceSeeded) await target.exec(`DELETE FROM ${table}`);
      await tx.query(`DECLARE anonymise_cursor NO SCROLL CURSOR FOR ${policy.select}`);
      for (;;) {
        const { rows } = await tx.query(`FETCH ${CHUNK} FROM anonymise_cursor`);
        if (rows.length === 0) break;
        const out = rows.map((r) => policy.map(r, pseudonyms, context)).filter((r): r is readonly CopyValue[] => r !== null);
        if (out.length > 0) copied += await target.copyIn(table, policy.columns, out);
      }
      await tx.query('CLOSE anonymise_cursor');
      report[table] = copied;
      log.info({ table, rows: copied }, 'table copied');
    }
  });
  // Shifted readings went to the default partition: give their months partitions.
  await ensurePartitions(target, { now: Date.now() });
  await target.exec('ANALYZE');
  return report;
}
