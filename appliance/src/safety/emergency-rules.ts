import type { Logger } from '@vigie/common';
import type { AlertKind, AlertSeverity, BraceletEvent } from '@vigie/protocol';
import type { AlertRecipient, AlertStore } from '../store/alert-store.ts';
import type { Clock } from '../clock.ts';
import { alertSmsText } from './alert-texts.ts';

const EVENT_ALERTS: Record<BraceletEvent['kind'], { kind: AlertKind; severity: AlertSeverity }> = {
  fall: { kind: 'fall', severity: 'critical' },
  cardiac_arrest: { kind: 'cardiac_arrest', severity: 'critical' },
  manual_help: { kind: 'manual_help', severity: 'critical' },
};

/**
 * The emergency rules: a bracelet emergency event becomes a stored alert with its SMS queued, then
 * the dispatcher is kicked. Nothing here waits for the cloud. (The fall cancel window, hypoxemia,
 * heart-rate thresholds, not-worn and silence rules join in the safety-core issue.)
 */
export class EmergencyRules {
  readonly #store: AlertStore;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #recipients: () => readonly AlertRecipient[];
  readonly #patientName: () => string;
  readonly #onRaised: (alertId: string) => void;
  readonly #escalateAt: (now: number) => number | null;

  constructor(deps: {
    store: AlertStore;
    clock: Clock;
    log: Logger;
    recipients: () => readonly AlertRecipient[];
    patientName: () => string;
    onRaised: (alertId: string) => void;
    /** When to escalate an alert raised at `now` if nobody acknowledges it (null: never). */
    escalateAt?: (now: number) => number | null;
  }) {
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#recipients = deps.recipients;
    this.#patientName = deps.patientName;
    this.#onRaised = deps.onRaised;
    this.#escalateAt = deps.escalateAt ?? (() => null);
  }

  /** Handle one emergency event from the bracelet. Never throws. */
  onBraceletEvent(event: BraceletEvent): void {
    try {
      const spec = EVENT_ALERTS[event.kind];
      const recipients = this.#recipients();
      const patientName = this.#patientName();
      const now = this.#clock.now();
      const result = this.#store.raise({
        kind: spec.kind,
        severity: spec.severity,
        sourceKey: `${event.braceletId}:${event.kind}:${event.eventSeq}`,
        now,
        escalateAt: this.#escalateAt(now),
        recipients,
        text: ({ number, raisedAt }) => alertSmsText({ kind: spec.kind, patientName, number, raisedAt }),
      });
      if (!result.created) {
        this.#log.info({ alertId: result.alertId, kind: spec.kind }, 'repeated bracelet event ignored');
        return;
      }
      if (recipients.length === 0) this.#log.error({ alertId: result.alertId }, 'alert raised but no contact is configured');
      this.#log.warn({ alertId: result.alertId, number: result.number, kind: spec.kind, recipients: recipients.length }, 'alert raised');
      this.#onRaised(result.alertId);
    } catch (err) {
      // The store failing (disk full…) must not kill the process that protects the patient; the
      // failure is logged at fatal level with its reason. (The safety-core issue adds an in-memory
      // fallback that still texts when the disk cannot take the alert.)
      this.#log.fatal({ err, kind: event.kind }, 'could not store an alert');
    }
  }
}
