import type { Db } from '../db/types.ts';

/** Default days of raw heartbeats kept (the fleet view reads `box_status`; history is for support). */
export const DEFAULT_HEARTBEAT_RETENTION_DAYS = 30;

/** Rows deleted per statement, so one run never holds a long lock nor a huge transaction. */
const DELETE_CHUNK = 10_000;

/**
 * Delete raw heartbeats older than `retentionDays` (by the box's `at`), in chunks; returns how many
 * went. Run by the cloud's maintenance job (every 6 hours) with the measurement partitions. At
 * 100,000 boxes a heartbeat every 5 minutes is ~29 M rows a day: past that scale the table should
 * be partitioned by day like `measurements` and expire by dropping partitions.
 */
export async function pruneHeartbeats(db: Db, options: { now: number; retentionDays?: number }): Promise<number> {
  const days = options.retentionDays ?? DEFAULT_HEARTBEAT_RETENTION_DAYS;
  const cutoff = new Date(options.now - days * 86_400_000).toISOString();
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(
      `DELETE FROM heartbeats WHERE ctid IN (SELECT ctid FROM heartbeats WHERE at < $1 LIMIT ${DELETE_CHUNK})`,
      [cutoff],
    );
    total += rowCount;
    if (rowCount < DELETE_CHUNK) return total;
  }
}
