/** Support's view of the fleet's alert delays: p50 and p99 of each stage after detection, over 30 days. */
import { fetchAlertLatency } from '../api/endpoints.ts';
import { elapsed } from '../ui/elapsed.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { useResource } from '../ui/hooks/use-resource.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';

export function AlertLatencyPanel({ resumeKey }: { resumeKey: number }) {
  const i18n = useI18n();
  const w = i18n.t.alertTimeline;
  const latency = useResource((signal) => fetchAlertLatency({ signal }), [resumeKey]);
  const stages = latency.resource.data?.filter((s) => s.count > 0);
  return (
    <section className="panel" aria-labelledby="alert-latency">
      <h2 id="alert-latency" className="panel__title">
        {w.fleetTitle}
      </h2>
      {latency.resource.status === 'error' && <ErrorNotice error={latency.resource.error} onRetry={latency.reload} />}
      {stages && stages.length === 0 && <p className="muted">{w.fleetEmpty}</p>}
      {stages && stages.length > 0 && (
        <div className="table-wrap">
          <table className="patients" data-testid="alert-latency-table">
            <thead>
              <tr>
                <th scope="col">{w.fleetStage}</th>
                <th scope="col">{w.fleetCount}</th>
                <th scope="col">{w.fleetP50}</th>
                <th scope="col">{w.fleetP99}</th>
              </tr>
            </thead>
            <tbody>
              {stages.map((s) => (
                <tr key={s.stage} data-testid="alert-latency-row" data-stage={s.stage}>
                  <th scope="row">{w.stages[s.stage]}</th>
                  <td>{s.count}</td>
                  <td>{s.p50Ms === null ? '—' : w.after(elapsed(i18n, s.p50Ms))}</td>
                  <td>{s.p99Ms === null ? '—' : w.after(elapsed(i18n, s.p99Ms))}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
