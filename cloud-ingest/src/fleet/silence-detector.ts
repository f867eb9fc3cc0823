import { FLEET_EVENT_COLUMNS, notifyFleetChanges, toFleetEvent, type Db, type FleetEvent, type FleetEventRow, type Queryable } from '@vigie/cloud-store';

/** Thresholds of the silence detector, in minutes. */
export interface SilenceThresholds {
  /** A box serving a patient with no heartbeat received for this long is silent (default 15). */
  readonly boxSilentMinutes: number;
  /** A heard box whose bracelet made no contact for this long has a silent bracelet (default 30). */
  readonly braceletSilentMinutes: number;
}

export const DEFAULT_SILENCE_THRESHOLDS: SilenceThresholds = { boxSilentMinutes: 15, braceletSilentMinutes: 30 };

/**
 * One pass of the silence detector at `now`: resolve the events whose data came back, then raise
 * the new ones. Raised once: at most one open event per box and kind (a partial unique index), so
 * passes every minute, and several ingest instances running them together, raise nothing twice.
 *
 * - `box_silent`: a box serving a patient (current assignment, not revoked) with no heartbeat
 *   received (cloud time) for `boxSilentMinutes`, or none at all since its assignment.
 *   Resolved by a heartbeat received within the threshold, or when the box stops serving.
 * - `bracelet_silent`: a box heard within `boxSilentMinutes` whose last bracelet contact is older
 *   than `braceletSilentMinutes`. The contact time is the box's, carried to cloud time by the
 *   heartbeat's own delay (received − sent), so a box clock off by hours changes nothing.
 *   Resolved when the contact is recent again. While the box itself is silent it stays as it was.
 *
 * Raise and resolve use the same condition, so an event cannot flap between passes.
 */
export async function detectSilence(
  db: Db,
  options: { now: number; thresholds?: Partial<SilenceThresholds> },
): Promise<{ raised: FleetEvent[]; resolved: FleetEvent[] }> {
  const t = { ...DEFAULT_SILENCE_THRESHOLDS, ...options.thresholds };
  const now = new Date(options.now).toISOString();
  const boxCutoff = new Date(options.now - t.boxSilentMinutes * 60_000).toISOString();
  const braceletCutoff = new Date(options.now - t.braceletSilentMinutes * 60_000).toISOString();
  return db.transaction(async (tx) => {
    const resolved = await resolve(tx, now, boxCutoff, braceletCutoff);
    const raised = await raise(tx, now, boxCutoff, braceletCutoff);
    await notifyFleetChanges(tx, { raised, resolved });
    return { raised, resolved };
  });
}

/** Cloud-time estimate of the last bracelet contact: the box's own gap before the heartbeat. */
const BRACELET_CONTACT = `(s.received_at - (s.last_heartbeat_at - coalesce(s.last_bracelet_contact_at, s.first_heartbeat_at)))`;

async function resolve(tx: Queryable, now: string, boxCutoff: string, braceletCutoff: string): Promise<FleetEvent[]> {
  const { rows } = await tx.query<FleetEventRow>(
    `UPDATE fleet_events e SET resolved_at = $1
     WHERE e.resolved_at IS NULL AND (
       (e.kind = 'box_silent' AND (
          EXISTS (SELECT 1 FROM box_status s WHERE s.box_id = e.box_id AND s.received_at >= $2)
          OR NOT EXISTS (SELECT 1 FROM boxes b JOIN box_assignments a ON a.box_id = b.id AND a.valid_to IS NULL
                         WHERE b.id = e.box_id AND b.revoked_at IS NULL)))
       OR (e.kind = 'bracelet_silent' AND EXISTS (
          SELECT 1 FROM box_status s WHERE s.box_id = e.box_id AND s.received_at >= $2 AND ${BRACELET_CONTACT} >= $3)))
     RETURNING ${FLEET_EVENT_COLUMNS.split(', ').map((c) => `e.${c}`).join(', ')}`,
    [now, boxCutoff, braceletCutoff],
  );
  return rows.map(toFleetEvent);
}

async function raise(tx: Queryable, now: string, boxCutoff: string, braceletCutoff: string): Promise<FleetEvent[]> {
  const boxes = await tx.query<FleetEventRow>(
    `INSERT INTO fleet_events (kind, box_id, patient_id, since, raised_at)
     SELECT 'box_silent', b.id, a.patient_id, coalesce(s.received_at, a.valid_from), $1
     FROM boxes b
     JOIN box_assignments a ON a.box_id = b.id AND a.valid_to IS NULL
     LEFT JOIN box_status s ON s.box_id = b.id
     WHERE b.revoked_at IS NULL AND coalesce(s.received_at, a.valid_from) < $2
     ON CONFLICT (box_id, kind) WHERE resolved_at IS NULL DO NOTHING
     RETURNING ${FLEET_EVENT_COLUMNS}`,
    [now, boxCutoff],
  );
  const bracelets = await tx.query<FleetEventRow>(
    `INSERT INTO fleet_events (kind, box_id, patient_id, since, raised_at)
     SELECT 'bracelet_silent', b.id, a.patient_id, ${BRACELET_CONTACT}, $1
     FROM boxes b
     JOIN box_assignments a ON a.box_id = b.id AND a.valid_to IS NULL
     JOIN box_status s ON s.box_id = b.id
     WHERE b.revoked_at IS NULL AND s.received_at >= $2 AND ${BRACELET_CONTACT} < $3
     ON CONFLICT (box_id, kind) WHERE resolved_at IS NULL DO NOTHING
     RETURNING ${FLEET_EVENT_COLUMNS}`,
    [now, boxCutoff, braceletCutoff],
  );
  return [...boxes.rows, ...bracelets.rows].map(toFleetEvent);
}
