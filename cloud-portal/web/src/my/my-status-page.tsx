/**
 * The patient's own page: large type, high contrast, plain words. Does my system work (box online,
 * bracelet worn and charged, last sync), and what to do when it does not. A form to contact
 * support opens a ticket.
 */
import { useState, type FormEvent } from 'react';
import type { MyStatus, TicketTopic } from '../api/types.ts';
import { createTicket, fetchMyStatus, fetchMyTickets } from '../api/endpoints.ts';
import { ErrorNotice } from '../ui/error-notice.tsx';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { useNow } from '../ui/hooks/use-now.ts';
import { useResource } from '../ui/hooks/use-resource.ts';
import { useI18n, type Messages } from '../i18n/i18n.tsx';

interface Check {
  key: string;
  ok: boolean;
  title: string;
  text: string;
  fix?: string;
}

function checks(status: MyStatus, v: Messages): Check[] {
  const d = status.device;
  const list: Check[] = [];
  if (!d.boxId) list.push({ key: 'box', ok: false, title: v.me.box, text: v.me.noBox, fix: v.me.noBoxFix });
  else if (!d.boxOnline) list.push({ key: 'box', ok: false, title: v.me.box, text: v.me.boxOffline, fix: v.me.boxOfflineFix });
  else list.push({ key: 'box', ok: true, title: v.me.box, text: v.me.boxOnline });
  if (d.boxId) {
    list.push(
      status.braceletConnected
        ? { key: 'bracelet', ok: true, title: v.me.bracelet, text: v.me.braceletOk }
        : { key: 'bracelet', ok: false, title: v.me.bracelet, text: v.me.braceletAway, fix: v.me.braceletAwayFix },
    );
    const low = d.problems.includes('bracelet_battery_low');
    list.push({
      key: 'battery',
      ok: !low && d.braceletBattery !== null,
      title: d.braceletBattery === null ? v.me.batteryUnknown : v.me.battery(d.braceletBattery),
      text: low ? v.me.batteryLow : '',
      ...(low || d.braceletBattery === null ? { fix: v.me.batteryLowFix } : {}),
    });
    if (d.problems.includes('buffer_backlog')) list.push({ key: 'backlog', ok: false, title: v.me.backlog, text: '', fix: v.me.backlogFix });
  }
  return list;
}

export function MyStatusPage() {
  const { t, f } = useI18n();
  const v = useI18n().t;
  const now = useNow(30_000);
  const status = useResource((signal) => fetchMyStatus({ signal }), []);
  const tickets = useResource((signal) => fetchMyTickets({ signal }), []);
  useDocumentTitle(v.me.title, t.app.name);
  const data = status.resource.data;
  const list = data ? checks(data, v) : [];
  const allGood = list.every((c) => c.ok);

  return (
    <div className="me">
      <h1 className="me__title">{v.me.title}</h1>
      {status.resource.status === 'error' && <ErrorNotice error={status.resource.error} onRetry={status.reload} />}
      {!data && status.resource.status === 'loading' && <p>{t.app.loading}</p>}
      {data && (
        <>
          <p className={allGood ? 'me__verdict me__verdict--ok' : 'me__verdict me__verdict--bad'} data-testid="me-verdict" data-ok={allGood}>
            <span aria-hidden="true">{allGood ? '✓ ' : '! '}</span>
            {allGood ? v.me.allGood : v.me.needsAttention}
          </p>
          <ul className="me__checks">
            {list.map((c) => (
              <li key={c.key} className={c.ok ? 'me__check me__check--ok' : 'me__check me__check--bad'} data-testid="me-check" data-check={c.key} data-ok={c.ok}>
                <p className="me__check-title">
                  <span aria-hidden="true">{c.ok ? '✓ ' : '✗ '}</span>
                  {c.title}
                </p>
                {c.text && <p>{c.text}</p>}
                {c.fix && (
                  <p className="me__fix" data-testid="me-fix">
                    → {c.fix}
                  </p>
                )}
              </li>
            ))}
          </ul>
          <p className="me__sync" data-testid="me-sync">
            {v.me.sync} : {data.lastSyncAt === null ? v.me.syncNever : `${f.relative(data.lastSyncAt, now)} (${f.shortDateTime(data.lastSyncAt)})`}
          </p>
        </>
      )}
      <SupportForm onSent={tickets.reload} />
      {tickets.resource.data && tickets.resource.data.length > 0 && (
        <section className="me__tickets" aria-labelledby="my-tickets">
          <h2 id="my-tickets">{v.me.myTickets}</h2>
          <ul>
            {tickets.resource.data.map((ticket) => (
              <li key={ticket.id} data-testid="my-ticket">
                n° {ticket.number} — {v.me.topics[ticket.topic]} — {f.shortDateTime(ticket.createdAt)} — <strong>{v.support.statuses[ticket.status]}</strong>
              </li>
            ))}
          </ul>
        </section>
      )}
    </div>
  );
}

function SupportForm({ onSent }: { onSent: () => void }) {
  const v = useI18n().t;
  const [topic, setTopic] = useState<TicketTopic>('bracelet');
  const [message, setMessage] = useState('');
  const [callback, setCallback] = useState('');
  const [state, setState] = useState<{ kind: 'idle' } | { kind: 'sending' } | { kind: 'sent'; number: number } | { kind: 'error'; error: unknown } | { kind: 'invalid' }>({ kind: 'idle' });
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (message.trim() === '') {
      setState({ kind: 'invalid' });
      return;
    }
    setState({ kind: 'sending' });
    try {
      const ticket = await createTicket({ topic, message: message.trim(), ...(callback.trim() ? { callback: callback.trim() } : {}) });
      setState({ kind: 'sent', number: ticket.number });
      setMessage('');
      setCallback('');
      onSent();
    } catch (error) {
      setState({ kind: 'error', error });
    }
  };
  return (
    <section className="me__support" aria-labelledby="support-title">
      <h2 id="support-title">{v.me.supportTitle}</h2>
      <p>{v.me.supportIntro}</p>
      <form className="form me__form" onSubmit={(e) => void submit(e)} noValidate data-testid="support-form">
        <div className="field">
          <label htmlFor="support-topic">{v.me.topic}</label>
          <select id="support-topic" name="topic" value={topic} onChange={(e) => setTopic(e.target.value as TicketTopic)}>
            {(Object.keys(v.me.topics) as TicketTopic[]).map((k) => (
              <option key={k} value={k}>
                {v.me.topics[k]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="support-message">{v.me.message}</label>
          <textarea
            id="support-message"
            name="message"
            rows={4}
            maxLength={2000}
            value={message}
            onChange={(e) => setMessage(e.target.value)}
            aria-invalid={state.kind === 'invalid'}
            aria-describedby={state.kind === 'invalid' ? 'support-message-error' : undefined}
          />
          {state.kind === 'invalid' && (
            <p id="support-message-error" className="field__error" role="alert">
              {v.me.messageRequired}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor="support-callback">{v.me.callback}</label>
          <input id="support-callback" name="callback" type="tel" autoComplete="tel" maxLength={200} value={callback} onChange={(e) => setCallback(e.target.value)} />
        </div>
        <button type="submit" className="button button--primary me__send" disabled={state.kind === 'sending'}>
          {state.kind === 'sending' ? v.me.sending : v.me.send}
        </button>
        <div role="status" data-testid="support-status">
          {state.kind === 'sent' && <p className="notice notice--ok">{v.me.sent(state.number)}</p>}
        </div>
        {state.kind === 'error' && <ErrorNotice error={state.error} />}
      </form>
    </section>
  );
}
