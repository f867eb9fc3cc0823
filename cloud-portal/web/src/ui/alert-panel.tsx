/**
 * The patient's alerts, newest first. New alerts and changes arriving live are announced through
 * two live regions: critical ones assertively (they interrupt), the rest politely. The list itself
 * is not a live region, so loading fifty alerts is not read aloud.
 */
import type { ReactNode } from 'react';
import type { PortalAlert } from '../api/types.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { AlertItem } from './alert-item.tsx';

export interface Announcement {
  text: string;
  assertive: boolean;
  /** Changes on every announcement, so the same sentence twice is read twice. */
  id: number;
}

export interface AlertPanelProps {
  alerts: readonly PortalAlert[];
  /** Ids of alerts that arrived live since the page opened (highlighted). */
  freshIds: ReadonlySet<string>;
  announcement: Announcement | null;
  /** False until the list has been loaded once (no "no alerts" while loading). */
  loaded: boolean;
  children?: ReactNode;
}

export function AlertPanel({ alerts, freshIds, announcement, loaded, children }: AlertPanelProps) {
  const { t } = useI18n();
  return (
    <section className="panel alerts" aria-labelledby="alerts-title" data-testid="alerts-panel">
      <h2 id="alerts-title" className="panel__title">
        {t.alerts.title}
      </h2>
      <div className="visually-hidden" aria-live="polite" data-testid="alerts-live-polite">
        {announcement && !announcement.assertive && <p key={announcement.id}>{announcement.text}</p>}
      </div>
      <div className="visually-hidden" aria-live="assertive" data-testid="alerts-live-assertive">
        {announcement?.assertive && <p key={announcement.id}>{announcement.text}</p>}
      </div>
      {children}
      <ol className="alert-list" data-testid="alert-list" aria-labelledby="alerts-title">
        {alerts.map((alert) => (
          <AlertItem key={alert.alertId} alert={alert} isNew={freshIds.has(alert.alertId)} timelineLink />
        ))}
      </ol>
      {loaded && alerts.length === 0 && <p className="muted">{t.alerts.empty}</p>}
    </section>
  );
}
