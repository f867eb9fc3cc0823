import { silentLogger, type Logger } from '@vigie/common';
import { deleteOlderThan } from './retention.ts';
import type { Db, Queryable } from './types.ts';

/**
 * Monthly partitions of `measurements` (migration 0002): `measurements_YYYY_MM` covers
 * [YYYY-MM-01 00:00 UTC, first of the next month 00:00 UTC). `measurements_default` catches rows
 * of a month without a partition so that a write never fails; the maintenance moves them into a
 * real partition.
 */

/**
 * Key of the transaction-level advisory lock that serialises partition maintenance ("vimp" in
 * ASCII), so that two instances starting together neither create a partition twice nor drop one
 * while the other attaches it.
 */
const LOCK_KEY = 0x76696d70;

const PARENT = 'measurements';
const DEFAULT_PARTITION = 'measurements_default';

/** Options of {@link ensurePartitions}. */
export interface EnsurePartitionsOptions {
  /** The cloud's clock, epoch ms. */
  readonly now: number;
  /** Months after the current one that must have a partition already (default 2). */
  readonly monthsAhead?: number;
  /**
   * Months before the current one that must have a partition (default 1): a box offline over a
   * month's end uploads last month's readings after it, and on a new database that month has no
   * partition yet.
   */
  readonly monthsBehind?: number;
}

/** What {@link ensurePartitions} did. */
export interface EnsurePartitionsResult {
  /** Partitions created by this call, oldest first. */
  readonly created: string[];
  /** Rows found in `measurements_default` and moved into their monthly partition. */
  readonly movedFromDefault: number;
}

/**
 * Make sure the current month, the `monthsBehind` previous and the `monthsAhead` next ones have a
 * partition, and give every
 * month that has rows in the default partition one too, moving those rows into it. Idempotent;
 * safe when several instances run it at once (one transaction under an advisory lock).
 */
export async function ensurePartitions(db: Db, options: EnsurePartitionsOptions): Promise<EnsurePartitionsResult> {
  const monthsAhead = options.monthsAhead ?? 2;
  const monthsBehind = options.monthsBehind ?? 1;
  for (const [name, value] of [['monthsAhead', monthsAhead], ['monthsBehind', monthsBehind]] as const) {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${name} must be an integer >= 0, got ${value}`);
  }
  const current = monthIndex(options.now);
  return db.transaction(async (tx) => {
    await lock(tx);
    const wanted = new Set<number>();
    for (let i = -monthsBehind; i <= monthsAhead; i++) wanted.add(current + i);
    const stray = await tx.query<{ month: string }>(
      `SELECT DISTINCT to_char(ts AT TIME ZONE 'UTC', 'YYYY-MM') AS month FROM ${DEFAULT_PARTITION}`,
    );
    for (const { month } of stray.rows) wanted.add(monthIndexOf(month));

    const existing = new Set((await listPartitions(tx)).map((p) => p.name));
    const created: string[] = [];
    let movedFromDefault = 0;
    for (const month of [...wanted].sort((a, b) => a - b)) {
      const name = partitionName(month);
      if (existing.has(name)) continue;
      const from = monthStart(month).toISOString();
      const to = monthStart(month + 1).toISOString();
      // Created detached, filled from the default partition, then attached: creating it directly
      // as a partition would fail while the default partition holds rows of its range. ATTACH
      // builds the parent's indexes on it.
      await tx.query(`CREATE TABLE "${name}" (LIKE ${PARENT} INCLUDING DEFAULTS)`);
      const moved = await tx.query(
        `WITH moved AS (DELETE FROM ${DEFAULT_PARTITION} WHERE ts >= $1 AND ts < $2 RETURNING *)
         INSERT INTO "${name}" (patient_id, box_id, metric, ts, value, period_s)
         SELECT patient_id, box_id, metric, ts, value, period_s FROM moved`,
        [from, to],
      );
      movedFromDefault += moved.rowCount;
      await tx.query(`ALTER TABLE ${PARENT} ATTACH PARTITION "${name}" FOR VALUES FROM ('${from}') TO ('${to}')`);
      created.push(name);
    }
    return { created, movedFromDefault };
  });
}

/** Options of {@link dropExpiredPartitions}. */
export interface DropExpiredOptions {
  /** The cloud's clock, epoch ms. */
  readonly now: number;
  /** Months of readings kept (default 12, `VIGIE_RETENTION_MONTHS`); at least 1. */
  readonly retentionMonths?: number;
}

/**
 * Drop the monthly partitions whose every row is older than `retentionMonths` before `now`
 * (their upper bound is at or before that instant), with their rows. Never the current month,
 * a future one or the default partition. Returns the names dropped, oldest first.
 */
export async function dropExpiredPartitions(db: Db, options: DropExpiredOptions): Promise<string[]> {
  const retentionMonths = options.retentionMonths ?? 12;
  if (!Number.isInteger(retentionMonths) || retentionMonths < 1) {
    throw new RangeError(`retentionMonths must be an integer >= 1, got ${retentionMonths}`);
  }
  // Partition bounds are month starts, so "upper bound <= now - N months" is the same test as
  // "upper bound <= start of the current month - N months", without day-of-month overflow.
  const cutoff = monthStart(monthIndex(options.now) - retentionMonths).getTime();
  return db.transaction(async (tx) => {
    await lock(tx);
    const expired = (await listPartitions(tx))
      .filter((p) => p.upper !== null && p.upper.getTime() <= cutoff)
      .sort((a, b) => a.upper!.getTime() - b.upper!.getTime())
      .map((p) => p.name);
    for (const name of expired) await tx.query(`DROP TABLE "${name}"`);
    return expired;
  });
}

/** Options of {@link maintainPartitions}. */
export interface MaintainPartitionsOptions extends EnsurePartitionsOptions, DropExpiredOptions {
  readonly log?: Logger;
}

/**
 * The periodic job (at start, then daily): create the partitions ahead, move strays out of the
 * default partition, drop the expired ones and the refused readings and dead letters as old. Logs what it did; rows found in the default partition
 * are a warning (a box sending readings of a month without a partition, e.g. a clock far off).
 */
export async function maintainPartitions(
  db: Db,
  options: MaintainPartitionsOptions,
): Promise<EnsurePartitionsResult & { dropped: string[]; refusalsDeleted: number }> {
  const log = (options.log ?? silentLogger()).child({ module: 'partitions' });
  const ensured = await ensurePartitions(db, options);
  const dropped = await dropExpiredPartitions(db, options);
  // Refused readings and dead letters hold medical values too: they expire with the partitions.
  const cutoff = monthStart(monthIndex(options.now) - (options.retentionMonths ?? 12)).getTime();
  const refusalsDeleted = (await deleteOlderThan(db, 'rejected_readings', cutoff)) + (await deleteOlderThan(db, 'dead_letters', cutoff));
  if (refusalsDeleted > 0) log.info({ rows: refusalsDeleted }, 'expired refused readings and dead letters deleted');
  if (ensured.movedFromDefault > 0) {
    log.warn({ rows: ensured.movedFromDefault }, 'readings found in measurements_default were moved into monthly partitions');
  }
  if (ensured.created.length > 0 || dropped.length > 0) log.info({ created: ensured.created, dropped }, 'measurement partitions maintained');
  return { ...ensured, dropped, refusalsDeleted };
}

/** The monthly partitions of `measurements` (not the default one, whose `upper` is null). */
async function listPartitions(q: Queryable): Promise<Array<{ name: string; upper: Date | null }>> {
  // The bound is read back through PostgreSQL's own timestamptz parser: pg_get_expr prints it in
  // the session's TimeZone, which JavaScript's Date cannot be trusted to parse.
  const { rows } = await q.query<{ name: string; upper: Date | null }>(
    `SELECT c.relname AS name,
            (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper
       FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
      WHERE i.inhparent = '${PARENT}'::regclass AND c.relname <> '${DEFAULT_PARTITION}'`,
  );
  return rows;
}

async function lock(tx: Queryable): Promise<void> {
  await tx.query('SELECT pg_advisory_xact_lock($1::int8)', [LOCK_KEY]);
}

/** Months since January of year 0, UTC: plain integers make "next month" a `+ 1`. */
function monthIndex(epochMs: number): number {
  const d = new Date(epochMs);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
}

function monthIndexOf(yyyyMm: string): number {
  const [year, month] = yyyyMm.split('-').map(Number) as [number, number];
  return year * 12 + month - 1;
}

function monthStart(index: number): Date {
  return new Date(Date.UTC(Math.floor(index / 12), index % 12, 1));
}

/** `measurements_YYYY_MM`, as migration 0002 names them. */
function partitionName(index: number): string {
  const start = monthStart(index);
  return `${PARENT}_${start.getUTCFullYear()}_${String(start.getUTCMonth() + 1).padStart(2, '0')}`;
}
