import type { Db } from './types.ts';

/** Rows deleted per statement, so one run never holds a long lock nor a huge transaction. */
const DELETE_CHUNK = 10_000;

/** Tables whose rows expire by age outside `measurements`' partitions, and the column dating them. */
const EXPIRING = {
  heartbeats: 'at',
  rejected_readings: 'received_at',
  dead_letters: 'received_at',
} as const;

/**
 * Delete the rows of `table` whose dating column is before `cutoff` (epoch ms), in chunks of
 * 10,000 (each its own statement); returns how many went.
 */
export async function deleteOlderThan(db: Db, table: keyof typeof EXPIRING, cutoff: number): Promise<number> {
  const column = EXPIRING[table];
  const at = new Date(cutoff).toISOString();
  let total = 0;
  for (;;) {
    const { rowCount } = await db.query(`DELETE FROM ${table} WHERE ctid IN (SELECT ctid FROM ${table} WHERE ${column} < $1 LIMIT ${DELETE_CHUNK})`, [at]);
    total += rowCount;
    if (rowCount < DELETE_CHUNK) return total;
  }
}
