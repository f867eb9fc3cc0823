/** One alert: what happened, when, and where the response stands (« SMS envoyés », « Prise en charge par … »). */
import type { PortalAlert } from '../api/types.ts';
import type { I18n } from '../i18n/i18n.tsx';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from './navigation.tsx';

/** The alert's state in words, naming who took it in charge when known. */
export function alertStateText({ t }: Pick<I18n, 't'>, alert: PortalAlert): string {
  if (alert.state === 'acknowledged' && alert.acknowledgement) return t.alerts.acknowledgedBy(alert.acknowledgement.by);
  return t.alerts.states[alert.state];
}

/** `timelineLink`: the care team's pages link each alert to its page (its stages and delays). */
export function AlertItem({ alert, isNew, timelineLink = false }: { alert: PortalAlert; isNew: boolean; timelineLink?: boolean }) {
  const i18n = useI18n();
  const { t, f } = i18n;
  const closed = alert.state === 'closed';
  const classes = ['alert', `alert--${alert.severity}`, closed ? 'alert--closed' : '', isNew ? 'alert--new' : '']
    .filter(Boolean)
    .join(' ');
  const ack = alert.acknowledgement;
  return (
    <li
      className={classes}
      data-testid="alert-item"
      data-alert-id={alert.alertId}
      data-alert-kind={alert.kind}
      data-alert-state={alert.state}
      data-alert-severity={alert.severity}
    >
      <div className="alert__head">
        <span className={`severity severity--${alert.severity}`}>{t.alerts.severities[alert.severity]}</span>
        <h3 className="alert__title">{t.alerts.kinds[alert.kind] ?? alert.kind}</h3>
        <span className="alert__number">{t.alerts.number(alert.number)}</span>
        {timelineLink && (
          <Link href={`/alerts/${encodeURIComponent(alert.alertId)}`} data-testid="alert-timeline-link">
            {t.alertTimeline.open}
          </Link>
        )}
      </div>
      <p className="alert__meta">
        <time dateTime={new Date(alert.raisedAt).toISOString()} title={f.fullDateTime(alert.raisedAt)}>
          {f.shortDateTime(alert.raisedAt)}
        </time>
        <span aria-hidden="true"> · </span>
        <span className={`state state--${alert.state}`} data-testid="alert-state">
          {alertStateText(i18n, alert)}
        </span>
        {ack && alert.state === 'acknowledged' && (
          <span className="alert__ack-detail"> {t.alerts.ackDetail(t.alerts.ackVia[ack.via], f.time(ack.at))}</span>
        )}
      </p>
      {ack && alert.state !== 'acknowledged' && (
        <p className="alert__ack">
          {t.alerts.acknowledgedBy(ack.by)} {t.alerts.ackDetail(t.alerts.ackVia[ack.via], f.time(ack.at))}
        </p>
      )}
      {alert.notifications.length > 0 && (
        <details className="alert__notifications" open={!closed}>
          <summary>
            {t.alerts.notifications} ({alert.notifications.length})
          </summary>
          <ul>
            {alert.notifications.map((n, i) => (
              <li key={`${n.contact}-${n.at}-${i}`} className={`notification notification--${n.status}`}>
                <span className="notification__contact">{n.contact}</span>
                <span className="notification__status">{t.alerts.notificationStatus[n.status]}</span>
                <time dateTime={new Date(n.at).toISOString()}>{f.time(n.at)}</time>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}
