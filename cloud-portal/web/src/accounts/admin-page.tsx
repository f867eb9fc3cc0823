/**
 * `/admin/<tab>`: accounts, care links, devices, registrations, the change log and the access log.
 * Destructive actions ask the admin to type the item's name (the server checks it again); every
 * change is audited server-side.
 */
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useDocumentTitle } from '../hooks/use-document-title.ts';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../router.tsx';
import { adminGet, adminPost } from './accounts-api.ts';
import { ADMIN_TABS, type AdminTab } from './admin-tabs.ts';
import { useAccountsText } from './accounts-text.ts';
import { Notice } from './public-pages.tsx';


interface Account { id: string; email: string; displayName: string; role: string; disabledAt: number | null }
interface PatientRow { id: string; displayName: string; deletedAt: number | null }
interface LinkRow { patientId: string; patientName: string; accountId: string; accountEmail: string; accountName: string; relation: string; removedAt: number | null }
interface Device { kind: 'box' | 'bracelet'; serial: string; current: { patientName: string } | null }
interface Registration { id: string; submittedAt: number; status: string; details: { patient: { displayName: string }; doctor: { email: string } }; prescription: { type: string } }
interface AuditRow { id: number; at: number; actorEmail: string | null; action: string; entityId: string; before: unknown; after: unknown }
interface AccessRow { id: number; at: number; accountEmail: string | null; patientName: string | null; action: string }

/** Load `path` and reload on demand. */
function useAdmin<T>(path: string): { data: T | null; error: unknown; reload: () => void } {
  const [data, setData] = useState<T | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [n, setN] = useState(0);
  useEffect(() => {
    let live = true;
    adminGet<T>(path).then((d) => live && setData(d), (e: unknown) => live && setError(e));
    return () => {
      live = false;
    };
  }, [path, n]);
  return { data, error, reload: useCallback(() => setN((x) => x + 1), []) };
}

function Table({ head, children }: { head: string[]; children: ReactNode }) {
  return (
    <div className="table-wrap">
      <table className="admin-table">
        <thead><tr>{head.map((h) => <th key={h} scope="col">{h}</th>)}</tr></thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  );
}

export function AdminPage({ tab }: { tab: AdminTab }) {
  const { t, f } = useI18n();
  const a = useAccountsText();
  useDocumentTitle(`${a.admin} — ${a.tabs[tab]}`, t.app.name);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  /** Run an admin change, say how it went, reload the tab. */
  const act = (reload: () => void) => async (run: () => Promise<unknown>) => {
    try {
      await run();
      setMessage({ kind: 'ok', text: a.done });
    } catch (caught) {
      setMessage({ kind: 'error', text: errorText(t, caught) });
    }
    reload();
  };
  /** Ask for the typed confirmation of a destructive action; null when cancelled. */
  const confirmName = (name: string) => window.prompt(a.confirmPrompt(name));
  const when = (ms: number) => f.shortDateTime(ms);

  return (
    <section>
      <h1>{a.admin}</h1>
      <nav aria-label={a.admin}>
        <ul className="tabs">
          {ADMIN_TABS.map((x) => (
            <li key={x}><Link href={`/admin/${x}`} aria-current={x === tab ? 'page' : undefined}>{a.tabs[x]}</Link></li>
          ))}
        </ul>
      </nav>
      <Notice kind={message?.kind ?? 'ok'} text={message?.text ?? null} />
      {tab === 'accounts' && <AccountsTab act={act} confirmName={confirmName} />}
      {tab === 'links' && <LinksTab act={act} confirmName={confirmName} />}
      {tab === 'devices' && <DevicesTab act={act} confirmName={confirmName} />}
      {tab === 'registrations' && <RegistrationsTab act={act} when={when} />}
      {tab === 'audit' && <AuditTab when={when} />}
      {tab === 'access' && <AccessTab when={when} />}
    </section>
  );
}

type Act = (reload: () => void) => (run: () => Promise<unknown>) => Promise<void>;

function AccountsTab({ act, confirmName }: { act: Act; confirmName: (n: string) => string | null }) {
  const { t } = useI18n();
  const a = useAccountsText();
  const { data, reload } = useAdmin<{ accounts: Account[] }>('accounts');
  const [form, setForm] = useState({ email: '', displayName: '', role: 'doctor' });
  const run = act(reload);
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(() => adminPost('accounts', form));
  };
  return (
    <>
      <form className="form form--inline" onSubmit={create} data-testid="account-form">
        <label>{a.email} <input name="email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} /></label>
        <label>{a.name} <input name="displayName" required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} /></label>
        <label>{a.role} <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
          {(['doctor', 'nurse', 'relative', 'patient', 'support', 'admin'] as const).map((r) => <option key={r} value={r}>{t.roles[r]}</option>)}
        </select></label>
        <button type="submit" className="button button--primary">{a.create}</button>
      </form>
      <Table head={[a.name, a.email, a.role, a.state, a.actions]}>
        {data?.accounts.map((x) => (
          <tr key={x.id} data-testid="account-row">
            <td>{x.displayName}</td><td>{x.email}</td><td>{t.roles[x.role as keyof typeof t.roles] ?? x.role}</td>
            <td>{x.disabledAt === null ? a.active : a.disabled}</td>
            <td>
              {x.disabledAt === null ? (
                <button type="button" className="button button--secondary" onClick={() => { const c = confirmName(x.email); if (c !== null) void run(() => adminPost(`accounts/${x.id}/disable`, { confirm: c })); }}>{a.disable}</button>
              ) : (
                <button type="button" className="button button--secondary" onClick={() => void run(() => adminPost(`accounts/${x.id}/restore`))}>{a.restore}</button>
              )}{' '}
              <button type="button" className="button button--secondary" onClick={() => void run(() => adminPost(`accounts/${x.id}/invite`))}>{a.invite}</button>
            </td>
          </tr>
        ))}
      </Table>
    </>
  );
}

function LinksTab({ act, confirmName }: { act: Act; confirmName: (n: string) => string | null }) {
  const { t } = useI18n();
  const a = useAccountsText();
  const links = useAdmin<{ links: LinkRow[] }>('links');
  const patients = useAdmin<{ patients: PatientRow[] }>('patients');
  const accounts = useAdmin<{ accounts: Account[] }>('accounts');
  const [form, setForm] = useState({ patientId: '', accountId: '', relation: 'doctor' });
  const run = act(links.reload);
  return (
    <>
      <form className="form form--inline" onSubmit={(e) => { e.preventDefault(); void run(() => adminPost('links', form)); }}>
        <label>{a.patient} <select required value={form.patientId} onChange={(e) => setForm({ ...form, patientId: e.target.value })}>
          <option value="">{a.none}</option>{patients.data?.patients.filter((p) => p.deletedAt === null).map((p) => <option key={p.id} value={p.id}>{p.displayName}</option>)}
        </select></label>
        <label>{a.account} <select required value={form.accountId} onChange={(e) => setForm({ ...form, accountId: e.target.value })}>
          <option value="">{a.none}</option>{accounts.data?.accounts.map((x) => <option key={x.id} value={x.id}>{x.displayName} ({x.email})</option>)}
        </select></label>
        <label>{a.relation} <select value={form.relation} onChange={(e) => setForm({ ...form, relation: e.target.value })}>
          {(['doctor', 'nurse', 'relative', 'patient'] as const).map((r) => <option key={r} value={r}>{t.roles[r]}</option>)}
        </select></label>
        <button type="submit" className="button button--primary">{a.link}</button>
      </form>
      <Table head={[a.patient, a.account, a.relation, a.state, a.actions]}>
        {links.data?.links.map((l) => (
          <tr key={`${l.patientId}/${l.accountId}`}>
            <td>{l.patientName}</td><td>{l.accountName} ({l.accountEmail})</td><td>{t.roles[l.relation as keyof typeof t.roles] ?? l.relation}</td><td>{l.removedAt === null ? a.active : a.removed}</td>
            <td>{l.removedAt === null ? (
              <button type="button" className="button button--secondary" onClick={() => { const c = confirmName(l.accountEmail); if (c !== null) void run(() => adminPost('links/unlink', { patientId: l.patientId, accountId: l.accountId, confirm: c })); }}>{a.unlink}</button>
            ) : (
              <button type="button" className="button button--secondary" onClick={() => void run(() => adminPost('links/restore', { patientId: l.patientId, accountId: l.accountId }))}>{a.restore}</button>
            )}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}

function DevicesTab({ act, confirmName }: { act: Act; confirmName: (n: string) => string | null }) {
  const a = useAccountsText();
  const devices = useAdmin<{ devices: Device[] }>('devices');
  const patients = useAdmin<{ patients: PatientRow[] }>('patients');
  const [form, setForm] = useState({ kind: 'box', serial: '' });
  const [token, setToken] = useState<string | null>(null);
  const run = act(devices.reload);
  const live = patients.data?.patients.filter((p) => p.deletedAt === null) ?? [];
  return (
    <>
      <form className="form form--inline" data-testid="device-form" onSubmit={(e) => { e.preventDefault(); void run(async () => setToken((await adminPost<{ token?: string }>('devices', form)).token ?? null)); }}>
        <label>{a.kind} <select name="kind" value={form.kind} onChange={(e) => setForm({ ...form, kind: e.target.value })}><option value="box">{a.box}</option><option value="bracelet">{a.bracelet}</option></select></label>
        <label>{a.serial} <input name="serial" required value={form.serial} onChange={(e) => setForm({ ...form, serial: e.target.value })} /></label>
        <button type="submit" className="button button--primary">{a.register_}</button>
      </form>
      {token && <p className="notice notice--info" data-testid="device-token"><code>{a.tokenOnce(token)}</code></p>}
      <Table head={[a.kind, a.serial, a.assignedTo, a.actions]}>
        {devices.data?.devices.map((d) => <DeviceRow key={`${d.kind}/${d.serial}`} device={d} patients={live} run={run} confirmName={confirmName} />)}
      </Table>
    </>
  );
}

/**
 * One device: assigning takes a choice and a button press, never the choice alone (a keyboard
 * user going through the list with the arrow keys would otherwise assign every patient passed).
 */
function DeviceRow({ device: d, patients, run, confirmName }: { device: Device; patients: PatientRow[]; run: (r: () => Promise<unknown>) => Promise<void>; confirmName: (n: string) => string | null }) {
  const a = useAccountsText();
  const [patientId, setPatientId] = useState('');
  const assign = (e: FormEvent) => {
    e.preventDefault();
    if (patientId) void run(() => adminPost(`devices/${d.kind}/${d.serial}/assign`, { patientId })).then(() => setPatientId(''));
  };
  return (
    <tr data-testid="device-row" data-serial={d.serial}>
      <td>{d.kind === 'box' ? a.box : a.bracelet}</td><td>{d.serial}</td><td data-testid="device-patient">{d.current?.patientName ?? a.none}</td>
      <td>
        <form className="row-actions" onSubmit={assign}>
          <select aria-label={a.assignTo(d.serial)} required value={patientId} onChange={(e) => setPatientId(e.target.value)}>
            <option value="">{a.none}</option>{patients.map((p) => <option key={p.id} value={p.id}>{p.displayName}</option>)}
          </select>
          <button type="submit" className="button button--secondary">{a.assign}</button>
          {d.current ? (
            <button type="button" className="button button--secondary" onClick={() => { const c = confirmName(d.serial); if (c !== null) void run(() => adminPost(`devices/${d.kind}/${d.serial}/unassign`, { confirm: c })); }}>{a.unassign}</button>
          ) : (
            <button type="button" className="button button--secondary" onClick={() => void run(() => adminPost(`devices/${d.kind}/${d.serial}/restore`))}>{a.restore}</button>
          )}
        </form>
      </td>
    </tr>
  );
}

function RegistrationsTab({ act, when }: { act: Act; when: (ms: number) => string }) {
  const a = useAccountsText();
  const { data, reload } = useAdmin<{ registrations: Registration[] }>('registrations');
  const run = act(reload);
  return (
    <Table head={[a.submitted, a.patient, a.regDoctor, a.status, a.prescription, a.actions]}>
      {data?.registrations.map((r) => (
        <tr key={r.id} data-testid="registration-row" data-status={r.status}>
          <td>{when(r.submittedAt)}</td><td>{r.details.patient.displayName}</td><td>{r.details.doctor.email}</td><td>{a.statuses[r.status as keyof typeof a.statuses] ?? r.status}</td>
          <td><a href={`/admin/api/registrations/${r.id}/prescription`} download>{a.download}</a></td>
          <td>{r.status === 'pending' && (
            <>
              <button type="button" className="button button--primary" onClick={() => void run(() => adminPost(`registrations/${r.id}/approve`))}>{a.approve}</button>{' '}
              <button type="button" className="button button--secondary" onClick={() => { const reason = window.prompt(a.rejectReason); if (reason) void run(() => adminPost(`registrations/${r.id}/reject`, { reason })); }}>{a.reject}</button>
            </>
          )}</td>
        </tr>
      ))}
    </Table>
  );
}

function AuditTab({ when }: { when: (ms: number) => string }) {
  const a = useAccountsText();
  const { data } = useAdmin<{ entries: AuditRow[] }>('audit');
  return (
    <Table head={[a.when, a.who, a.what, a.before, a.after]}>
      {data?.entries.map((e) => (
        <tr key={e.id}>
          <td>{when(e.at)}</td><td>{e.actorEmail}</td><td>{e.action} <code>{e.entityId}</code></td>
          <td><pre className="audit-json">{JSON.stringify(e.before, null, 1)}</pre></td><td><pre className="audit-json">{JSON.stringify(e.after, null, 1)}</pre></td>
        </tr>
      ))}
    </Table>
  );
}

function AccessTab({ when }: { when: (ms: number) => string }) {
  const a = useAccountsText();
  const { data } = useAdmin<{ entries: AccessRow[] }>('access-log');
  return (
    <Table head={[a.when, a.who, a.patient, a.what]}>
      {data?.entries.map((e) => (
        <tr key={e.id}><td>{when(e.at)}</td><td>{e.accountEmail}</td><td>{e.patientName ?? a.none}</td><td>{e.action}</td></tr>
      ))}
    </Table>
  );
}
