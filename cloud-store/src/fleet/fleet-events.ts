import { notifyEvent, type FleetChangedEvent, type FleetEventKind } from '../db/events.ts';
import type { Queryable } from '../db/types.ts';

export { FLEET_EVENT_KINDS, type FleetChangedEvent, type FleetEventKind } from '../db/events.ts';

/** A "no data" event for support and the nurse. Not an alert: the box raises its own alerts. */
export interface FleetEvent {
  readonly id: string;
  readonly kind: FleetEventKind;
  readonly boxId: string;
  readonly patientId: string | null;
  /**
   * Cloud time: the last heartbeat received (box_silent), the last bracelet contact
   * (bracelet_silent), or the first implausible value of the window (implausible_values).
   */
  readonly since: number;
  readonly raisedAt: number;
  readonly resolvedAt: number | null;
}

/** Queue a fleet notification (delivered at commit inside a transaction). */
export async function notifyFleetEvent(q: Queryable, event: FleetChangedEvent): Promise<void> {
  await notifyEvent(q, event);
}

/** Queue the notifications of one detector pass: the resolutions, then the raises. */
export async function notifyFleetChanges(q: Queryable, pass: { raised: readonly FleetEvent[]; resolved: readonly FleetEvent[] }): Promise<void> {
  for (const [events, state] of [[pass.resolved, 'resolved'], [pass.raised, 'open']] as const) {
    for (const e of events) await notifyFleetEvent(q, { type: 'fleet', eventId: e.id, kind: e.kind, boxId: e.boxId, patientId: e.patientId, state });
  }
}

export interface FleetEventRow {
  id: string;
  kind: FleetEventKind;
  box_id: string;
  patient_id: string | null;
  since: Date;
  raised_at: Date;
  resolved_at: Date | null;
}

export const FLEET_EVENT_COLUMNS = 'id, kind, box_id, patient_id, since, raised_at, resolved_at';

export function toFleetEvent(r: FleetEventRow): FleetEvent {
  return {
    id: r.id,
    kind: r.kind,
    boxId: r.box_id,
    patientId: r.patient_id,
    since: r.since.getTime(),
    raisedAt: r.raised_at.getTime(),
    resolvedAt: r.resolved_at?.getTime() ?? null,
  };
}

/**
 * Open fleet events, newest first: every box's (support), or those of `patientIds` (a care team's
 * patients; pass the ids the authorization layer allows), or of one box.
 */
export async function listOpenFleetEvents(
  q: Queryable,
  options: { patientIds?: readonly string[]; boxId?: string; limit?: number } = {},
): Promise<FleetEvent[]> {
  const { rows } = await q.query<FleetEventRow>(
    `SELECT ${FLEET_EVENT_COLUMNS} FROM fleet_events
     WHERE resolved_at IS NULL
       AND ($1::uuid[] IS NULL OR patient_id = ANY($1::uuid[]))
       AND ($2::text IS NULL OR box_id = $2::text)
     ORDER BY raised_at DESC, id LIMIT $3`,
    [options.patientIds ? [...options.patientIds] : null, options.boxId ?? null, options.limit ?? 500],
  );
  return rows.map(toFleetEvent);
}

/** Recent fleet events of one patient, open or resolved, newest first (the patient page's history). */
export async function listPatientFleetEvents(q: Queryable, patientId: string, limit = 50): Promise<FleetEvent[]> {
  const { rows } = await q.query<FleetEventRow>(
    `SELECT ${FLEET_EVENT_COLUMNS} FROM fleet_events WHERE patient_id = $1 ORDER BY raised_at DESC, id LIMIT $2`,
    [patientId, limit],
  );
  return rows.map(toFleetEvent);
}
