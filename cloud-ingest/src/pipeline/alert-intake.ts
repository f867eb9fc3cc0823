import { AlertEvent } from '@vigie/protocol';
import { silentLogger, type Logger } from '@vigie/common';
import { notifyEvent, type Db } from '@vigie/cloud-store';
import { cloudErrors } from '../errors.ts';
import { parseMessage } from './validate.ts';
import { cachedBoxProvisionedAt, timestampProblem } from './plausibility.ts';

/** Answer to an alert delivery: the revision the cloud now holds (≥ the one sent). */
export interface AlertReceipt {
  readonly ok: true;
  readonly alertId: string;
  readonly revision: number;
}

/**
 * Mirror an alert's state from its box: validate, then upsert keeping the highest revision
 * (`(alertId, revision)` is the idempotency key; a late, older revision changes nothing), and
 * notify listeners when something changed. The patient is the one the box served when the alert
 * was raised; an alert from an unassigned box is still kept (patient NULL) for support to see.
 */
export async function recordAlert(db: Db, raw: unknown, boxId: string, log: Logger = silentLogger(), now: number = Date.now()): Promise<AlertReceipt> {
  const alert = parseMessage(AlertEvent, raw, boxId);
  // A box clock far ahead, or back before the box existed, would file the alert where nobody looks.
  const box = { provisionedAt: await cachedBoxProvisionedAt(db, boxId, now) };
  for (const field of ['raisedAt', 'updatedAt'] as const) {
    const reason = timestampProblem(alert[field], now, box);
    if (reason) {
      log.warn({ boxId, alertId: alert.alertId, field, reason }, 'alert refused: implausible timestamp');
      throw cloudErrors.create('INGEST_TIMESTAMP_IMPLAUSIBLE', { message: `/${field}: ${reason}`, details: { field: `/${field}`, reason } });
    }
  }
  return db.transaction(async (tx) => {
    const { rows } = await tx.query<{ patient_id: string | null }>(
      `INSERT INTO alerts (alert_id, box_id, patient_id, number, kind, severity, state, revision,
                           raised_at, updated_at, notifications, acknowledgement,
                           box_timeline, clock_offset_ms, first_received_at, received_at)
       VALUES ($1, $2::text,
               (SELECT patient_id FROM box_assignments
                 WHERE box_id = $2::text AND valid_from <= $8::timestamptz AND (valid_to IS NULL OR $8::timestamptz < valid_to)
                 ORDER BY valid_from DESC LIMIT 1),
               $3, $4, $5, $6, $7, $8::timestamptz, $9, $10::jsonb, $11::jsonb, $12::jsonb, $13, $14::timestamptz, $14::timestamptz)
       ON CONFLICT (alert_id) DO UPDATE SET
         number = EXCLUDED.number, kind = EXCLUDED.kind, severity = EXCLUDED.severity, state = EXCLUDED.state,
         revision = EXCLUDED.revision, updated_at = EXCLUDED.updated_at, received_at = EXCLUDED.received_at,
         notifications = EXCLUDED.notifications, acknowledgement = EXCLUDED.acknowledgement,
         box_timeline = coalesce(EXCLUDED.box_timeline, alerts.box_timeline),
         clock_offset_ms = CASE WHEN alerts.clock_offset_ms IS NULL THEN EXCLUDED.clock_offset_ms
                                WHEN EXCLUDED.clock_offset_ms IS NULL THEN alerts.clock_offset_ms
                                ELSE least(alerts.clock_offset_ms, EXCLUDED.clock_offset_ms) END
       WHERE alerts.box_id = EXCLUDED.box_id AND alerts.revision < EXCLUDED.revision
       RETURNING patient_id`,
      [
        alert.alertId,
        alert.boxId,
        alert.number,
        alert.kind,
        alert.severity,
        alert.state,
        alert.revision,
        new Date(alert.raisedAt).toISOString(),
        new Date(alert.updatedAt).toISOString(),
        JSON.stringify(alert.notifications),
        alert.acknowledgement === undefined ? null : JSON.stringify(alert.acknowledgement),
        alert.timeline === undefined ? null : JSON.stringify(alert.timeline),
        clockOffsetMs(alert.timeline?.sentAt, now),
        new Date(now).toISOString(),
      ],
    );
    const written = rows[0];
    if (written) {
      if (written.patient_id) await notifyEvent(tx, { type: 'alert', patientId: written.patient_id, alertId: alert.alertId });
      else log.warn({ boxId, alertId: alert.alertId, kind: alert.kind }, 'alert from a box with no patient assigned');
      return { ok: true, alertId: alert.alertId, revision: alert.revision };
    }
    // Nothing written: an older or equal revision (answer with the one held), or another box's id.
    const held = await tx.query<{ revision: number; box_id: string }>('SELECT revision, box_id FROM alerts WHERE alert_id = $1', [alert.alertId]);
    const current = held.rows[0];
    if (!current || current.box_id !== alert.boxId) {
      throw cloudErrors.create('INGEST_ALERT_CONFLICT', { details: { field: '/alertId' } });
    }
    return { ok: true, alertId: alert.alertId, revision: current.revision };
  });
}

/**
 * The box clock's offset to the cloud's, from one delivery: cloud reception − box send time. It
 * includes the transit (an upper bound of the true offset); the smallest over an alert's
 * revisions is kept. Null without a send time, or beyond ±1 day (the timestamp checks refuse worse).
 */
export function clockOffsetMs(sentAt: number | undefined, receivedAt: number): number | null {
  if (sentAt === undefined) return null;
  const offset = receivedAt - sentAt;
  return Math.abs(offset) <= 86_400_000 ? offset : null;
}
