/** The patient chooses which linked relatives may answer the questionnaire on their behalf. */
import { useState } from 'react';
import { fetchProxies, setProxy } from '../../api/questionnaire.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { useResource } from '../../ui/hooks/use-resource.ts';

export function ProxiesSection() {
  const { t } = useI18n();
  const q = t.questionnaire;
  const proxies = useResource((signal) => fetchProxies({ signal }), []);
  const [error, setError] = useState<unknown>(null);
  const list = proxies.resource.data;

  const toggle = (accountId: string, allowed: boolean) => {
    setError(null);
    proxies.setData((all) => all.map((p) => (p.accountId === accountId ? { ...p, allowed } : p)));
    setProxy(accountId, allowed).then(proxies.reload, (e: unknown) => {
      setError(e);
      proxies.reload();
    });
  };

  return (
    <section className="q-proxies" aria-labelledby="q-proxies" data-testid="q-proxies">
      <h2 id="q-proxies">{q.proxiesTitle}</h2>
      <p className="q-help">{q.proxiesHelp}</p>
      {proxies.resource.status === 'error' && <ErrorNotice error={proxies.resource.error} onRetry={proxies.reload} />}
      {list && list.length === 0 && <p className="q-help">{q.proxiesNone}</p>}
      {list && list.length > 0 && (
        <ul className="q-proxies__list">
          {list.map((p) => (
            <li key={p.accountId}>
              <label className="q-proxies__item">
                <input type="checkbox" checked={p.allowed} data-testid="q-proxy" onChange={(e) => toggle(p.accountId, e.currentTarget.checked)} />
                {p.displayName ?? p.accountId}
              </label>
            </li>
          ))}
        </ul>
      )}
      {error !== null && <ErrorNotice error={error} />}
    </section>
  );
}
