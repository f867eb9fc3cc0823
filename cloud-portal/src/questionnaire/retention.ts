/**
 * Bounded retention of the questionnaire (GDPR): responses (and their answers) older than the
 * measurements' retention (`VIGIE_RETENTION_MONTHS`) and reminder records older than 30 days are
 * deleted, in chunks. Plans stay while they are the patient's (the erasure purges them with the
 * patient). Idempotent: every instance may run it.
 */
import type { Db } from '@vigie/cloud-store';

const CHUNK = 5_000;
/** Reminder records only stop a second reminder: a month is plenty. */
export const REMINDER_RETENTION_DAYS = 30;

export async function pruneQuestionnaire(db: Db, options: { now: number; retentionMonths: number }): Promise<{ responses: number; reminders: number }> {
  const cutoff = new Date(options.now);
  cutoff.setUTCMonth(cutoff.getUTCMonth() - options.retentionMonths);
  const day = cutoff.toISOString().slice(0, 10);
  const reminderCutoff = new Date(options.now - REMINDER_RETENTION_DAYS * 86_400_000).toISOString().slice(0, 10);
  let responses = 0;
  let reminders = 0;
  for (;;) {
    // Answers go with their response (ON DELETE CASCADE).
    const n = (await db.query(`DELETE FROM questionnaire_responses WHERE id = ANY(ARRAY(SELECT id FROM questionnaire_responses WHERE slot_date < $1 LIMIT ${CHUNK}))`, [day])).rowCount;
    responses += n;
    if (n < CHUNK) break;
  }
  for (;;) {
    const n = (
      await db.query(`DELETE FROM questionnaire_reminders WHERE ctid = ANY(ARRAY(SELECT ctid FROM questionnaire_reminders WHERE slot_date < $1 LIMIT ${CHUNK}))`, [reminderCutoff])
    ).rowCount;
    reminders += n;
    if (n < CHUNK) break;
  }
  return { responses, reminders };
}
