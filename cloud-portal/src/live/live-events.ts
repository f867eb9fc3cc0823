import { EVENTS_CHANNEL, parseDbEvent, type Db, type DbEvent, type FleetChangedEvent, type ReadingsEvent, type Unlisten } from '@vigie/cloud-store';
import type { Logger } from '@vigie/common';
import type { AlertEventData, FleetEventData, ReadingEventData } from '../api-types.ts';
import type { PatientAccess } from '../access/patient-access.ts';
import { loadAlert } from '../patients/alert-views.ts';
import { FLEET_ROLES } from '../views/support-views.ts';
import { markAlertsShown } from '../patients/alert-timeline.ts';

/** What a live subscriber receives. */
export type LiveMessage =
  | { event: 'reading'; data: ReadingEventData }
  | { event: 'alert'; data: AlertEventData }
  | { event: 'fleet'; data: FleetEventData };

/** One open stream: the account it belongs to and how to reach it. */
interface Subscriber {
  readonly accountId: string;
  readonly send: (message: LiveMessage) => void;
}

/**
 * Fans database events out to the portal's open streams. One LISTEN per process whatever the
 * number of streams; for each event the rows are read once, and only for the accounts that may
 * see that patient (asked of the authorization layer at each event, so a care link removed
 * takes effect at once). Events are handled one after the other, so a stream sees them in order.
 *
 * Fleet events ("no data", faulty sensor) go to the accounts that see the patient's equipment
 * status (doctor, nurse, the patient: never a relative, who gets critical alerts only) and to the
 * roles that see every box ({@link FLEET_ROLES}), the latter without the patient's id.
 */
export class LiveEvents {
  readonly #db: Db;
  readonly #access: PatientAccess;
  readonly #log: Logger;
  readonly #subscribers = new Set<Subscriber>();
  #unlisten: Unlisten | null = null;
  #queue: Promise<void> = Promise.resolve();

  constructor(deps: { db: Db; access: PatientAccess; log: Logger }) {
    this.#db = deps.db;
    this.#access = deps.access;
    this.#log = deps.log.child({ module: 'live-events' });
  }

  async start(): Promise<void> {
    this.#unlisten = await this.#db.listen(EVENTS_CHANNEL, (payload) => {
      // The store's one parser of the channel's typed union (readings, alerts, fleet events).
      const event = parseDbEvent(payload);
      if (!event) {
        this.#log.warn('ignored an unknown database event');
        return;
      }
      this.#queue = this.#queue.then(() => this.#dispatch(event)).catch((err: unknown) => this.#log.error({ err }, 'live event failed'));
    });
  }

  async stop(): Promise<void> {
    const unlisten = this.#unlisten;
    this.#unlisten = null;
    this.#subscribers.clear();
    if (unlisten) await unlisten();
    await this.#queue;
  }

  /** Deliver the events of `accountId`'s patients to `send` until the returned function is called. */
  subscribe(accountId: string, send: (message: LiveMessage) => void): () => void {
    const subscriber: Subscriber = { accountId, send };
    this.#subscribers.add(subscriber);
    return () => this.#subscribers.delete(subscriber);
  }

  /** Number of open streams (tests, metrics). */
  get size(): number {
    return this.#subscribers.size;
  }

  async #dispatch(event: DbEvent): Promise<void> {
    if (this.#subscribers.size === 0) return;
    if (event.type === 'fleet') return this.#fleet(event);
    // Readings are medical data (not for relatives); alerts go to every relation that sees alerts.
    const allowed = await this.#access.accountsSeeing(event.patientId, event.type === 'readings' ? 'medical' : 'alerts');
    const targets = [...this.#subscribers].filter((s) => allowed.has(s.accountId));
    if (targets.length === 0) return;
    const messages = event.type === 'readings' ? await this.#readings(event) : await this.#alert(event.alertId);
    for (const target of targets) for (const message of messages) target.send(message);
    // The alert's "shown in the portal" stage: the first time a stream carried it to its care team.
    if (event.type === 'alert' && messages.length > 0) await markAlertsShown(this.#db, [event.alertId], Date.now());
  }

  async #readings(event: ReadingsEvent): Promise<LiveMessage[]> {
    // The batch's rows: its patient and box within its time span, newest `count` of them.
    const { rows } = await this.#db.query<{ metric: string; ts: Date; value: number }>(
      `SELECT metric, ts, value FROM (
         SELECT metric, ts, value FROM measurements
          WHERE patient_id = $1 AND box_id = $2 AND ts >= $3 AND ts <= $4
          ORDER BY ts DESC LIMIT $5) AS latest
        ORDER BY ts`,
      [event.patientId, event.boxId, new Date(event.firstTs).toISOString(), new Date(event.lastTs).toISOString(), event.count],
    );
    return rows.map((r) => ({ event: 'reading', data: { patientId: event.patientId, metric: r.metric, ts: r.ts.getTime(), value: r.value } }));
  }

  async #fleet(event: FleetChangedEvent): Promise<void> {
    const subscribers = [...this.#subscribers];
    const care = event.patientId ? await this.#access.accountsSeeing(event.patientId, 'status') : new Set<string>();
    const fleet = await this.#fleetAccounts(subscribers.filter((s) => !care.has(s.accountId)).map((s) => s.accountId));
    const targets = subscribers.filter((s) => care.has(s.accountId) || fleet.has(s.accountId));
    if (targets.length === 0) return;
    const { rows } = await this.#db.query<{ since: Date; raised_at: Date; resolved_at: Date | null }>(
      'SELECT since, raised_at, resolved_at FROM fleet_events WHERE id = $1',
      [event.eventId],
    );
    const row = rows[0];
    if (!row) return;
    const data: FleetEventData = {
      eventId: event.eventId,
      kind: event.kind,
      boxId: event.boxId,
      patientId: event.patientId,
      state: event.state,
      since: row.since.getTime(),
      raisedAt: row.raised_at.getTime(),
      resolvedAt: row.resolved_at?.getTime() ?? null,
    };
    for (const target of targets) {
      target.send({ event: 'fleet', data: care.has(target.accountId) ? data : { ...data, patientId: null } });
    }
  }

  /** Which of `accountIds` see every box: enabled accounts of {@link FLEET_ROLES}. */
  async #fleetAccounts(accountIds: readonly string[]): Promise<Set<string>> {
    if (accountIds.length === 0) return new Set();
    const { rows } = await this.#db.query<{ id: string }>(
      'SELECT id FROM accounts WHERE id = ANY($1::uuid[]) AND role = ANY($2::text[]) AND disabled_at IS NULL',
      [[...new Set(accountIds)], FLEET_ROLES],
    );
    return new Set(rows.map((r) => r.id));
  }

  async #alert(alertId: string): Promise<LiveMessage[]> {
    const found = await loadAlert(this.#db, alertId);
    if (!found?.patientId) return [];
    return [{ event: 'alert', data: { patientId: found.patientId, alert: found.alert } }];
  }
}
