import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { silentLogger, type Logger } from '@vigie/common';
import { copyStatement, copyText } from './copy-text.ts';
import type { Db, Queryable, QueryResult } from './types.ts';
import { lockDirectory, type DirLock } from './dir-lock.ts';

type PGliteLike = Pick<PGlite, 'query' | 'exec'> | Transaction;

function wrap(target: PGliteLike): Queryable {
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const result = await target.query<T>(sql, params as unknown[] | undefined);
      return { rows: result.rows, rowCount: result.rowCount ?? result.affectedRows ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      await target.exec(sql);
    },
    async copyIn(table, columns, rows) {
      // PGlite reads COPY input from the virtual file /dev/blob, filled from the query's blob.
      const statement = copyStatement(table, columns, "'/dev/blob'");
      const pieces = copyText(rows, columns.length);
      if (pieces.length === 0) return 0;
      const blob = new Blob(pieces);
      const result = await target.query(statement, [], { blob });
      return result.affectedRows ?? 0;
    },
  };
}

/** The PGlite adapter's Db, which can also serialise itself. */
export interface PgliteDb extends Db {
  readonly kind: 'pglite';
  /** The whole data directory as an uncompressed tarball (see `loadDataDir`). */
  dump(): Promise<Blob>;
}

/** Options of {@link openPgliteDb}. */
export interface PgliteDbOptions {
  /** Data directory; omitted → in memory (tests). A directory is locked for this process. */
  readonly dataDir?: string;
  /** A `dumpDataDir()` tarball to start from (tests start from an already migrated template). */
  readonly loadDataDir?: Blob;
  readonly log?: Logger;
}

/**
 * The embedded adapter: PostgreSQL compiled to WebAssembly, in this process. Queries run on the
 * caller's event loop, one at a time; LISTEN/NOTIFY works within the process only.
 */
export async function openPgliteDb(options: PgliteDbOptions = {}): Promise<PgliteDb> {
  let lock: DirLock | null = null;
  if (options.dataDir) {
    mkdirSync(dirname(options.dataDir), { recursive: true });
    lock = lockDirectory(options.dataDir);
  }
  let pglite: PGlite;
  try {
    pglite = await PGlite.create({
      ...(options.dataDir ? { dataDir: options.dataDir } : {}),
      ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
    });
  } catch (err) {
    lock?.release();
    throw err;
  }
  const log = (options.log ?? silentLogger()).child({ module: 'db-pglite' });
  let closed = false;

  return {
    kind: 'pglite',
    ...wrap(pglite),
    transaction: (fn) => pglite.transaction((tx) => fn(wrap(tx))),
    listen: (channel, handler) =>
      pglite.listen(channel, (payload) => {
        // Same contract as the pg adapter: a failing handler is logged, never thrown into PGlite.
        try {
          handler(payload);
        } catch (err) {
          log.error({ err, channel }, 'notification handler failed');
        }
      }),
    async notify(channel, payload) {
      await pglite.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    dump: () => pglite.dumpDataDir('none'),
    poolStats: () => ({ total: closed ? 0 : 1, idle: closed ? 0 : 1, waiting: 0 }),
    async close() {
      if (closed) return;
      closed = true;
      try {
        await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}
