import { Heartbeat } from '@vigie/protocol';
import type { Db } from '../db/types.ts';
import { parseMessage } from './validate.ts';

/** Validate a box's health report and keep it whole (fleet view, silence detection). */
export async function recordHeartbeat(db: Db, raw: unknown, boxId: string): Promise<void> {
  const heartbeat = parseMessage(Heartbeat, raw, boxId);
  await db.query('INSERT INTO heartbeats (box_id, at, payload) VALUES ($1, $2, $3::jsonb)', [
    heartbeat.boxId,
    new Date(heartbeat.at).toISOString(),
    JSON.stringify(heartbeat),
  ]);
}
