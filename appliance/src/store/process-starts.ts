import type { BoxProcessName } from '@vigie/protocol';
import type { BoxDatabase } from './database.ts';

/**
 * Count one start of `process` (`vigie_box_process_starts_total`; its increase is the restarts).
 * Called once a process is up, never on the alert path; a failure is the caller's to log.
 */
export function recordProcessStart(db: BoxDatabase, process: BoxProcessName, now: number): void {
  db.prepare(
    `INSERT INTO process_starts (process, starts, last_start_at) VALUES (?, 1, ?)
     ON CONFLICT (process) DO UPDATE SET starts = starts + 1, last_start_at = excluded.last_start_at`,
  ).run(process, now);
}
