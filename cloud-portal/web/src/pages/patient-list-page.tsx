/**
 * The care team's list: each patient with the age of their last data and their open alerts.
 * Patients with open alerts come first. Live readings refresh "last data"; a live alert reloads
 * the list (the open count is the server's to compute).
 */
import { useMemo, useRef } from 'react';
import { fetchPatients } from '../api/endpoints.ts';
import type { PatientSummary } from '../api/types.ts';
import { ErrorNotice } from '../components/error-notice.tsx';
import { RelativeTime } from '../components/relative-time.tsx';
import { useDocumentTitle } from '../hooks/use-document-title.ts';
import { useNow } from '../hooks/use-now.ts';
import { useResource } from '../hooks/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useLiveEvent, useResumeKey } from '../live.tsx';
import { Link } from '../router.tsx';

/** Data older than this is flagged: the box forwards heart rate every 10 minutes. */
const STALE_MS = 60 * 60_000;
const ALERT_RELOAD_DEBOUNCE_MS = 1_000;

export function PatientListPage() {
  const { t, locale } = useI18n();
  const now = useNow(30_000);
  const resumeKey = useResumeKey();
  const { resource, reload, setData } = useResource((signal) => fetchPatients({ signal }), [resumeKey]);
  const reloadTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useDocumentTitle(t.patients.title, t.app.name);

  useLiveEvent('reading', (event) => {
    setData((patients) =>
      patients.map((p) =>
        String(p.id) === event.patientId && (p.lastReadingAt ?? 0) < event.ts ? { ...p, lastReadingAt: event.ts } : p,
      ),
    );
  });
  useLiveEvent('alert', () => {
    clearTimeout(reloadTimer.current);
    reloadTimer.current = setTimeout(reload, ALERT_RELOAD_DEBOUNCE_MS);
  });

  const patients = useMemo(() => sortForCare(resource.data ?? [], locale), [resource.data, locale]);

  return (
    <>
      <div className="page-head">
        <h1>{t.patients.title}</h1>
        {resource.data && <p className="muted">{t.patients.count(resource.data.length)}</p>}
      </div>
      {resource.status === 'error' && <ErrorNotice error={resource.error} onRetry={reload} />}
      {resource.status === 'loading' && !resource.data && <p className="muted">{t.app.loading}</p>}
      {resource.data && resource.data.length === 0 && <p className="notice">{t.patients.empty}</p>}
      {patients.length > 0 && (
        <div className="table-wrap">
          <table className="patients" data-testid="patient-list">
            <thead>
              <tr>
                <th scope="col">{t.patients.name}</th>
                <th scope="col">{t.patients.lastData}</th>
                <th scope="col">{t.patients.openAlerts}</th>
                <th scope="col">{t.patients.box}</th>
              </tr>
            </thead>
            <tbody>
              {patients.map((p) => {
                const stale = p.lastReadingAt === null || now - p.lastReadingAt > STALE_MS;
                return (
                  <tr key={p.id} data-testid="patient-row" data-patient-id={p.id}>
                    <th scope="row">
                      <Link href={`/patients/${encodeURIComponent(p.id)}`} className="patients__link">
                        {p.displayName}
                      </Link>
                    </th>
                    <td className={stale ? 'stale' : undefined}>
                      {p.lastReadingAt === null ? t.patients.never : <RelativeTime ms={p.lastReadingAt} now={now} />}
                      {stale && p.lastReadingAt !== null && <span className="stale__hint">{t.patients.staleHint}</span>}
                    </td>
                    <td>
                      {p.openAlerts > 0 ? (
                        <span className="badge badge--alert" data-testid="open-alerts">
                          {t.patients.openAlertsBadge(p.openAlerts)}
                        </span>
                      ) : (
                        <span className="badge badge--calm">{t.patients.noOpenAlert}</span>
                      )}
                    </td>
                    <td className={p.boxId ? 'mono' : 'muted'}>{p.boxId ?? t.patients.noBox}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** Open alerts first (most first), then by name in the user's language. */
function sortForCare(patients: readonly PatientSummary[], locale: string): PatientSummary[] {
  return [...patients].sort(
    (a, b) => b.openAlerts - a.openAlerts || a.displayName.localeCompare(b.displayName, locale, { sensitivity: 'base' }),
  );
}
