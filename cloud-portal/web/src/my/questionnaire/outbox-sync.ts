/**
 * The device's one outbox of questionnaire answers, sent to the portal: flushed when the app
 * loads and each time the browser says the connection is back (`online`).
 */
import { submitResponse } from '../../api/questionnaire.ts';
import { indexedDbStore } from './outbox-idb.ts';
import { createOutbox, type Outbox } from './outbox.ts';

let outbox: Outbox | null = null;

/** The outbox (created on first use; IndexedDB). */
export function questionnaireOutbox(): Outbox {
  outbox ??= createOutbox(indexedDbStore(), async (submission) => ((await submitResponse(submission))?.duplicate ? 'duplicate' : 'stored'));
  return outbox;
}

/**
 * Send what waits now and whenever the connection returns; returns the function that stops
 * listening. Used by the app for the accounts that answer (patient, relative).
 */
export function startOutboxSync(): () => void {
  if (typeof indexedDB === 'undefined') return () => undefined;
  const flush = () => void questionnaireOutbox().flush().catch(() => undefined);
  flush();
  window.addEventListener('online', flush);
  return () => window.removeEventListener('online', flush);
}
