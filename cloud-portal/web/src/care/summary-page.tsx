/**
 * The nurse's summary before a visit, over 24 h, 48 h or a chosen period: min, mean and max of
 * each measurement with the readings outside the alert thresholds, steps per day, and the alerts.
 */
import { useState } from 'react';
import { fetchPatients } from '../api/endpoints.ts';
import type { Role } from '../api/types.ts';
import { fetchSummary } from '../api/endpoints.ts';
import { AlertItem } from '../ui/alert-item.tsx';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useResource } from '../ui/hooks/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useResumeKey } from '../ui/live.tsx';
import { Link } from '../ui/navigation.tsx';
import { CustomRangeForm, RoleNav } from '../ui/page-parts.tsx';
import { LastAnswers } from './questionnaire/last-answers.tsx';

const HOUR_MS = 3_600_000;
type WindowKey = 'h24' | 'h48' | 'custom';
const WINDOWS: WindowKey[] = ['h24', 'h48', 'custom'];

export function SummaryPage({ patientId, role }: { patientId: string; role: Role }) {
  const { t, f } = useI18n();
  const v = useI18n().t;
  const resumeKey = useResumeKey();
  const [windowKey, setWindowKey] = useState<WindowKey>('h24');
  const [custom, setCustom] = useState<{ from: number; to: number }>(() => ({ from: Date.now() - 72 * HOUR_MS, to: Date.now() }));
  const patients = useResource((signal) => fetchPatients({ signal }), [resumeKey]);
  const name = patients.resource.data?.find((p) => p.id === patientId)?.displayName ?? t.patient.titleFallback;
  const title = v.summary.title(name);
  useDocumentTitle(title, t.app.name);

  const key = windowKey === 'custom' ? `c:${custom.from}:${custom.to}` : windowKey;
  const summary = useResource(
    (signal) => {
      const to = windowKey === 'custom' ? custom.to : Date.now();
      const from = windowKey === 'custom' ? custom.from : to - (windowKey === 'h24' ? 24 : 48) * HOUR_MS;
      return fetchSummary(patientId, from, to, { signal });
    },
    [patientId, key, resumeKey],
  );
  const data = summary.resource.data;
  const units: Record<string, string> = { heart_rate: t.patient.unitBpm, spo2: t.patient.unitPercent, steps: v.dashboard.unitSteps };
  const value = (n: number | null, metric: string) => (n === null ? v.summary.none : `${f.number(n, metric === 'heart_rate' || metric === 'steps' ? 0 : 1)} ${units[metric]}`);
  const maxSteps = Math.max(1, ...(data?.stepsPerDay.map((d) => d.steps) ?? [0]));

  return (
    <>
      <RoleNav role={role} />
      <p className="back">
        <Link href={`/patients/${encodeURIComponent(patientId)}`}>{v.summary.chartsLink}</Link>
      </p>
      <div className="page-head page-head--patient">
        <h1 data-testid="summary-title">{title}</h1>
        <div className="range" role="group" aria-label={v.summary.window}>
          <span className="range__label" aria-hidden="true">
            {v.summary.window}
          </span>
          {WINDOWS.map((w) => (
            <button key={w} type="button" className="range__button" aria-pressed={w === windowKey} data-testid={`window-${w}`} onClick={() => setWindowKey(w)}>
              {v.summary.windows[w]}
            </button>
          ))}
        </div>
      </div>
      {windowKey === 'custom' && <CustomRangeForm testId="summary-range" from={custom.from} to={custom.to} onApply={(a, b) => setCustom({ from: a, to: b })} />}
      {summary.resource.status === 'error' && <ErrorNotice error={summary.resource.error} onRetry={summary.reload} />}
      {!data && summary.resource.status === 'loading' && <p className="muted">{t.app.loading}</p>}
      {data && (
        <>
          <p className="muted">
            {f.shortDateTime(data.from)} → {f.shortDateTime(data.to)}
          </p>
          <section className="panel" aria-labelledby="summary-metrics">
            <h2 id="summary-metrics" className="panel__title">
              {v.summary.metric}
            </h2>
            <div className="table-wrap">
              <table className="summary-table" data-testid="summary-table">
                <thead>
                  <tr>
                    <th scope="col">{v.summary.metric}</th>
                    <th scope="col">{v.summary.min}</th>
                    <th scope="col">{v.summary.mean}</th>
                    <th scope="col">{v.summary.max}</th>
                    <th scope="col">{v.summary.count}</th>
                    <th scope="col">{v.summary.anomalies}</th>
                  </tr>
                </thead>
                <tbody>
                  {data.metrics.map((m) => (
                    <tr key={m.metric} data-testid="summary-row" data-metric={m.metric} data-anomalies={m.anomalies}>
                      <th scope="row">{v.summary.metrics[m.metric]}</th>
                      <td>{value(m.min, m.metric)}</td>
                      <td>{value(m.mean, m.metric)}</td>
                      <td>{value(m.max, m.metric)}</td>
                      <td>{f.number(m.count)}</td>
                      <td className={m.anomalies > 0 ? 'anomalies anomalies--some' : 'anomalies'}>
                        {m.thresholds.low === null && m.thresholds.high === null ? (
                          v.summary.none
                        ) : (
                          <>
                            <strong>{f.number(m.anomalies)}</strong>{' '}
                            <span className="muted small">
                              ({v.summary.anomaliesHint(m.thresholds.low === null ? '—' : `< ${m.thresholds.low}`, m.thresholds.high === null ? '—' : `> ${m.thresholds.high}`)})
                            </span>
                          </>
                        )}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </section>
          <section className="panel" aria-labelledby="steps-trend">
            <h2 id="steps-trend" className="panel__title">
              {v.summary.stepsTrend}
            </h2>
            {data.stepsPerDay.length === 0 ? (
              <p className="muted">{v.summary.stepsTrendEmpty}</p>
            ) : (
              <ul className="steps-trend" data-testid="steps-trend">
                {data.stepsPerDay.map((d) => (
                  <li key={d.day} className="steps-trend__day">
                    <span className="steps-trend__label">{f.day(new Date(`${d.day}T12:00:00`).getTime())}</span>
                    <span className="steps-trend__bar" style={{ width: `${Math.max(2, (d.steps / maxSteps) * 100)}%` }} aria-hidden="true" />
                    <span className="steps-trend__value">
                      {f.number(d.steps)} {v.dashboard.unitSteps}
                    </span>
                  </li>
                ))}
              </ul>
            )}
          </section>
          {/* The questionnaire's last answers (issue 12): `questionnaire` is null when none is set. */}
          <LastAnswers questionnaire={data.questionnaire} />
          <section className="panel alerts" aria-labelledby="summary-alerts">
            <h2 id="summary-alerts" className="panel__title">
              {v.summary.alerts}
            </h2>
            {data.alerts.length === 0 ? (
              <p className="muted">{v.summary.noAlerts}</p>
            ) : (
              <ol className="alert-list" aria-labelledby="summary-alerts">
                {data.alerts.map((a) => (
                  <AlertItem key={a.alertId} alert={a} isNew={false} timelineLink />
                ))}
              </ol>
            )}
          </section>
        </>
      )}
    </>
  );
}
