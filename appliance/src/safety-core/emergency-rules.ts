import type { BraceletEvent } from '@vigie/protocol';
import type { AlertRaiser } from './alert-raiser.ts';

/**
 * Emergency events detected by the bracelet itself (fall, cardiac arrest, its help button) become
 * alerts at once. Nothing here waits for the cloud. The bracelet numbers its events, so a repeated
 * frame is recognised as the same alert. A fall's cancel window is the alert policy's (AlertRaiser).
 */
export class EmergencyRules {
  readonly #raiser: AlertRaiser;

  constructor(raiser: AlertRaiser) {
    this.#raiser = raiser;
  }

  /** Handle one emergency event from the bracelet. Never throws. */
  onBraceletEvent(event: BraceletEvent): void {
    this.#raiser.raise(event.kind, `${event.braceletId}:${event.kind}:${event.eventSeq}`);
  }
}
