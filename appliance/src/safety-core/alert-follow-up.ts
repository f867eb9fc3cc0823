import type { Logger, Module } from '@vigie/common';
import type { BoxFile, Contact } from '@vigie/provisioning';
import type { BoxCommandOutcome } from '@vigie/protocol';
import type { Clock } from '../clock.ts';
import type { IncomingSms } from '../modem/port.ts';
import type { AlertFollowUpStore, OpenAlert, ReplyOutcome } from './alert-follow-up-store.ts';
import type { AlertRecipient } from './alert-store.ts';
import { ackConfirmText, ackNoticeText, escalationSmsText, replyHelpText } from './alert-texts.ts';
import { normalizeSender, parseReply } from './reply-parser.ts';

/** Acknowledgement delay, rounds and fall cancel window, as the box file holds them. */
export type AlertingPolicy = Readonly<BoxFile['alerting']>;

/**
 * Contacts texted in round `round` (0 = the first): tiers up to the round's, cumulatively, so a
 * contact already texted is reminded; past the last tier, everyone. With no tier-1 contact the
 * lowest tier present starts.
 */
export function recipientsForRound(contacts: readonly Contact[], round: number): AlertRecipient[] {
  if (contacts.length === 0) return [];
  const tiers = [...new Set(contacts.map((c) => c.tier))].sort((a, b) => a - b);
  const upTo = tiers[Math.min(round, tiers.length - 1)]!;
  return contacts.filter((c) => c.tier <= upTo).map((c) => ({ name: c.name, phone: c.phone }));
}

/** When the round after `round` is due, or null when `round` is the last. */
export function nextEscalationAt(policy: AlertingPolicy, round: number, now: number): number | null {
  return round + 1 < policy.maxRounds ? now + policy.ackTimeoutMinutes * 60_000 : null;
}

/** What the follow-up needs. */
export interface AlertFollowUpDeps {
  store: AlertFollowUpStore;
  contacts: () => readonly Contact[];
  patientName: () => string;
  policy: () => AlertingPolicy;
  clock: Clock;
  log: Logger;
  /** Something was queued for the modem. */
  kick: () => void;
  onAlertChanged: (alertId: string) => void;
  /** Region of senders' numbers written without a country code (the box file's; default FR). */
  region?: () => string;
  sweepMs?: number;
}

/** At most one help reply per number in this long (REPLIES.md). */
export const HELP_INTERVAL_MS = 10 * 60_000;
/** And at most this many help replies to anyone per hour. */
export const HELP_MAX_PER_HOUR = 20;

/**
 * After an alert's first SMS: reads contacts' replies after the reply grammar (REPLIES.md) —
 * acknowledges on an unambiguous "OK" for an alert the contact was texted about, never on doubt;
 * escalates at once on a refusal; answers anything else with a short, rate-limited help SMS — and
 * escalates alerts nobody acknowledged in time.
 */
export class AlertFollowUp implements Module {
  readonly name = 'alert-follow-up';
  readonly #d: AlertFollowUpDeps;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: AlertFollowUpDeps) {
    this.#d = deps;
  }

  async start(): Promise<void> {
    this.#timer = setInterval(() => this.sweep(), this.#d.sweepMs ?? 5_000);
    this.sweep();
  }

  async stop(): Promise<void> {
    clearInterval(this.#timer);
  }

  /**
   * Handle one incoming SMS after the reply grammar (REPLIES.md). Never throws.
   *
   * - unknown sender (after E.164 normalisation in the box's region): recorded, nothing else — the
   *   box never answers a number that is not a contact;
   * - `OK <n>`: acknowledges alert n only if this contact was texted about it;
   *   `OK`: the one open alert texted to this contact (several: a help reply asks which);
   * - a refusal: recorded, and the alerts it names (or all those texted to this contact) escalate
   *   at once;
   * - anything else: a short help reply, at most one per number per {@link HELP_INTERVAL_MS}.
   */
  onIncomingSms(sms: IncomingSms): ReplyOutcome {
    const now = this.#d.clock.now();
    const sender = normalizeSender(sms.from, this.#d.region?.());
    let outcome: ReplyOutcome;
    let alertId: string | null = null;
    try {
      const contact = this.#d.contacts().find((c) => c.phone === sender);
      const reply = parseReply(sms.text);
      if (!contact) outcome = 'unknown_sender';
      else {
        // Open alerts whose alert SMS reached this contact, newest first.
        const notified = this.#d.store.openAlertsNotifiedTo(sender);
        switch (reply.kind) {
          case 'ack': {
            let alert: OpenAlert | undefined;
            if (reply.number !== null) {
              alert = notified.find((a) => a.number === reply.number);
              outcome = alert ? 'acknowledged' : this.#d.store.openAlertByNumber(reply.number) ? 'not_notified' : 'no_open_alert';
            } else {
              if (notified.length === 1) alert = notified[0];
              outcome = notified.length === 0 ? 'no_open_alert' : notified.length === 1 ? 'acknowledged' : 'ambiguous';
            }
            if (alert) {
              alertId = alert.alertId;
              if (!this.#acknowledge(alert, contact, now)) outcome = 'already_acknowledged';
            } else if (outcome === 'ambiguous' || outcome === 'not_notified') {
              this.#help(contact, notified, now);
            }
            break;
          }
          case 'refusal': {
            const declined = reply.number === null ? notified : notified.filter((a) => a.number === reply.number);
            outcome = declined.length > 0 ? 'refused' : 'no_open_alert';
            for (const alert of declined) {
              this.#d.store.escalateNow(alert.alertId, now);
              if (alertId === null) alertId = alert.alertId;
            }
            // Other declined alerts are traced by their escalation; one row per reply.
            break;
          }
          case 'help':
            outcome = 'not_understood';
            this.#help(contact, notified, now);
            break;
          default:
            reply satisfies never;
            outcome = 'not_understood';
        }
      }
      this.#d.store.recordReply(sender, now, outcome, alertId);
    } catch (err) {
      this.#d.log.error({ err }, 'could not handle a reply SMS');
      return 'not_understood';
    }
    // The outcome only: never the number or the text.
    const level = outcome === 'acknowledged' ? 'info' : 'warn';
    this.#d.log[level]({ outcome, alertId }, 'reply SMS handled');
    // A refusal escalates now, not at the next sweep.
    if (outcome === 'refused') this.sweep();
    return outcome;
  }

  /**
   * Queue the help reply to a contact about the open alerts they were texted about (none: the
   * box does not answer: there is nothing to help with). Rate-limited so that a chatty sender (or
   * an automatic reply) cannot make the box text in a loop: one per number per
   * {@link HELP_INTERVAL_MS}, and {@link HELP_MAX_PER_HOUR} to anyone per hour.
   */
  #help(contact: Contact, notified: readonly OpenAlert[], now: number): void {
    const newest = notified[0];
    if (!newest) return;
    const history = this.#d.store.helpHistory(contact.phone, now - 3_600_000);
    if ((history.lastAt !== null && now - history.lastAt < HELP_INTERVAL_MS) || history.countSince >= HELP_MAX_PER_HOUR) {
      this.#d.log.warn({ alertId: newest.alertId }, 'help reply not sent: rate limit');
      return;
    }
    this.#d.store.queueHelp({
      alertId: newest.alertId,
      recipient: { name: contact.name, phone: contact.phone },
      body: replyHelpText({ numbers: notified.map((a) => a.number) }),
      now,
    });
    this.#d.kick();
  }

  /**
   * An acknowledgement made in the portal (a cloud command relayed by the telemetry service):
   * applied as an SMS "OK" is — the alert acknowledged by "<name> (portail)", its unsent alert SMS
   * cancelled, escalation stopped — and every contact who received the alert is told who is on it.
   * Idempotent: a repeated command finds the alert acknowledged and changes nothing. Never throws:
   * null when it failed (the command stays pending in the cloud and comes again).
   */
  acknowledgeFromPortal(input: { alertId: string; by: string }): BoxCommandOutcome | null {
    try {
      const found = this.#d.store.alertById(input.alertId);
      if (!found) return 'unknown_alert';
      if (!found.open) return found.state === 'acknowledged' ? 'already_acknowledged' : 'not_open';
      const alert = found.alert;
      const by = `${input.by.trim().slice(0, 100)} (portail)`;
      const patientName = this.#d.patientName();
      const notice = ackNoticeText({ kind: alert.kind, patientName, number: alert.number, by });
      const done = this.#d.store.acknowledge({
        alertId: alert.alertId,
        by,
        via: 'portal',
        now: this.#d.clock.now(),
        news: this.#d.store.notifiedContacts(alert.alertId).map((recipient) => ({ recipient, purpose: 'ack_notice' as const, body: notice })),
      });
      if (!done) return 'already_acknowledged';
      this.#d.log.info({ alertId: alert.alertId, via: 'portal' }, 'alert acknowledged from the portal');
      this.#d.onAlertChanged(alert.alertId);
      this.#d.kick();
      return 'acknowledged';
    } catch (err) {
      this.#d.log.error({ err, alertId: input.alertId }, 'could not apply a portal acknowledgement');
      return null;
    }
  }

  #acknowledge(alert: OpenAlert, by: Contact, now: number): boolean {
    const patientName = this.#d.patientName();
    const others = this.#d.store.notifiedContacts(alert.alertId).filter((c) => c.phone !== by.phone);
    const done = this.#d.store.acknowledge({
      alertId: alert.alertId,
      by: by.name,
      via: 'sms',
      now,
      news: [
        { recipient: { name: by.name, phone: by.phone }, purpose: 'ack_confirm', body: ackConfirmText(alert) },
        ...others.map((o) => ({
          recipient: o,
          purpose: 'ack_notice' as const,
          body: ackNoticeText({ kind: alert.kind, patientName, number: alert.number, by: by.name }),
        })),
      ],
    });
    if (done) {
      this.#d.onAlertChanged(alert.alertId);
      this.#d.kick();
    }
    return done;
  }

  /** Escalate every alert whose acknowledgement delay ran out. Never throws. */
  sweep(): void {
    try {
      const now = this.#d.clock.now();
      const policy = this.#d.policy();
      for (const alert of this.#d.store.dueEscalations(now)) {
        const round = alert.round + 1;
        const escalated = this.#d.store.escalate({
          alertId: alert.alertId,
          fromRound: alert.round,
          recipients: recipientsForRound(this.#d.contacts(), round),
          body: escalationSmsText({ kind: alert.kind, patientName: this.#d.patientName(), number: alert.number, raisedAt: alert.raisedAt }),
          now,
          nextAt: nextEscalationAt(policy, round, now),
        });
        if (!escalated) continue;
        this.#d.log.warn({ alertId: alert.alertId, round }, 'alert not acknowledged: escalated');
        this.#d.onAlertChanged(alert.alertId);
        this.#d.kick();
      }
    } catch (err) {
      this.#d.log.error({ err }, 'escalation sweep failed');
    }
  }
}
