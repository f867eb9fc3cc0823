import { deleteOlderThan, type Db } from '@vigie/cloud-store';

/** Default days of raw heartbeats kept (the fleet view reads `box_status`; history is for support). */
export const DEFAULT_HEARTBEAT_RETENTION_DAYS = 30;

/**
 * Delete raw heartbeats older than `retentionDays` (by the box's `at`), in chunks; returns how many
 * went. Run by the cloud's maintenance job (every 6 hours) with the measurement partitions. At
 * 100,000 boxes a heartbeat every 5 minutes is ~29 M rows a day: past that scale the table should
 * be partitioned by day like `measurements` and expire by dropping partitions.
 */
export async function pruneHeartbeats(db: Db, options: { now: number; retentionDays?: number }): Promise<number> {
  const days = options.retentionDays ?? DEFAULT_HEARTBEAT_RETENTION_DAYS;
  return deleteOlderThan(db, 'heartbeats', options.now - days * 86_400_000);
}
