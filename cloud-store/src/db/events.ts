import type { Queryable } from './types.ts';

/** The channel on which the ingest announces new data to portals (any process, after commit). */
export const EVENTS_CHANNEL = 'vigie_events';

/** New readings of one patient were committed (`firstTs`..`lastTs`, epoch ms, inclusive). */
export interface ReadingsEvent {
  readonly type: 'readings';
  readonly patientId: string;
  readonly boxId: string;
  readonly count: number;
  readonly firstTs: number;
  readonly lastTs: number;
}

/** An alert of one patient was created or changed. */
export interface AlertChangedEvent {
  readonly type: 'alert';
  readonly patientId: string;
  readonly alertId: string;
}

/**
 * What went wrong with a box: the box itself went silent (no heartbeat), its bracelet did (no
 * contact reported), or the bracelet sends an abnormal share of implausible values (a faulty
 * sensor: the device needs maintenance).
 */
export type FleetEventKind = 'box_silent' | 'bracelet_silent' | 'implausible_values';

export const FLEET_EVENT_KINDS: readonly FleetEventKind[] = ['box_silent', 'bracelet_silent', 'implausible_values'];

/**
 * A fleet event (`fleet_events`) was raised or resolved. Support sees every box; a care team sees
 * the events of its patients.
 */
export interface FleetChangedEvent {
  readonly type: 'fleet';
  readonly eventId: string;
  readonly kind: FleetEventKind;
  readonly boxId: string;
  readonly patientId: string | null;
  readonly state: 'open' | 'resolved';
}

/**
 * What travels on {@link EVENTS_CHANNEL}: the one typed union of every writer's notifications
 * (readings, alert changes, fleet events), parsed by {@link parseDbEvent} alone. Payloads stay small
 * (PostgreSQL caps one at 8,000 bytes) and carry no medical values: listeners read the rows
 * themselves, with their own access rules.
 */
export type DbEvent = ReadingsEvent | AlertChangedEvent | FleetChangedEvent;

/**
 * Queue `event` on {@link EVENTS_CHANNEL}. Inside a transaction PostgreSQL delivers it only at
 * commit, and never on rollback, so listeners never see data that was not written.
 */
export async function notifyEvent(q: Queryable, event: DbEvent): Promise<void> {
  await q.query('SELECT pg_notify($1, $2)', [EVENTS_CHANNEL, JSON.stringify(event)]);
}

/** Parse a payload from {@link EVENTS_CHANNEL}; null when it is not an event this version knows. */
export function parseDbEvent(payload: string): DbEvent | null {
  let value: unknown;
  try {
    value = JSON.parse(payload);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const v = value as Record<string, unknown>;
  if (v.type === 'fleet') return parseFleet(v);
  if (typeof v.patientId !== 'string') return null;
  if (v.type === 'readings' && typeof v.boxId === 'string' && typeof v.count === 'number' && typeof v.firstTs === 'number' && typeof v.lastTs === 'number') {
    return v as unknown as ReadingsEvent;
  }
  if (v.type === 'alert' && typeof v.alertId === 'string') return v as unknown as AlertChangedEvent;
  return null;
}

function parseFleet(e: Record<string, unknown>): FleetChangedEvent | null {
  if (typeof e.eventId !== 'string' || typeof e.boxId !== 'string') return null;
  if (!FLEET_EVENT_KINDS.includes(e.kind as FleetEventKind)) return null;
  if (e.state !== 'open' && e.state !== 'resolved') return null;
  if (e.patientId !== null && typeof e.patientId !== 'string') return null;
  return e as unknown as FleetChangedEvent;
}
