import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { Logger } from '@vigie/common';
import { silentLogger } from '@vigie/common';
import { copyStatement, copyText } from './copy-text.ts';
import type { Db, Queryable, QueryResult, Unlisten } from './types.ts';

const INT8_OID = 20;
const RECONNECT_MIN_MS = 500;
const RECONNECT_MAX_MS = 30_000;

/**
 * `pg` parses `int8` as a string (it can exceed 2^53); PGlite parses it as a number. Our int8
 * values (sequence numbers, counts, identities) stay below 2^53, so both adapters return numbers.
 */
const types = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format);
  },
} as pg.CustomTypesConfig;

function wrap(client: pg.Pool | pg.PoolClient): Queryable {
  const copyIn: Queryable['copyIn'] = async (table, columns, rows) => {
    const statement = copyStatement(table, columns, 'STDIN');
    const pieces = copyText(rows, columns.length);
    if (pieces.length === 0) return 0;
    // COPY needs one connection for the whole stream: a pool lends one for this statement only,
    // and a COPY that failed on the wire ends that connection rather than returning it.
    const lent = 'release' in client ? null : await client.connect();
    const connection = lent ?? (client as pg.PoolClient);
    try {
      const stream = connection.query(copyFrom(statement));
      await pipeline(Readable.from(pieces), stream);
      lent?.release();
      return stream.rowCount;
    } catch (err) {
      lent?.release(err as Error);
      throw err;
    }
  };
  return {
    async query<T>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>> {
      const result = await client.query(sql, params as unknown[] | undefined);
      return { rows: result.rows as T[], rowCount: result.rowCount ?? result.rows.length };
    },
    async exec(sql: string): Promise<void> {
      // Without parameters pg uses the simple query protocol, which accepts several statements.
      await client.query(sql);
    },
    copyIn,
  };
}

/** Options of {@link openPgDb}. */
export interface PgDbOptions {
  readonly connectionString: string;
  readonly log?: Logger;
  /** Pool size (default 10). */
  readonly max?: number;
}

/** The PostgreSQL adapter: a connection pool, plus one dedicated connection for LISTEN. */
export async function openPgDb(options: PgDbOptions): Promise<Db> {
  const log = (options.log ?? silentLogger()).child({ module: 'db-pg' });
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.max ?? 10, types });
  // An idle client that loses its connection emits on the pool; unhandled, it would crash the process.
  pool.on('error', (err) => log.warn({ err }, 'idle database connection failed'));
  // Fail at start, not at the first request, when the database is unreachable.
  await pool.query('SELECT 1');
  const listener = new NotificationListener(options.connectionString, log);
  let closed = false;

  return {
    kind: 'postgres',
    ...wrap(pool),
    async transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R> {
      const client = await pool.connect();
      try {
        await client.query('BEGIN');
        const result = await fn(wrap(client));
        await client.query('COMMIT');
        client.release();
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
          client.release();
        } catch (rollbackErr) {
          // The connection is unusable: destroy it rather than return it to the pool.
          client.release(rollbackErr as Error);
        }
        throw err;
      }
    },
    listen: (channel, handler) => listener.add(channel, handler),
    poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
    async notify(channel, payload) {
      await pool.query('SELECT pg_notify($1, $2)', [channel, payload]);
    },
    async close() {
      if (closed) return;
      closed = true;
      await listener.close();
      await pool.end();
    },
  };
}

/**
 * One connection outside the pool holds every LISTEN of this process (a pooled client would be
 * handed to other queries). It reconnects with backoff and listens again after a failure.
 */
class NotificationListener {
  readonly #url: string;
  readonly #log: Logger;
  readonly #handlers = new Map<string, Set<(payload: string) => void>>();
  #client: pg.Client | null = null;
  #connecting: Promise<pg.Client> | null = null;
  #closed = false;
  #retryMs = RECONNECT_MIN_MS;
  #retryTimer: NodeJS.Timeout | null = null;

  constructor(url: string, log: Logger) {
    this.#url = url;
    this.#log = log;
  }

  async add(channel: string, handler: (payload: string) => void): Promise<Unlisten> {
    const client = await this.#connect();
    let set = this.#handlers.get(channel);
    if (!set) {
      set = new Set();
      this.#handlers.set(channel, set);
      await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    }
    set.add(handler);
    return async () => {
      const current = this.#handlers.get(channel);
      if (!current?.delete(handler) || current.size > 0) return;
      this.#handlers.delete(channel);
      if (this.#client && !this.#closed) await this.#client.query(`UNLISTEN ${this.#client.escapeIdentifier(channel)}`);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#handlers.clear();
    const client = this.#client;
    this.#client = null;
    if (client) await client.end().catch(() => undefined);
  }

  #connect(): Promise<pg.Client> {
    if (this.#client) return Promise.resolve(this.#client);
    this.#connecting ??= this.#open().finally(() => {
      this.#connecting = null;
    });
    return this.#connecting;
  }

  async #open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.#url, types });
    client.on('notification', (msg) => {
      for (const handler of this.#handlers.get(msg.channel) ?? []) {
        try {
          handler(msg.payload ?? '');
        } catch (err) {
          this.#log.error({ err, channel: msg.channel }, 'notification handler failed');
        }
      }
    });
    client.on('error', (err) => this.#lost(client, err));
    client.on('end', () => this.#lost(client, undefined));
    await client.connect();
    for (const channel of this.#handlers.keys()) await client.query(`LISTEN ${client.escapeIdentifier(channel)}`);
    this.#client = client;
    this.#retryMs = RECONNECT_MIN_MS;
    return client;
  }

  #lost(client: pg.Client, err: Error | undefined): void {
    if (this.#closed || this.#client !== client) return;
    this.#client = null;
    this.#log.warn({ err, retryMs: this.#retryMs }, 'notification connection lost; reconnecting');
    const retry = () => {
      this.#retryTimer = null;
      if (this.#closed || this.#handlers.size === 0) return;
      this.#connect().catch((connectErr: unknown) => {
        this.#log.warn({ err: connectErr }, 'notification reconnect failed');
        this.#retryMs = Math.min(this.#retryMs * 2, RECONNECT_MAX_MS);
        this.#retryTimer = setTimeout(retry, this.#retryMs);
      });
    };
    this.#retryTimer = setTimeout(retry, this.#retryMs);
  }
}
