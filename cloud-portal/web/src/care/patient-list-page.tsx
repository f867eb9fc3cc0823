/**
 * The care team's patient list at a glance: last data, open alerts and equipment problems (box
 * silent, bracelet battery low or out of reach, data waiting on the box) and the open equipment
 * events ("no data", faulty sensor: since when). Patients needing attention first. Live readings
 * refresh "last data"; a live alert reloads the list; a live equipment event is added or removed
 * in place.
 */
import { useMemo, useRef } from 'react';
import type { Role } from '../api/types.ts';
import type { CarePatientRow } from '../api/types.ts';
import { fetchCarePatients } from '../api/endpoints.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useNow } from '../ui/hooks/use-now.ts';
import { useResource } from '../ui/hooks/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useLiveEvent, useResumeKey } from '../ui/live.tsx';
import { Link } from '../ui/navigation.tsx';
import { DeviceEventBadges, problemsBesides } from './device-events.tsx';
import { ProblemBadges, RoleNav } from '../ui/page-parts.tsx';

const STALE_MS = 60 * 60_000;

export function PatientListPage({ role }: { role: Role }) {
  const { t, locale } = useI18n();
  const v = useI18n().t;
  const now = useNow(30_000);
  const resumeKey = useResumeKey();
  const { resource, reload, setData } = useResource((signal) => fetchCarePatients({ signal }), [resumeKey]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useDocumentTitle(t.patients.title, t.app.name);

  useLiveEvent('reading', (event) => {
    setData((rows) => rows.map((p) => (p.id === event.patientId && (p.lastReadingAt ?? 0) < event.ts ? { ...p, lastReadingAt: event.ts } : p)));
  });
  useLiveEvent('alert', () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(reload, 1_000);
  });
  useLiveEvent('fleet', (event) => {
    const { eventId, kind, boxId, since, raisedAt } = event;
    setData((rows) =>
      rows.map((p) => {
        const others = p.deviceEvents.filter((e) => e.eventId !== eventId);
        if (event.state === 'resolved') return others.length === p.deviceEvents.length ? p : { ...p, deviceEvents: others };
        return p.id === event.patientId && others.length === p.deviceEvents.length ? { ...p, deviceEvents: [{ eventId, kind, boxId, since, raisedAt }, ...others] } : p;
      }),
    );
  });

  const rows = useMemo(() => sortForCare(resource.data ?? [], locale), [resource.data, locale]);

  return (
    <>
      <RoleNav role={role} />
      <div className="page-head">
        <h1>{t.patients.title}</h1>
        {resource.data && <p className="muted">{t.patients.count(resource.data.length)}</p>}
      </div>
      {resource.status === 'error' && <ErrorNotice error={resource.error} onRetry={reload} />}
      {resource.status === 'loading' && !resource.data && <p className="muted">{t.app.loading}</p>}
      {resource.data && resource.data.length === 0 && <p className="notice">{t.patients.empty}</p>}
      {rows.length > 0 && (
        <div className="table-wrap">
          <table className="patients" data-testid="patient-list">
            <thead>
              <tr>
                <th scope="col">{t.patients.name}</th>
                <th scope="col">{t.patients.lastData}</th>
                <th scope="col">{t.patients.openAlerts}</th>
                <th scope="col">{v.care.devices}</th>
                <th scope="col">{v.care.summaryLink}</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((p) => {
                const stale = p.lastReadingAt === null || now - p.lastReadingAt > STALE_MS;
                const problems = problemsBesides(p.device.problems, p.deviceEvents);
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
                    <td>
                      <DeviceEventBadges events={p.deviceEvents} now={now} />
                      {(problems.length > 0 || p.deviceEvents.length === 0) && <ProblemBadges problems={problems} />}
                      {p.boxId && <span className="mono small">{p.boxId}</span>}
                    </td>
                    <td>
                      <Link href={`/patients/${encodeURIComponent(p.id)}/summary`} data-testid="summary-link" aria-label={`${v.care.summaryLink} — ${p.displayName}`}>
                        {v.care.summaryLink}
                      </Link>
                    </td>
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

/** Open alerts first, then equipment events, then equipment problems, then by name. */
function sortForCare(rows: readonly CarePatientRow[], locale: string): CarePatientRow[] {
  return [...rows].sort(
    (a, b) =>
      b.openAlerts - a.openAlerts ||
      b.deviceEvents.length - a.deviceEvents.length ||
      b.device.problems.length - a.device.problems.length ||
      a.displayName.localeCompare(b.displayName, locale, { sensitivity: 'base' }),
  );
}
