import { Heartbeat } from '@vigie/protocol';
import { updateBoxStatus, type Db } from '@vigie/cloud-store';
import { cloudErrors } from '../errors.ts';
import { timestampProblem } from './plausibility.ts';
import { parseMessage } from './validate.ts';

/**
 * Validate a box's health report, keep it whole (raw history, pruned after 30 days by the
 * maintenance job) and update the box's row of `box_status` (the fleet view, silence detection),
 * in one transaction. `now`: the cloud's reception time, epoch ms.
 *
 * Once per box and `at`: a heartbeat seen again (Kafka redelivers after a restart, the box resends
 * after a lost answer) changes nothing. Above all it does not refresh `box_status.received_at`,
 * which would make a box that fell silent look alive to the silence detector.
 */
export async function recordHeartbeat(db: Db, raw: unknown, boxId: string, now: number = Date.now()): Promise<void> {
  const heartbeat = parseMessage(Heartbeat, raw, boxId);
  // A heartbeat dated ahead would freeze the box's row of box_status (a later heartbeat never moves
  // it back: every real one would then look late, received_at would stop moving, and the silence
  // detector would call a live box silent). One dated in the past (a clock that lost its time) is
  // kept as before: it is merely late.
  const reason = timestampProblem(heartbeat.at, now);
  if (reason === 'ts_in_future') {
    throw cloudErrors.create('INGEST_TIMESTAMP_IMPLAUSIBLE', { message: `/at: ${reason}`, details: { field: '/at', reason } });
  }
  await db.transaction(async (tx) => {
    const { rowCount } = await tx.query(
      'INSERT INTO heartbeats (box_id, at, received_at, payload) VALUES ($1, $2, $3, $4::jsonb) ON CONFLICT (box_id, at) DO NOTHING',
      [heartbeat.boxId, new Date(heartbeat.at).toISOString(), new Date(now).toISOString(), JSON.stringify(heartbeat)],
    );
    if (rowCount === 1) await updateBoxStatus(tx, heartbeat, now);
  });
}
