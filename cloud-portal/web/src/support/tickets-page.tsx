/** Support requests for support and admins: list, and each request's status (open, in progress, closed). */
import { useState } from 'react';
import type { Role } from '../api/types.ts';
import type { TicketStatus } from '../api/types.ts';
import { fetchTickets, setTicketStatus } from '../api/endpoints.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useResource } from '../ui/hooks/use-resource.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { RoleNav } from '../ui/page-parts.tsx';

const STATUSES: TicketStatus[] = ['open', 'in_progress', 'closed'];

export function TicketsPage({ role }: { role: Role }) {
  const { t, f } = useI18n();
  const v = useI18n().t;
  const tickets = useResource((signal) => fetchTickets({ signal }), []);
  const [error, setError] = useState<unknown>(null);
  useDocumentTitle(v.support.ticketsTitle, t.app.name);

  const change = async (id: string, status: TicketStatus) => {
    try {
      const updated = await setTicketStatus(id, status);
      tickets.setData((list) => list.map((x) => (x.id === id ? updated : x)));
      setError(null);
    } catch (e) {
      setError(e);
    }
  };

  return (
    <>
      <RoleNav role={role} />
      <div className="page-head">
        <h1>{v.support.ticketsTitle}</h1>
      </div>
      {error !== null && <ErrorNotice error={error} />}
      {tickets.resource.status === 'error' && <ErrorNotice error={tickets.resource.error} onRetry={tickets.reload} />}
      {!tickets.resource.data && tickets.resource.status === 'loading' && <p className="muted">{t.app.loading}</p>}
      {tickets.resource.data?.length === 0 && <p className="notice">{v.support.ticketsEmpty}</p>}
      {tickets.resource.data && tickets.resource.data.length > 0 && (
        <div className="table-wrap">
          <table className="patients tickets" data-testid="tickets-table">
            <thead>
              <tr>
                <th scope="col">{v.support.ticketNumber}</th>
                <th scope="col">{v.support.created}</th>
                <th scope="col">{v.support.openedBy}</th>
                <th scope="col">{v.support.topic}</th>
                <th scope="col">{v.support.message}</th>
                <th scope="col">{v.support.callback}</th>
                <th scope="col">{v.support.ticketStatus}</th>
              </tr>
            </thead>
            <tbody>
              {tickets.resource.data.map((x) => (
                <tr key={x.id} data-testid="ticket-row" data-ticket-status={x.status}>
                  <th scope="row">{x.number}</th>
                  <td>{f.shortDateTime(x.createdAt)}</td>
                  <td>
                    {x.openedBy ? `${x.openedBy.displayName} (${t.roles[x.openedBy.role]})` : '—'}
                    {x.boxId && <span className="mono small"> · {x.boxId}</span>}
                  </td>
                  <td>{v.me.topics[x.topic]}</td>
                  <td className="tickets__message">{x.message}</td>
                  <td>{x.callback ?? '—'}</td>
                  <td>
                    <select aria-label={v.support.setStatus(x.number)} value={x.status} data-testid="ticket-status" onChange={(e) => void change(x.id, e.target.value as TicketStatus)}>
                      {STATUSES.map((s) => (
                        <option key={s} value={s}>
                          {v.support.statuses[s]}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
