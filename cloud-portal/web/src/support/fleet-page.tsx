/**
 * Support's fleet view: every box's health (no medical value), the ones needing action first.
 * Reloaded when a fleet event is raised or ends (live), and when the live stream comes back.
 */
import { useRef } from 'react';
import type { Role } from '../api/types.ts';
import { fetchFleet } from '../api/endpoints.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { RelativeTime } from '../ui/relative-time.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useNow } from '../ui/hooks/use-now.ts';
import { useResource } from '../ui/hooks/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useLiveEvent, useResumeKey } from '../ui/live.tsx';
import { ProblemBadges, RoleNav } from '../ui/page-parts.tsx';
import { AlertLatencyPanel } from './alert-latency-panel.tsx';

export function FleetPage({ role }: { role: Role }) {
  const { t, f } = useI18n();
  const v = useI18n().t;
  const now = useNow(30_000);
  const resumeKey = useResumeKey();
  const fleet = useResource((signal) => fetchFleet({ signal }), [resumeKey]);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // A detector pass raises or ends its events together: one reload for them all.
  useLiveEvent('fleet', () => {
    clearTimeout(timer.current);
    timer.current = setTimeout(fleet.reload, 1_000);
  });
  useDocumentTitle(v.support.fleetTitle, t.app.name);
  const data = fleet.resource.data;
  return (
    <>
      <RoleNav role={role} />
      <div className="page-head">
        <h1>{v.support.fleetTitle}</h1>
        {data && (
          <p className="muted" data-testid="fleet-totals">
            {v.support.totals(data.totals.boxes, data.totals.silent, data.totals.lowBattery, data.totals.backlog)}
          </p>
        )}
      </div>
      <p className="lead">{v.support.fleetIntro}</p>
      {fleet.resource.status === 'error' && <ErrorNotice error={fleet.resource.error} onRetry={fleet.reload} />}
      {!data && fleet.resource.status === 'loading' && <p className="muted">{t.app.loading}</p>}
      {data && (
        <>
          <div className="table-wrap fleet-wrap">
            <table className="patients fleet" data-testid="fleet-table">
              <thead>
                <tr>
                  <th scope="col">{v.support.box}</th>
                  <th scope="col">{v.support.status}</th>
                  <th scope="col">{v.support.lastHeartbeat}</th>
                  <th scope="col">{v.support.battery}</th>
                  <th scope="col">{v.support.signal}</th>
                  <th scope="col">{v.support.buffer}</th>
                  <th scope="col">{v.support.version}</th>
                  <th scope="col">{v.support.selfTest}</th>
                </tr>
              </thead>
              <tbody>
                {data.boxes.map((b) => (
                  <tr key={b.boxId} data-testid="fleet-row" data-box-id={b.boxId} data-silent={b.silent}>
                    <th scope="row" className="mono">
                      {b.boxId}
                    </th>
                    <td>
                      <ProblemBadges problems={b.problems} />
                    </td>
                    <td>{b.lastHeartbeatAt === null ? v.support.never : <RelativeTime ms={b.lastHeartbeatAt} now={now} />}</td>
                    <td>{b.braceletBattery === null ? '—' : `${b.braceletBattery} %`}</td>
                    <td>{b.signal === null ? '—' : v.support.signalValue(b.signal)}</td>
                    <td>{b.bufferDepth === null ? '—' : v.support.readings(b.bufferDepth)}</td>
                    <td className="mono">{b.software ?? '—'}</td>
                    <td data-testid="fleet-selftest" data-failed={b.selfTest?.failed.join(' ') ?? ''}>
                      {b.selfTest === null ? (
                        v.support.selfTestNone
                      ) : b.selfTest.failed.length === 0 ? (
                        v.support.selfTestPassed
                      ) : (
                        <strong>{v.support.selfTestFailed(b.selfTest.failed.map((c) => v.support.selfTestChecks[c]).join(', '))}</strong>
                      )}
                      {b.selfTest && (
                        <>
                          {' '}
                          <span className="muted">
                            (<RelativeTime ms={b.selfTest.at} now={now} />)
                          </span>
                        </>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <AlertLatencyPanel resumeKey={resumeKey} />
          <section className="panel" aria-labelledby="fleet-events">
            <h2 id="fleet-events" className="panel__title">
              {v.support.eventsTitle}
            </h2>
            {data.events.length === 0 ? (
              <p className="muted">{v.support.noEvents}</p>
            ) : (
              <ul data-testid="fleet-events">
                {data.events.map((e) => (
                  <li key={`${e.kind}-${e.boxId}`}>
                    <span className="mono">{e.boxId}</span> — {v.support.eventKinds[e.kind]} {v.support.since(f.shortDateTime(e.since))}
                  </li>
                ))}
              </ul>
            )}
          </section>
          <section className="panel" aria-labelledby="fleet-versions">
            <h2 id="fleet-versions" className="panel__title">
              {v.support.versions}
            </h2>
            <ul data-testid="fleet-versions">
              {data.versions.map((x) => (
                <li key={x.version}>{v.support.versionCount(x.version, x.boxes)}</li>
              ))}
            </ul>
          </section>
        </>
      )}
    </>
  );
}
