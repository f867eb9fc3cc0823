import type { BraceletEvent } from '@vigie/protocol';
import type { AlertRaiser } from './alert-raiser.ts';
import type { Clock } from '../clock.ts';

/**
 * Emergency events detected by the bracelet itself (fall, cardiac arrest, its help button) become
 * alerts at once. Nothing here waits for the cloud. The bracelet numbers its events, so a repeated
 * frame is recognised as the same alert. A fall's cancel window is the alert policy's (AlertRaiser).
 */
export class EmergencyRules {
  readonly #raiser: AlertRaiser;
  readonly #clock: Clock | undefined;

  /** `clock`: stamps when the event reached the safety core (the alert's latency timeline). */
  constructor(raiser: AlertRaiser, clock?: Clock) {
    this.#raiser = raiser;
    this.#clock = clock;
  }

  /** Handle one emergency event from the bracelet. Never throws. */
  onBraceletEvent(event: BraceletEvent): void {
    const receivedAt = this.#clock?.now();
    this.#raiser.raise(event.kind, `${event.braceletId}:${event.kind}:${event.eventSeq}`, {
      detectedAt: event.ts,
      ...(receivedAt !== undefined ? { receivedAt } : {}),
    });
  }
}
