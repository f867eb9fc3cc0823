/**
 * A relative's page: their patient's serious alerts and where each stands — raised, SMS sent (to
 * whom), taken in charge (by whom) — updated live. No medical measurement.
 */
import { useState } from 'react';
import type { RelativeAlert } from '../api/types.ts';
import { fetchRelativeAlerts } from '../api/endpoints.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useResource } from '../ui/hooks/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useLiveEvent, useResumeKey } from '../ui/live.tsx';

export function RelativeAlertsPage() {
  const { t, f } = useI18n();
  const v = useI18n().t;
  const resumeKey = useResumeKey();
  const alerts = useResource((signal) => fetchRelativeAlerts({ signal }), [resumeKey]);
  const [announcement, setAnnouncement] = useState('');
  useDocumentTitle(v.relative.title, t.app.name);
  useLiveEvent('alert', (event) => {
    alerts.reload();
    setAnnouncement(t.alerts.announceUpdate(t.alerts.kinds[event.alert.kind], event.alert.number, t.alerts.states[event.alert.state]));
  });

  return (
    <>
      <div className="page-head">
        <h1>{v.relative.title}</h1>
      </div>
      <p className="lead">{v.relative.intro}</p>
      <div className="visually-hidden" aria-live="polite">
        {announcement}
      </div>
      {alerts.resource.status === 'error' && <ErrorNotice error={alerts.resource.error} onRetry={alerts.reload} />}
      {!alerts.resource.data && alerts.resource.status === 'loading' && <p className="muted">{t.app.loading}</p>}
      {alerts.resource.data?.length === 0 && <p className="notice">{v.relative.empty}</p>}
      <ol className="relative-alerts" data-testid="relative-alerts">
        {(alerts.resource.data ?? []).map((a) => (
          <RelativeAlertCard key={a.alertId} alert={a} format={f} />
        ))}
      </ol>
    </>
  );
}

function RelativeAlertCard({ alert, format: f }: { alert: RelativeAlert; format: ReturnType<typeof useI18n>['f'] }) {
  const { t } = useI18n();
  const v = useI18n().t;
  const ack = alert.acknowledgement;
  const smsDone = alert.smsSent.length > 0;
  const steps: { key: string; done: boolean; text: string }[] = [
    { key: 'raised', done: true, text: `${v.relative.steps.raised} — ${f.shortDateTime(alert.raisedAt)}` },
    { key: 'sms', done: smsDone, text: smsDone ? v.relative.smsTo(alert.smsSent.map((s) => s.contact).join(', ')) : v.relative.noSms },
    { key: 'ack', done: ack !== null, text: ack ? v.relative.ackBy(ack.by, ackVia(ack.by, t.alerts.ackVia[ack.via]), f.time(ack.at)) : v.relative.waiting },
  ];
  if (alert.state === 'closed') steps.push({ key: 'closed', done: true, text: v.relative.steps.closed });
  return (
    <li className="relative-alert" data-testid="relative-alert" data-alert-id={alert.alertId} data-alert-state={alert.state}>
      <h2 className="relative-alert__title">
        {t.alerts.kinds[alert.kind]} <span className="muted">— {alert.patientName}</span>
      </h2>
      <p className={`state state--${alert.state}`} data-testid="relative-alert-state">
        {alert.state === 'acknowledged' && ack ? t.alerts.acknowledgedBy(ack.by) : t.alerts.states[alert.state]}
      </p>
      <ol className="timeline">
        {steps.map((s) => (
          <li key={s.key} className={s.done ? 'timeline__step timeline__step--done' : 'timeline__step'} data-step={s.key} data-done={s.done}>
            <span aria-hidden="true" className="timeline__dot">
              {s.done ? '✓' : '…'}
            </span>
            {s.text}
          </li>
        ))}
      </ol>
    </li>
  );
}

/** The channel, unless the name already says it (the box quotes portal acknowledgements as "Name (portail)"). */
function ackVia(by: string, via: string): string | null {
  return by.toLowerCase().endsWith(`(${via.toLowerCase()})`) ? null : via;
}
