import type { CopyValue } from './copy-text.ts';

export type { CopyValue } from './copy-text.ts';

/** Rows and the number of rows a statement touched (inserted, updated, deleted or returned). */
export interface QueryResult<T> {
  readonly rows: T[];
  readonly rowCount: number;
}

/** What a connection and a transaction both offer. */
export interface Queryable {
  /** One statement, `$1`-style parameters. */
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<T>>;
  /** Several `;`-separated statements without parameters (migration files). */
  exec(sql: string): Promise<void>;
  /**
   * Bulk-load rows with `COPY table (columns) FROM …` in text format: several times faster than
   * INSERT for thousands of rows, and inside a transaction like any statement. Each row has one
   * value per column, in order. Returns the number of rows loaded.
   */
  copyIn(table: string, columns: readonly string[], rows: Iterable<readonly CopyValue[]>): Promise<number>;
}

/** Removes a listener registered with {@link Db.listen}. */
export type Unlisten = () => Promise<void>;

/**
 * The cloud's database port. Two adapters pass the same contract suite (`db-contract.test.ts`):
 * PostgreSQL through a `pg` pool, and PGlite in process.
 *
 * Types come back the same from both: `timestamptz` → `Date`, `int8` → `number` (values stay far
 * below 2^53 here), `jsonb` → parsed JSON. `numeric` differs between drivers: cast it in SQL.
 */
export interface Db extends Queryable {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Run `fn` in one transaction, committed when it resolves and rolled back when it throws.
   * Use only `tx` inside `fn`: on PGlite a query on the Db itself waits for the transaction to end.
   */
  transaction<R>(fn: (tx: Queryable) => Promise<R>): Promise<R>;
  /**
   * Call `handler` with the payload of every notification on `channel` (from any process on
   * PostgreSQL, from this process on PGlite). Notifications sent while a PostgreSQL listener
   * connection is being re-established are lost: listeners are for live views, not records.
   */
  listen(channel: string, handler: (payload: string) => void): Promise<Unlisten>;
  /** `pg_notify(channel, payload)` outside any transaction. Inside one, use `notifyEvent(tx, …)`. */
  notify(channel: string, payload: string): Promise<void>;
  /**
   * The connection pool right now (`vigie_db_pool_connections`): PostgreSQL's pool; PGlite is one
   * in-process connection (total 1, never waiting).
   */
  poolStats?(): { readonly total: number; readonly idle: number; readonly waiting: number };
  /** Close every connection (and release the PGlite directory lock). Idempotent. */
  close(): Promise<void>;
}
