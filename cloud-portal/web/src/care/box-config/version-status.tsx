/** The version in force, whether the box applied it, and the versions before it. */
import type { BoxConfigView } from '../../api/types.ts';
import type { I18n, Messages } from '../../i18n/i18n.tsx';

type BoxConfigTexts = Messages['boxConfig'];
type Formatters = I18n['f'];

/** The version in force and whether the box applied it (words and a symbol, never colour alone). */
export function VersionStatus({ data, b, f, minutes }: { data: BoxConfigView; b: BoxConfigTexts; f: Formatters; minutes: number }) {
  if (data.version === null) return null;
  const applied = data.appliedVersion !== null && data.appliedVersion >= data.version;
  return (
    <section className="panel box-config__status" aria-labelledby="box-config-status" data-testid="box-config-status">
      <h2 id="box-config-status" className="panel__title">
        {applied ? <span className="badge badge--calm">✓ {b.applied}</span> : <span className="badge box-config__badge-pending">{b.pending}…</span>}
      </h2>
      <p>{b.current(data.version, data.changedBy ?? '', f.shortDateTime(data.changedAt ?? 0))}</p>
      {!applied && <p className="muted">{b.pendingHelp(minutes)}</p>}
      <p className="muted small">{data.boxLastHeardAt === null ? b.neverHeard : b.lastHeard(f.shortDateTime(data.boxLastHeardAt))}</p>
    </section>
  );
}

/** Every version saved from the portal, newest first. */
export function History({ data, b, f }: { data: BoxConfigView; b: BoxConfigTexts; f: Formatters }) {
  if (data.history.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="box-config-history">
      <h2 id="box-config-history" className="panel__title">
        {b.historyTitle}
      </h2>
      <div className="table-wrap">
        <table className="box-config__history" data-testid="box-config-history">
          <thead>
            <tr>
              <th scope="col">{b.historyVersion}</th>
              <th scope="col">{b.historyBy}</th>
              <th scope="col">{b.historyAt}</th>
              <th scope="col">{b.historyContacts}</th>
            </tr>
          </thead>
          <tbody>
            {data.history.map((h) => (
              <tr key={h.version}>
                <td>{h.version}</td>
                <td>{h.changedBy}</td>
                <td>{f.shortDateTime(h.changedAt)}</td>
                <td>{h.contacts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
