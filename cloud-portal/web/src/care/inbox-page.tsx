/**
 * The alerts inbox of the care team: open alerts of every patient followed, updated live over the
 * event stream. "Acknowledge" sends the acknowledgement to the box (which owns the alert); the
 * alert then reads « acquittement envoyé au boîtier » until the box reports it acknowledged.
 * Below them, a distinct kind of item: equipment events ("no data" from the box or the bracelet,
 * a faulty sensor), which end by themselves.
 */
import { useState } from 'react';
import { OPEN_ALERT_STATES } from '@vigie/protocol/alert-states';
import type { Role } from '../api/types.ts';
import type { InboxAlert } from '../api/types.ts';
import { acknowledgeAlert } from '../api/endpoints.ts';
import { AlertItem } from '../ui/alert-item.tsx';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useNow } from '../ui/hooks/use-now.ts';
import { useResource } from '../ui/hooks/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useLiveEvent, useResumeKey } from '../ui/live.tsx';
import { Link } from '../ui/navigation.tsx';
import { DeviceEventList, fetchInboxView, useDeviceEventText } from './device-events.tsx';
import { RoleNav } from '../ui/page-parts.tsx';

type AckState = 'sending' | 'sent' | 'not-queued' | 'failed';
const OPEN: ReadonlySet<string> = new Set(OPEN_ALERT_STATES);

export function InboxPage({ role }: { role: Role }) {
  const { t, f } = useI18n();
  const v = useI18n().t;
  const resumeKey = useResumeKey();
  const now = useNow(60_000);
  const inbox = useResource((signal) => fetchInboxView({ signal }), [resumeKey]);
  const [acks, setAcks] = useState<Record<string, AckState>>({});
  const [announcement, setAnnouncement] = useState('');
  const deviceEventText = useDeviceEventText();
  useDocumentTitle(v.inbox.title, t.app.name);

  useLiveEvent('alert', (event) => {
    const known = inbox.resource.data?.alerts.find((a) => a.alertId === event.alert.alertId);
    if (!known) {
      // A new alert: the patient's name is the server's to give.
      inbox.reload();
      setAnnouncement(t.alerts.announceNew(t.alerts.kinds[event.alert.kind], ''));
      return;
    }
    inbox.setData((view) => ({ ...view, alerts: view.alerts.map((a) => (a.alertId === event.alert.alertId ? { ...a, ...event.alert } : a)) }));
  });

  useLiveEvent('fleet', (event) => {
    if (event.state === 'resolved') {
      inbox.setData((view) => ({ ...view, deviceEvents: view.deviceEvents.filter((e) => e.eventId !== event.eventId) }));
      return;
    }
    // A new equipment event: the patient's name is the server's to give.
    if (event.patientId === null || inbox.resource.data?.deviceEvents.some((e) => e.eventId === event.eventId)) return;
    inbox.reload();
    setAnnouncement(v.deviceEvents.announce(deviceEventText(event, Date.now())));
  });

  const acknowledge = async (alert: InboxAlert) => {
    setAcks((s) => ({ ...s, [alert.alertId]: 'sending' }));
    try {
      const { queued } = await acknowledgeAlert(alert.alertId);
      setAcks((s) => ({ ...s, [alert.alertId]: queued ? 'sent' : 'not-queued' }));
      inbox.reload();
      setAnnouncement(queued ? v.inbox.sentToBox : v.inbox.notQueued);
    } catch {
      setAcks((s) => ({ ...s, [alert.alertId]: 'failed' }));
    }
  };

  const alerts = inbox.resource.data?.alerts ?? [];
  const deviceEvents = inbox.resource.data?.deviceEvents ?? [];
  const openCount = alerts.filter((a) => OPEN.has(a.state)).length;

  return (
    <>
      <RoleNav role={role} />
      <div className="page-head">
        <h1>{v.inbox.title}</h1>
        {inbox.resource.data && <p className="muted" data-testid="inbox-count">{v.inbox.open(openCount)}</p>}
      </div>
      <p className="lead">{v.inbox.intro}</p>
      <div className="visually-hidden" aria-live="polite">
        {announcement}
      </div>
      {inbox.resource.status === 'error' && <ErrorNotice error={inbox.resource.error} onRetry={inbox.reload} />}
      {!inbox.resource.data && inbox.resource.status === 'loading' && <p className="muted">{t.app.loading}</p>}
      {inbox.resource.data && alerts.length === 0 && <p className="notice">{v.inbox.empty}</p>}
      <ol className="alert-list inbox" data-testid="inbox-list" aria-label={v.inbox.title}>
        {alerts.map((alert) => {
          // Sent to the box: asked here, or already known to the server (another tab, a colleague).
          const ack = acks[alert.alertId] ?? (alert.ackRequest && alert.ackRequest.doneAt === null ? 'sent' : undefined);
          const canAck = OPEN.has(alert.state) && ack !== 'sending' && ack !== 'sent';
          return (
            <li key={alert.alertId} className="inbox__item" data-testid="inbox-item" data-alert-id={alert.alertId} data-alert-state={alert.state}>
              <p className="inbox__patient">
                <span className="muted">{v.inbox.patient} : </span>
                <Link href={`/patients/${encodeURIComponent(alert.patientId)}`}>{alert.patientName}</Link>
              </p>
              <ul className="alert-list alert-list--single">
                <AlertItem alert={alert} isNew={false} timelineLink />
              </ul>
              <div className="inbox__actions">
                {canAck && (
                  <button type="button" className="button button--primary" data-testid="ack-button" onClick={() => void acknowledge(alert)}>
                    {v.inbox.acknowledge}
                  </button>
                )}
                {ack === 'sending' && <span className="muted">{v.inbox.sending}</span>}
                {ack === 'sent' && OPEN.has(alert.state) && (
                  <span className="badge badge--info" data-testid="ack-sent">
                    {v.inbox.sentToBox}
                    {alert.ackRequest ? ` — ${alert.ackRequest.by}, ${f.time(alert.ackRequest.requestedAt)}` : ''}
                  </span>
                )}
                {ack === 'not-queued' && <span className="badge badge--calm">{v.inbox.notQueued}</span>}
                {ack === 'failed' && (
                  <span className="notice notice--error" role="alert">
                    {v.inbox.failed}
                  </span>
                )}
              </div>
            </li>
          );
        })}
      </ol>
      <DeviceEventList items={deviceEvents} now={now} />
    </>
  );
}
