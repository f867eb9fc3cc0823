/** « Recevoir un rappel »: turn on the Web Push reminder for this device. */
import { useEffect, useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { currentPushState, enablePush, registerServiceWorker, type PushState } from './push.ts';

export function ReminderOptIn() {
  const { t } = useI18n();
  const q = t.questionnaire;
  const [state, setState] = useState<PushState | 'busy' | 'failed' | null>(null);

  useEffect(() => {
    let live = true;
    // The service worker is registered on this page in any case: it makes the app installable.
    registerServiceWorker()
      .catch(() => null)
      .then(() => currentPushState())
      .then(
        (s) => live && setState(s),
        () => live && setState('off'),
      );
    return () => {
      live = false;
    };
  }, []);

  if (state === null) return null;
  const turnOn = () => {
    setState('busy');
    enablePush().then(setState, (error: unknown) => {
      // For whoever helps the patient (the page says it in plain words).
      console.error('Vigie: the reminder could not be turned on', error);
      setState('failed');
    });
  };
  return (
    <section className="q-reminder" aria-labelledby="q-reminder" data-testid="q-reminder" data-state={state}>
      <h2 id="q-reminder" className="visually-hidden">
        {q.remindMe}
      </h2>
      {state === 'on' && <p className="q-note q-note--ok" role="status">✓ {q.reminderOn}</p>}
      {state === 'denied' && <p className="q-note">{q.reminderDenied}</p>}
      {state === 'unsupported' && <p className="q-note">{q.reminderUnsupported}</p>}
      {(state === 'off' || state === 'busy' || state === 'failed') && (
        <>
          <button type="button" className="q-remind" data-testid="q-remind" disabled={state === 'busy'} onClick={turnOn} aria-describedby="q-remind-help">
            <svg viewBox="0 0 24 24" width="32" height="32" aria-hidden="true" focusable="false">
              <path d="M12 3a6 6 0 0 0-6 6v4l-2 3h16l-2-3V9a6 6 0 0 0-6-6Zm-2 15a2 2 0 0 0 4 0" fill="none" stroke="currentColor" strokeWidth="2" strokeLinejoin="round" />
            </svg>
            {q.remindMe}
          </button>
          <p id="q-remind-help" className="q-help">
            {q.remindMeHelp}
          </p>
          {state === 'failed' && (
            <p className="q-note" role="alert">
              {q.reminderFailed}
            </p>
          )}
        </>
      )}
    </section>
  );
}
