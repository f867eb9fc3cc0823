import type { Logger } from '@vigie/common';
import type { AlertKind, AlertSeverity } from '@vigie/protocol';
import type { Contact } from '@vigie/provisioning';
import type { AlertOrigin, AlertStore } from './alert-store.ts';
import type { Clock } from '../clock.ts';
import { alertSmsText } from './alert-texts.ts';
import { nextEscalationAt, recipientsForRound, type AlertingPolicy } from './alert-follow-up.ts';

/**
 * How each kind of alert is handled. Critical alerts text tier 1 at once and escalate; warnings
 * text tier 1 once (a nurse wants to know of a sustained bradycardia, not to be woken again and
 * again for it); information is stored and sent to the cloud only (a low bracelet battery is the
 * screen's and support's business, not an SMS at 3 a.m.).
 */
export const ALERT_POLICY = {
  fall: { severity: 'critical', sms: true, escalate: true },
  cardiac_arrest: { severity: 'critical', sms: true, escalate: true },
  hypoxemia: { severity: 'critical', sms: true, escalate: true },
  manual_help: { severity: 'critical', sms: true, escalate: true },
  bradycardia: { severity: 'warning', sms: true, escalate: false },
  tachycardia: { severity: 'warning', sms: true, escalate: false },
  not_worn: { severity: 'warning', sms: true, escalate: false },
  no_data: { severity: 'warning', sms: true, escalate: false },
  low_battery: { severity: 'info', sms: false, escalate: false },
} as const satisfies Record<AlertKind, { severity: AlertSeverity; sms: boolean; escalate: boolean }>;

/** What raising an alert needs. */
export interface AlertRaiserDeps {
  store: AlertStore;
  clock: Clock;
  log: Logger;
  contacts: () => readonly Contact[];
  patientName: () => string;
  policy: () => AlertingPolicy;
  /** Called once the alert and its SMS are stored (kick the dispatcher — again at `holdUntil` — tell the cloud). */
  onRaised: (alertId: string, holdUntil: number | null) => void;
}

/** Raising an alert: stored with its SMS before anything is sent, by the policy of its kind. */
export class AlertRaiser {
  readonly #d: AlertRaiserDeps;

  constructor(deps: AlertRaiserDeps) {
    this.#d = deps;
  }

  /**
   * Raise an alert of `kind` for `sourceKey` (what caused it: a bracelet event, an episode). A
   * repeat of the same source within the store's window is the same alert. Never throws.
   */
  raise(kind: AlertKind, sourceKey: string, origin?: AlertOrigin): { alertId: string; created: boolean } | null {
    try {
      const policy = ALERT_POLICY[kind];
      const now = this.#d.clock.now();
      const recipients = policy.sms ? recipientsForRound(this.#d.contacts(), 0) : [];
      const patientName = this.#d.patientName();
      const cancelSeconds = kind === 'fall' ? this.#d.policy().fallCancelSeconds : 0;
      const holdUntil = cancelSeconds > 0 ? now + cancelSeconds * 1_000 : null;
      const result = this.#d.store.raise({
        kind,
        severity: policy.severity,
        sourceKey,
        now,
        recipients,
        escalateAt: policy.escalate ? nextEscalationAt(this.#d.policy(), 0, holdUntil ?? now) : null,
        holdUntil,
        ...(origin ? { origin } : {}),
        text: ({ number, raisedAt }) => alertSmsText({ kind, patientName, number, raisedAt }),
      });
      if (!result.created) {
        this.#d.log.info({ alertId: result.alertId, kind }, 'repeated alert source ignored');
        return result;
      }
      if (policy.sms && recipients.length === 0) this.#d.log.error({ alertId: result.alertId }, 'alert raised but no contact is configured');
      this.#d.log.warn({ alertId: result.alertId, number: result.number, kind, recipients: recipients.length }, 'alert raised');
      this.#d.onRaised(result.alertId, holdUntil);
      return result;
    } catch (err) {
      // The store failing (disk full…) must not kill the process that protects the patient; the
      // failure is logged at fatal level with its reason.
      this.#d.log.fatal({ err, kind }, 'could not store an alert');
      return null;
    }
  }
}
