/**
 * Demo mode: play a scenario on the simulated bracelet and watch the SMS the modem emulator
 * received, polled every 2 s. When the server runs without demo mode the API answers 404 and the
 * page says so.
 */
import { useEffect, useState } from 'react';
import { ApiError, isAbort } from '../api/client.ts';
import { fetchDemoSms, startDemoScenario } from '../api/endpoints.ts';
import { DEMO_SCENARIOS, type DemoScenario, type DemoSms } from '../api/types.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { toEpochMs } from '../ui/format.ts';
import { DemoMailSection } from './demo-mail-section.tsx';

const POLL_MS = 2_000;

type Feedback = { kind: 'ok' | 'error'; text: string } | null;

const TEST_IDS = {
  fall: 'demo-fall',
  cardiac_arrest: 'demo-cardiac-arrest',
  help: 'demo-help',
} as const satisfies Record<DemoScenario, string>;

export function DemoPage() {
  const { t, f } = useI18n();
  const [sms, setSms] = useState<DemoSms[] | null>(null);
  const [pollError, setPollError] = useState<unknown>(null);
  const [unavailable, setUnavailable] = useState(false);
  const [busy, setBusy] = useState<DemoScenario | null>(null);
  const [feedback, setFeedback] = useState<Feedback>(null);
  useDocumentTitle(t.demo.title, t.app.name);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const received = await fetchDemoSms({ signal: controller.signal });
        setSms(received);
        setPollError(null);
      } catch (error) {
        if (isAbort(error)) return;
        if (error instanceof ApiError && error.kind === 'not_found') {
          setUnavailable(true);
          return; // demo mode is off: stop polling
        }
        setPollError(error);
      }
      if (!controller.signal.aborted) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, []);

  const play = async (scenario: DemoScenario) => {
    setBusy(scenario);
    setFeedback(null);
    try {
      await startDemoScenario(scenario);
      setFeedback({ kind: 'ok', text: t.demo.started(t.demo[scenario]) });
    } catch (error) {
      // A 404 means demo mode is off; a bare 503 (no code) that the simulator is not running.
      const text =
        error instanceof ApiError && error.kind === 'not_found'
          ? t.demo.unavailable
          : error instanceof ApiError && error.status === 503 && error.code === undefined
            ? t.demo.simulatorDown
            : errorText(t, error);
      setFeedback({ kind: 'error', text });
    } finally {
      setBusy(null);
    }
  };

  // Newest first: the one just triggered is on top. The log may carry times as ISO text.
  const ordered = (sms ?? [])
    .map((m) => ({ ...m, ms: toEpochMs(m.at) }))
    .sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0));

  return (
    <>
      <div className="page-head">
        <h1>{t.demo.title}</h1>
      </div>
      <p className="lead">{t.demo.intro}</p>
      {unavailable ? (
        <p className="notice" data-testid="demo-unavailable">
          {t.demo.unavailable}
        </p>
      ) : (
        <>
          <section className="panel" aria-labelledby="demo-scenarios">
            <h2 id="demo-scenarios" className="panel__title">
              {t.demo.scenarios}
            </h2>
            <div className="demo-buttons">
              {DEMO_SCENARIOS.map((scenario) => (
                <button
                  key={scenario}
                  type="button"
                  className={`button ${scenario === 'help' ? 'button--secondary' : 'button--danger'}`}
                  data-testid={TEST_IDS[scenario]}
                  disabled={busy !== null}
                  aria-busy={busy === scenario}
                  onClick={() => void play(scenario)}
                >
                  {t.demo[scenario]}
                </button>
              ))}
            </div>
            <div role="status" className="demo-feedback" data-testid="demo-feedback">
              {feedback && (
                <p className={`notice ${feedback.kind === 'error' ? 'notice--error' : 'notice--ok'}`}>{feedback.text}</p>
              )}
            </div>
          </section>

          <section className="panel" aria-labelledby="demo-sms">
            <div className="panel__head">
              <h2 id="demo-sms" className="panel__title">
                {t.demo.smsTitle}
              </h2>
              <span className="muted small">{t.demo.refreshing}</span>
            </div>
            {pollError !== null && <ErrorNotice error={pollError} />}
            {sms === null && pollError === null && <p className="muted">{t.app.loading}</p>}
            {sms !== null && sms.length === 0 && <p className="muted">{t.demo.smsEmpty}</p>}
            <ol className="sms-list" data-testid="sms-list" aria-labelledby="demo-sms">
              {ordered.map((m, i) => (
                <li key={`${m.ms}-${m.to}-${i}`} className="sms" data-testid="sms-item">
                  <p className="sms__meta">
                    {m.ms !== null && (
                      <>
                        <time dateTime={new Date(m.ms).toISOString()} title={f.fullDateTime(m.ms)}>
                          {f.preciseDateTime(m.ms)}
                        </time>
                        <span aria-hidden="true"> · </span>
                      </>
                    )}
                    <span className="visually-hidden">{t.demo.smsTo} </span>
                    <span className="sms__to mono">{m.to}</span>
                    {m.parts > 1 && <span className="sms__parts muted"> · {t.demo.smsParts(m.parts)}</span>}
                  </p>
                  <p className="sms__text">{m.text}</p>
                </li>
              ))}
            </ol>
          </section>

          <div className="panel">
            <DemoMailSection />
          </div>
        </>
      )}
    </>
  );
}
