import { randomUUID } from 'node:crypto';
import type { AlertEvent, AlertKind, AlertNotification, AlertSeverity, AlertState } from '@vigie/protocol';
import { SCHEMA_VERSION } from '@vigie/protocol';
import type { BoxDatabase } from '../store/database.ts';

/** A contact to notify: name for reports, phone for the modem (never logged). */
export interface AlertRecipient {
  readonly name: string;
  readonly phone: string;
}

/** An SMS due for sending. */
/** Why an SMS is sent: the alert itself, or news about it once someone acknowledged. */
export type SmsPurpose = 'alert' | 'ack_confirm' | 'ack_notice' | 'help';

export interface DueSms {
  readonly id: number;
  readonly alertId: string;
  readonly purpose: SmsPurpose;
  readonly contactName: string;
  readonly phone: string;
  readonly body: string;
  readonly attempts: number;
  /** Modem storage indexes of the parts, once written to the modem's memory. */
  readonly storedIndexes: readonly number[] | null;
  /** Message reference of each part once sent; null for a part not (known to be) sent. */
  readonly partRefs: readonly (number | null)[] | null;
}

interface AlertRow {
  alert_id: string;
  number: number;
  kind: AlertKind;
  severity: AlertSeverity;
  state: AlertState;
  revision: number;
  uploaded_revision: number;
  raised_at: number;
  updated_at: number;
  ack_by: string | null;
  ack_via: 'sms' | 'portal' | 'box' | null;
  ack_at: number | null;
  cancel_until: number | null;
  detected_at: number | null;
  received_at: number | null;
}

/** When the event behind an alert was stamped by the bracelet's link and received by the safety core (box clock, ms). */
export interface AlertOrigin {
  readonly detectedAt?: number;
  readonly receivedAt?: number;
}

/** How long a repeated bracelet event (same bracelet, kind and event number) counts as the same alert. */
export const DUPLICATE_EVENT_WINDOW_MS = 10 * 60_000;

/**
 * Alerts and their SMS outbox, durable before anything is sent. Rows carry explicit states; a
 * recovery sweep at start puts SMS that were being sent when the process died back in line.
 */
export class AlertStore {
  readonly #db: BoxDatabase;
  readonly #byId;
  readonly #recentBySource;
  readonly #count;
  readonly #insertAlert;
  readonly #insertSms;
  readonly #setState;
  readonly #due;
  readonly #sending;
  readonly #sent;
  readonly #failed;
  readonly #unsentCount;
  readonly #smsOf;
  readonly #uploads;
  readonly #uploaded;
  readonly #recover;
  readonly #stored;
  readonly #partRefs;
  readonly #firstStored;

  constructor(db: BoxDatabase) {
    this.#db = db;
    this.#byId = db.prepare<[string], AlertRow>('SELECT * FROM alerts WHERE alert_id = ?');
    this.#recentBySource = db.prepare<[string, number], AlertRow>(
      'SELECT * FROM alerts WHERE source_key = ? AND raised_at >= ? ORDER BY raised_at DESC LIMIT 1',
    );
    this.#count = db.prepare<[], { n: number }>('SELECT count(*) AS n FROM alerts');
    this.#insertAlert = db.prepare(
      `INSERT INTO alerts (alert_id, number, kind, severity, state, revision, source_key, raised_at, updated_at, next_escalation_at, cancel_until,
                           detected_at, received_at)
       VALUES (?, ?, ?, ?, 'raised', 0, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#insertSms = db.prepare(
      `INSERT INTO sms_outbox (alert_id, round, purpose, contact_name, phone, body, state, next_attempt_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    this.#setState = db.prepare(
      'UPDATE alerts SET state = ?, revision = revision + 1, updated_at = ? WHERE alert_id = ? AND state <> ?',
    );
    this.#due = db.prepare<
      [number, number],
      { id: number; alert_id: string; purpose: SmsPurpose; contact_name: string; phone: string; body: string; attempts: number; stored_indexes_json: string | null; part_refs_json: string | null }
    >(
      // A help reply to a contact (the reply grammar) goes after every other SMS due: it never delays an alert.
      `SELECT id, alert_id, purpose, contact_name, phone, body, attempts, stored_indexes_json, part_refs_json FROM sms_outbox
       WHERE state IN ('pending', 'failed') AND next_attempt_at <= ? ORDER BY purpose = 'help', id LIMIT ?`,
    );
    this.#sending = db.prepare("UPDATE sms_outbox SET state = 'sending', attempts = attempts + 1, updated_at = ? WHERE id = ?");
    this.#sent = db.prepare("UPDATE sms_outbox SET state = 'sent', references_json = ?, last_error = NULL, updated_at = ? WHERE id = ?");
    this.#failed = db.prepare("UPDATE sms_outbox SET state = 'failed', last_error = ?, next_attempt_at = ?, updated_at = ? WHERE id = ?");
    this.#unsentCount = db.prepare<[string], { n: number }>(
      "SELECT count(*) AS n FROM sms_outbox WHERE alert_id = ? AND purpose = 'alert' AND state NOT IN ('sent', 'cancelled')",
    );
    this.#smsOf = db.prepare<[string], { contact_name: string; state: string; updated_at: number }>(
      "SELECT contact_name, state, updated_at FROM sms_outbox WHERE alert_id = ? AND purpose = 'alert' AND state <> 'cancelled' ORDER BY id",
    );
    this.#uploads = db.prepare<[number], AlertRow>(
      'SELECT * FROM alerts WHERE uploaded_revision < revision ORDER BY raised_at LIMIT ?',
    );
    this.#uploaded = db.prepare('UPDATE alerts SET uploaded_revision = max(uploaded_revision, ?) WHERE alert_id = ?');
    this.#recover = db.prepare("UPDATE sms_outbox SET state = 'pending', updated_at = ? WHERE state = 'sending'");
    // stored_at: the first time only (a re-store after a modem reset keeps the first).
    this.#stored = db.prepare(
      'UPDATE sms_outbox SET stored_indexes_json = ?, part_refs_json = ?, updated_at = ?, stored_at = CASE WHEN ? IS NULL THEN stored_at ELSE coalesce(stored_at, ?) END WHERE id = ?',
    );
    this.#firstStored = db.prepare<[string], { at: number | null }>(
      "SELECT min(stored_at) AS at FROM sms_outbox WHERE alert_id = ? AND purpose = 'alert'",
    );
    this.#partRefs = db.prepare('UPDATE sms_outbox SET part_refs_json = ?, updated_at = ? WHERE id = ?');
  }

  /**
   * Raise an alert and queue one SMS per recipient, in one transaction. A repeat of the same source
   * within {@link DUPLICATE_EVENT_WINDOW_MS} returns the existing alert and queues nothing.
   */
  raise(input: {
    kind: AlertKind;
    severity: AlertSeverity;
    sourceKey: string;
    now: number;
    recipients: readonly AlertRecipient[];
    text: (alert: { number: number; raisedAt: number }) => string;
    /** When to escalate if nobody acknowledges (null: never). */
    escalateAt?: number | null;
    /** Hold the SMS until then: the patient may cancel (a fall) with the box's button. */
    holdUntil?: number | null;
    /** The event's earlier stages, for the alert's latency timeline. */
    origin?: AlertOrigin;
  }): { alertId: string; number: number; created: boolean } {
    // IMMEDIATE, like every write of the safety path: a deferred transaction that reads then writes
    // fails at once with SQLITE_BUSY when the telemetry process holds the write lock (SQLite does not
    // wait on that upgrade); IMMEDIATE waits for the lock (busy_timeout) instead.
    return this.#db.transaction(() => {
      const existing = this.#recentBySource.get(input.sourceKey, input.now - DUPLICATE_EVENT_WINDOW_MS);
      if (existing) return { alertId: existing.alert_id, number: existing.number, created: false };
      const alertId = randomUUID();
      // Short numbers recipients quote in their reply; 1..999 then wraps (an old alert with the same
      // number is long closed by then).
      const number = (this.#count.get()!.n % 999) + 1;
      const hold = input.holdUntil ?? null;
      const origin = input.origin ?? {};
      this.#insertAlert.run(
        alertId, number, input.kind, input.severity, input.sourceKey, input.now, input.now, input.escalateAt ?? null, hold,
        origin.detectedAt ?? null, origin.receivedAt ?? null,
      );
      const body = input.text({ number, raisedAt: input.now });
      for (const r of input.recipients) this.#insertSms.run(alertId, 0, 'alert', r.name, r.phone, body, hold ?? input.now, input.now);
      return { alertId, number, created: true };
    }).immediate();
  }

  /** SMS whose time has come, oldest first. */
  dueSms(now: number, limit = 20): DueSms[] {
    return this.#due.all(now, limit).map((r) => ({
      id: r.id,
      alertId: r.alert_id,
      purpose: r.purpose,
      contactName: r.contact_name,
      phone: r.phone,
      body: r.body,
      attempts: r.attempts,
      storedIndexes: r.stored_indexes_json === null ? null : (JSON.parse(r.stored_indexes_json) as number[]),
      partRefs: r.part_refs_json === null ? null : (JSON.parse(r.part_refs_json) as (number | null)[]),
    }));
  }

  /** Record that an SMS is being handed to the modem (and the alert is now notifying). */
  markSending(sms: DueSms, now: number): void {
    this.#db.transaction(() => {
      this.#sending.run(now, sms.id);
      const alert = this.#byId.get(sms.alertId);
      if (sms.purpose === 'alert' && alert?.state === 'raised') this.#setState.run('notifying', now, sms.alertId, 'notifying');
    }).immediate();
  }

  /** The modem accepted the SMS: store its references with the state, then maybe mark the alert notified. */
  markSent(sms: DueSms, references: readonly number[], now: number): void {
    this.#db.transaction(() => {
      this.#sent.run(JSON.stringify(references), now, sms.id);
      const alert = this.#byId.get(sms.alertId);
      if (sms.purpose === 'alert' && alert && (alert.state === 'raised' || alert.state === 'notifying') && this.#unsentCount.get(sms.alertId)!.n === 0) {
        this.#setState.run('notified', now, sms.alertId, 'notified');
      }
    }).immediate();
  }

  /** The SMS is in the modem's memory at these indexes (nothing sent yet), or no longer (null). */
  markStored(sms: DueSms, indexes: readonly number[] | null, now: number): void {
    const stored = indexes === null ? null : JSON.stringify(indexes);
    this.#stored.run(stored, indexes === null ? null : JSON.stringify(indexes.map(() => null)), now, stored, now, sms.id);
  }

  /** Progress of a stored SMS: the reference of each part sent so far. */
  markPartsSent(sms: DueSms, refs: readonly (number | null)[], now: number): void {
    this.#partRefs.run(JSON.stringify(refs), now, sms.id);
  }

  /** The send failed; try again at `retryAt`. `reason` is an error code, never the number or text. */
  markFailed(sms: DueSms, reason: string, retryAt: number, now: number): void {
    this.#failed.run(reason, retryAt, now, sms.id);
  }

  /**
   * At start: SMS left in `sending` by a crash go back to `pending`, keeping their progress (stored
   * indexes, part references): the dispatcher then asks the modem which stored parts went out.
   */
  recover(now: number): number {
    return this.#recover.run(now).changes;
  }

  /** The alert as the cloud should see it now. */
  event(alertId: string, boxId: string): AlertEvent | null {
    const a = this.#byId.get(alertId);
    return a ? this.#toEvent(a, boxId) : null;
  }

  /** Alert revisions the cloud has not confirmed yet, oldest first. */
  pendingUploads(boxId: string, limit = 50, sentAt?: number): AlertEvent[] {
    return this.#uploads.all(limit).map((a) => this.#toEvent(a, boxId, sentAt));
  }

  markUploaded(alertId: string, revision: number): void {
    this.#uploaded.run(revision, alertId);
  }

  #toEvent(a: AlertRow, boxId: string, sentAt?: number): AlertEvent {
    const smsStoredAt = this.#firstStored.get(a.alert_id)?.at ?? null;
    const timeline = {
      ...(a.detected_at !== null ? { detectedAt: a.detected_at } : {}),
      ...(a.received_at !== null ? { receivedAt: a.received_at } : {}),
      ...(smsStoredAt !== null ? { smsStoredAt } : {}),
      ...(sentAt !== undefined ? { sentAt } : {}),
    };
    const notifications: AlertNotification[] = this.#smsOf.all(a.alert_id).map((s) => ({
      contact: s.contact_name,
      channel: 'sms',
      status: s.state === 'sent' ? 'sent' : s.state === 'failed' ? 'failed' : 'queued',
      at: s.updated_at,
    }));
    return {
      v: SCHEMA_VERSION,
      boxId,
      alertId: a.alert_id,
      number: a.number,
      revision: a.revision,
      kind: a.kind,
      severity: a.severity,
      state: a.state,
      raisedAt: a.raised_at,
      updatedAt: a.updated_at,
      notifications,
      ...(a.ack_by && a.ack_via && a.ack_at !== null ? { acknowledgement: { by: a.ack_by, via: a.ack_via, at: a.ack_at } } : {}),
      ...(a.cancel_until !== null ? { cancelUntil: a.cancel_until } : {}),
      ...(Object.keys(timeline).length > 0 ? { timeline } : {}),
    };
  }
}
