import type { ScreenNotice } from '@vigie/protocol';
import type { Queryable } from '../db/types.ts';

/** A reminder older than this no longer shows on the box (the answer window is 7 days). */
const NOTICE_DAYS = 7;

/**
 * The screen notice of a box (issue 12): « Questionnaire du jour » while the latest questionnaire
 * reminder sent to the box of its current patient (`questionnaire_reminders`, channel `box`, state
 * `sent`) waits for an answer; the portal sets the row `cleared` in the transaction that stores the
 * answer. Served with every command poll (`GET /ingest/v1/commands`): the box shows what the cloud
 * says now, so a lost poll or a restart never leaves a stale notice.
 */
export async function currentScreenNotice(q: Queryable, boxId: string, now: number): Promise<ScreenNotice | null> {
  const { rows } = await q.query<{ slot: string }>(
    `SELECT r.slot_date::text AS slot FROM box_assignments a
       JOIN questionnaire_reminders r ON r.patient_id = a.patient_id AND r.channel = 'box' AND r.state = 'sent'
      WHERE a.box_id = $1 AND a.valid_to IS NULL AND r.slot_date >= ($2::timestamptz AT TIME ZONE 'Europe/Paris')::date - $3::int
      ORDER BY r.slot_date DESC LIMIT 1`,
    [boxId, new Date(now).toISOString(), NOTICE_DAYS],
  );
  return rows[0] ? { kind: 'questionnaire', slotId: rows[0].slot } : null;
}
