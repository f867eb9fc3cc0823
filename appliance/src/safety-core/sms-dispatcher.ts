import type { Logger, Module } from '@vigie/common';
import { KickLoop, VigieError } from '@vigie/common';
import type { AlertStore, DueSms } from './alert-store.ts';
import type { Clock } from '../clock.ts';
import type { Modem } from '../modem/port.ts';
import { modemErrors } from '../modem/errors.ts';

/** What the dispatcher needs of the modem: store-then-send, and plain send as the fallback. */
export type DispatchModem = Pick<Modem, 'sendSms' | 'storeSms' | 'sendStored' | 'storedStatus' | 'deleteStored' | 'reset'>;

/** Consecutive failed sends after which the modem is rebooted. */
export const RESET_AFTER_FAILURES = 3;

/** Failures a reboot of the modem can cure (not a missing SIM, a wrong number, a text too long). */
const MODEM_FAULTS = new Set([
  'BOX_MODEM_TIMEOUT',
  'BOX_MODEM_ERROR',
  'BOX_MODEM_CME_ERROR',
  'BOX_MODEM_CMS_ERROR',
  'BOX_MODEM_UNEXPECTED_ANSWER',
  'BOX_MODEM_NOT_REGISTERED',
  'BOX_MODEM_CLOSED',
  'BOX_MODEM_OPEN_FAILED',
]);

/** Delay before the n-th retry of an SMS (n = attempts so far), capped: an emergency SMS never gives up. */
export function retryDelayMs(attempts: number): number {
  const steps = [5_000, 15_000, 30_000, 60_000, 120_000];
  return steps[Math.min(attempts - 1, steps.length - 1)] ?? 300_000;
}

/**
 * Drains the SMS outbox through the modem, one SMS at a time (a GSM modem sends one at a time).
 * `kick()` starts a drain at once when an alert is raised; a sweep `sweepMs` after each drain retries failures. Every
 * state change is written before the next step, so a crash at any point resumes correctly.
 */
export class SmsDispatcher implements Module {
  readonly name = 'sms-dispatcher';
  readonly #store: AlertStore;
  readonly #modem: DispatchModem;
  readonly #clock: Clock;
  readonly #log: Logger;
  readonly #onAlertChanged: (alertId: string) => void;
  readonly #onSendOutcome: (ok: boolean) => void;
  readonly #loop: KickLoop;
  #modemFailures = 0;

  constructor(deps: {
    store: AlertStore;
    modem: DispatchModem;
    clock: Clock;
    log: Logger;
    onAlertChanged: (alertId: string) => void;
    /** Told whether each send worked (the core refreshes the modem status when this changes). */
    onSendOutcome?: (ok: boolean) => void;
    sweepMs?: number;
  }) {
    this.#store = deps.store;
    this.#modem = deps.modem;
    this.#clock = deps.clock;
    this.#log = deps.log;
    this.#onAlertChanged = deps.onAlertChanged;
    this.#onSendOutcome = deps.onSendOutcome ?? (() => {});
    const sweepMs = deps.sweepMs ?? 2_000;
    this.#loop = new KickLoop({ pass: () => this.#drain(), nextDelayMs: () => sweepMs });
  }

  async start(): Promise<void> {
    const recovered = this.#store.recover(this.#clock.now());
    if (recovered > 0) this.#log.warn({ recovered }, 'SMS interrupted by a restart are queued again');
    this.#loop.start();
  }

  async stop(): Promise<void> {
    await this.#loop.stop();
  }

  /** Send what is due now. Safe to call at any time and often. */
  kick(): void {
    this.#loop.kick();
  }

  /** Send what is due at `at` (a fall's SMS at the end of its cancel window; 5 ms late so it is due). */
  kickAt(at: number): void {
    this.#loop.kickIn(Math.max(0, at - this.#clock.now()) + 5);
  }

  /** Resolves when the current drain (if any) is over — for tests and orderly shutdown. */
  async idle(): Promise<void> {
    await this.#loop.idle();
  }

  async #drain(): Promise<void> {
    for (;;) {
      if (this.#loop.stopped) return;
      const due = this.#store.dueSms(this.#clock.now(), 10);
      if (due.length === 0) return;
      for (const sms of due) {
        if (this.#loop.stopped) return;
        await this.#send(sms);
      }
    }
  }

  async #send(sms: DueSms): Promise<void> {
    this.#store.markSending(sms, this.#clock.now());
    this.#onAlertChanged(sms.alertId);
    try {
      const references = await this.#deliver(sms);
      this.#store.markSent(sms, references, this.#clock.now());
      this.#modemFailures = 0;
      this.#onSendOutcome(true);
      this.#log.info({ alertId: sms.alertId, smsId: sms.id, purpose: sms.purpose, contact: sms.contactName, parts: references.length }, 'SMS accepted by the modem');
    } catch (err) {
      const code = err instanceof VigieError ? err.code : 'BOX_SMS_SEND_FAILED';
      const retryAt = this.#clock.now() + retryDelayMs(sms.attempts + 1);
      this.#store.markFailed(sms, code, retryAt, this.#clock.now());
      this.#onSendOutcome(false);
      if (MODEM_FAULTS.has(code) && ++this.#modemFailures >= RESET_AFTER_FAILURES) {
        this.#modemFailures = 0;
        this.#log.warn({ code }, 'the modem keeps failing: rebooting it');
        await this.#modem.reset().catch((resetErr: unknown) => this.#log.error({ err: resetErr }, 'modem reset failed'));
      }
      this.#log.error({ alertId: sms.alertId, smsId: sms.id, code, err: err instanceof Error ? err.message : String(err), retryAt }, 'SMS failed, will retry');
    }
    this.#onAlertChanged(sms.alertId);
  }

  /**
   * Store-then-send (TS 27.005 §3.5.3 AT+CMGW, §3.5.2 AT+CMSS): the SMS is written to the modem's
   * memory and its indexes recorded before anything is sent; each part's reference is recorded as
   * it goes. A later attempt (after a crash, a timeout, a reset) asks the modem whether a part not
   * known to be sent went out (stat STO SENT) before sending it, so an SMS the modem accepted is
   * never sent twice. When the modem cannot store (memory full, no support) it falls back to a
   * plain AT+CMGS: an alert that arrives twice beats an alert that never leaves.
   */
  async #deliver(sms: DueSms): Promise<number[]> {
    let indexes = sms.storedIndexes;
    let refs: (number | null)[] = sms.partRefs ? [...sms.partRefs] : [];
    let uncertain = sms.attempts > 0;
    if (indexes === null) {
      try {
        indexes = (await this.#modem.storeSms(sms.phone, sms.body)).indexes;
      } catch (err) {
        if (!modemErrors.is(err, 'BOX_MODEM_MEMORY_FULL') && !modemErrors.is(err, 'BOX_MODEM_ERROR')) throw err;
        this.#log.warn({ smsId: sms.id, code: err.code }, 'modem cannot store the SMS; sending it directly');
        return [...(await this.#modem.sendSms(sms.phone, sms.body)).references];
      }
      refs = indexes.map(() => null);
      this.#store.markStored(sms, indexes, this.#clock.now());
      uncertain = false;
    }
    for (const [i, index] of indexes.entries()) {
      if (refs[i] !== null && refs[i] !== undefined) continue;
      if (uncertain) {
        const status = await this.#modem.storedStatus(index);
        if (status === 'sent') {
          // Went out before the crash; its reference was lost with the process (-1: unknown).
          refs[i] = -1;
          this.#store.markPartsSent(sms, refs, this.#clock.now());
          continue;
        }
        if (status === 'missing') {
          // The modem lost its memory (reset): start again from a fresh copy.
          this.#store.markStored(sms, null, this.#clock.now());
          throw modemErrors.create('BOX_MODEM_UNEXPECTED_ANSWER', { message: 'A stored SMS part vanished from the modem memory', details: { index } });
        }
      }
      refs[i] = (await this.#modem.sendStored(index)).reference;
      this.#store.markPartsSent(sms, refs, this.#clock.now());
    }
    for (const index of indexes) {
      await this.#modem.deleteStored(index).catch((err: unknown) => this.#log.warn({ err, index }, 'could not free a stored SMS'));
    }
    return refs.map((r) => r ?? -1);
  }
}
