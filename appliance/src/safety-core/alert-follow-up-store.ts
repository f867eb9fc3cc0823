import { CONTACTED_ALERT_STATES, isOpenAlertState, OPEN_ALERT_STATES, sqlStateList, type AlertKind } from '@vigie/protocol';
import type { BoxDatabase } from '../store/database.ts';
import type { AlertRecipient, SmsPurpose } from './alert-store.ts';

/** Alert states in which someone still has to act, and those after the first SMS (protocol). */
const OPEN = sqlStateList(OPEN_ALERT_STATES);
const CONTACTED = sqlStateList(CONTACTED_ALERT_STATES);

/** An open alert, as the acknowledgement and escalation logic sees it. */
export interface OpenAlert {
  readonly alertId: string;
  readonly number: number;
  readonly kind: AlertKind;
  readonly raisedAt: number;
  readonly round: number;
}

/** What became of a reply SMS (kept in `incoming_sms` for the audit). */
export type ReplyOutcome =
  | 'acknowledged'
  | 'already_acknowledged'
  | 'no_open_alert'
  | 'unknown_sender'
  /** "OK" with no number while several alerts texted to this contact are open (a help reply asks which). */
  | 'ambiguous'
  /** "OK <n>" for an open alert this contact was never texted about: nothing acknowledged. */
  | 'not_notified'
  /** A refusal: the alerts it names (or all texted to this contact) escalate at once. */
  | 'refused'
  /** Neither an acknowledgement nor a refusal (REPLIES.md): a help reply, rate-limited. */
  | 'not_understood';

interface OpenRow {
  alert_id: string;
  number: number;
  kind: AlertKind;
  raised_at: number;
  escalation_round: number;
}

const toOpen = (r: OpenRow): OpenAlert => ({ alertId: r.alert_id, number: r.number, kind: r.kind, raisedAt: r.raised_at, round: r.escalation_round });

/**
 * What happens to an alert after its first SMS: acknowledgement (by SMS reply, later from the
 * portal or the box), escalation rounds, and the news SMS that follow. Same tables as AlertStore;
 * every change is one transaction and bumps the alert's revision so the cloud hears of it.
 */
export class AlertFollowUpStore {
  readonly #db: BoxDatabase;
  readonly #openNotifiedTo;
  readonly #openByNumber;
  readonly #due;
  readonly #ack;
  readonly #cancelUnsent;
  readonly #escalate;
  readonly #insertSms;
  readonly #notified;
  readonly #incoming;
  readonly #cancellable;
  readonly #close;
  readonly #cancelAll;
  readonly #byId;
  readonly #escalateNow;
  readonly #lastHelp;
  readonly #helpsSince;

  constructor(db: BoxDatabase) {
    this.#db = db;
    this.#escalateNow = db.prepare(
      `UPDATE alerts SET next_escalation_at = ?
       WHERE alert_id = ? AND state IN ('notifying', 'notified', 'escalated') AND next_escalation_at IS NOT NULL AND next_escalation_at > ?`,
    );
    // updated_at of a help row is at least its creation time: a conservative "last help sent".
    this.#lastHelp = db.prepare<[string], { at: number | null }>("SELECT max(updated_at) AS at FROM sms_outbox WHERE purpose = 'help' AND phone = ?");
    this.#helpsSince = db.prepare<[number], { n: number }>("SELECT count(*) AS n FROM sms_outbox WHERE purpose = 'help' AND updated_at >= ?");
    this.#byId = db.prepare<[string], OpenRow & { state: string }>(
      'SELECT alert_id, number, kind, raised_at, escalation_round, state FROM alerts WHERE alert_id = ?',
    );
    this.#openNotifiedTo = db.prepare<[string], OpenRow>(
      `SELECT DISTINCT a.alert_id, a.number, a.kind, a.raised_at, a.escalation_round FROM alerts a
       JOIN sms_outbox s ON s.alert_id = a.alert_id
       WHERE a.state IN ${OPEN} AND s.purpose = 'alert' AND s.phone = ? AND s.state = 'sent'
       ORDER BY a.raised_at DESC`,
    );
    this.#openByNumber = db.prepare<[number], OpenRow>(
      `SELECT alert_id, number, kind, raised_at, escalation_round FROM alerts
       WHERE state IN ${OPEN} AND number = ? ORDER BY raised_at DESC LIMIT 1`,
    );
    this.#due = db.prepare<[number], OpenRow>(
      `SELECT alert_id, number, kind, raised_at, escalation_round FROM alerts
       WHERE state IN ${CONTACTED} AND next_escalation_at IS NOT NULL AND next_escalation_at <= ?
       ORDER BY raised_at`,
    );
    this.#ack = db.prepare(
      `UPDATE alerts SET state = 'acknowledged', ack_by = ?, ack_via = ?, ack_at = ?, next_escalation_at = NULL,
         revision = revision + 1, updated_at = ?
       WHERE alert_id = ? AND state IN ${OPEN}`,
    );
    this.#cancelUnsent = db.prepare(
      `UPDATE sms_outbox SET state = 'cancelled', updated_at = ?
       WHERE alert_id = ? AND purpose = 'alert' AND state IN ('pending', 'failed')`,
    );
    this.#escalate = db.prepare(
      `UPDATE alerts SET state = 'escalated', escalation_round = escalation_round + 1, next_escalation_at = ?,
         revision = revision + 1, updated_at = ?
       WHERE alert_id = ? AND state IN ${CONTACTED} AND escalation_round = ?`,
    );
    this.#insertSms = db.prepare(
      `INSERT INTO sms_outbox (alert_id, round, purpose, contact_name, phone, body, state, next_attempt_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)`,
    );
    this.#notified = db.prepare<[string], { contact_name: string; phone: string }>(
      `SELECT contact_name, phone FROM sms_outbox WHERE alert_id = ? AND purpose = 'alert' AND state = 'sent'
       GROUP BY phone ORDER BY min(id)`,
    );
    this.#incoming = db.prepare('INSERT INTO incoming_sms (sender, received_at, outcome, alert_id) VALUES (?, ?, ?, ?)');
    this.#cancellable = db.prepare<[number], { alert_id: string }>(
      `SELECT alert_id FROM alerts WHERE state = 'raised' AND cancel_until IS NOT NULL AND cancel_until > ?
       ORDER BY raised_at DESC LIMIT 1`,
    );
    this.#close = db.prepare(
      `UPDATE alerts SET state = 'closed', next_escalation_at = NULL, revision = revision + 1, updated_at = ?
       WHERE alert_id = ? AND state = 'raised' AND cancel_until > ?`,
    );
    this.#cancelAll = db.prepare(
      "UPDATE sms_outbox SET state = 'cancelled', updated_at = ? WHERE alert_id = ? AND state IN ('pending', 'failed')",
    );
  }

  /**
   * The patient pressed the button during a fall's cancel window: close the alert and cancel its
   * SMS, none of which has left (they were held until the window's end). Returns the alert closed,
   * or null when no alert is within its window.
   */
  cancelInWindow(now: number): string | null {
    return this.#db.transaction(() => {
      const row = this.#cancellable.get(now);
      if (!row) return null;
      if (this.#close.run(now, row.alert_id, now).changes === 0) return null;
      this.#cancelAll.run(now, row.alert_id);
      return row.alert_id;
    }).immediate();
  }

  /** Open alerts whose alert SMS reached this phone, newest first. */
  openAlertsNotifiedTo(phone: string): OpenAlert[] {
    return this.#openNotifiedTo.all(phone).map(toOpen);
  }

  /** The open alert with this short number, if any. */
  openAlertByNumber(number: number): OpenAlert | undefined {
    const row = this.#openByNumber.get(number);
    return row ? toOpen(row) : undefined;
  }

  /** An alert by id with whether it is still open, or undefined when the box does not know it. */
  alertById(alertId: string): { alert: OpenAlert; open: boolean; state: string } | undefined {
    const row = this.#byId.get(alertId);
    return row ? { alert: toOpen(row), open: isOpenAlertState(row.state), state: row.state } : undefined;
  }

  /** Contacts whose alert SMS was accepted by the modem, once each. */
  notifiedContacts(alertId: string): AlertRecipient[] {
    return this.#notified.all(alertId).map((r) => ({ name: r.contact_name, phone: r.phone }));
  }

  /**
   * Record who took the alert; cancel its alert SMS not sent yet and queue the news SMS. Returns
   * false when the alert was no longer open (acknowledged already, closed): nothing changes then.
   */
  acknowledge(input: {
    alertId: string;
    by: string;
    via: 'sms' | 'portal' | 'box';
    now: number;
    news: readonly { recipient: AlertRecipient; purpose: SmsPurpose; body: string }[];
  }): boolean {
    return this.#db.transaction(() => {
      const changed = this.#ack.run(input.by, input.via, input.now, input.now, input.alertId).changes;
      if (changed === 0) return false;
      this.#cancelUnsent.run(input.now, input.alertId);
      for (const n of input.news) {
        this.#insertSms.run(input.alertId, 0, n.purpose, n.recipient.name, n.recipient.phone, n.body, input.now, input.now);
      }
      return true;
    }).immediate();
  }

  /** Alerts whose acknowledgement delay has run out. */
  dueEscalations(now: number): OpenAlert[] {
    return this.#due.all(now).map(toOpen);
  }

  /**
   * Move an alert to its next round and queue that round's SMS. Guarded by the round it expects,
   * so two sweeps racing cannot escalate twice. `nextAt` null: this was the last round.
   */
  escalate(input: { alertId: string; fromRound: number; recipients: readonly AlertRecipient[]; body: string; now: number; nextAt: number | null }): boolean {
    return this.#db.transaction(() => {
      const changed = this.#escalate.run(input.nextAt, input.now, input.alertId, input.fromRound).changes;
      if (changed === 0) return false;
      for (const r of input.recipients) {
        this.#insertSms.run(input.alertId, input.fromRound + 1, 'alert', r.name, r.phone, input.body, input.now, input.now);
      }
      return true;
    }).immediate();
  }

  /**
   * A contact declined: bring the alert's next round forward to `now` (the escalation sweep then
   * texts the next tier). False when it has no further round or is no longer open.
   */
  escalateNow(alertId: string, now: number): boolean {
    return this.#escalateNow.run(now, alertId, now).changes > 0;
  }

  /** When a help reply last went to this phone (null: never), and how many went to anyone since `since`. */
  helpHistory(phone: string, since: number): { lastAt: number | null; countSince: number } {
    return { lastAt: this.#lastHelp.get(phone)?.at ?? null, countSince: this.#helpsSince.get(since)!.n };
  }

  /** Queue a help reply to a contact, tied to the alert it is about. */
  queueHelp(input: { alertId: string; recipient: AlertRecipient; body: string; now: number }): void {
    this.#insertSms.run(input.alertId, 0, 'help', input.recipient.name, input.recipient.phone, input.body, input.now, input.now);
  }

  /** Keep a trace of a reply and what it did (no text: only the outcome). */
  recordReply(sender: string, at: number, outcome: ReplyOutcome, alertId: string | null): void {
    this.#incoming.run(sender, at, outcome, alertId);
  }
}
