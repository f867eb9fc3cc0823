/**
 * `/admin/<tab>`: accounts, care links, devices, updates, registrations, the change log and the access log.
 * Destructive actions ask the admin to type the item's name in a dialog (confirm-dialog.tsx; the
 * server checks it again) and can be undone for 30 days; every change is audited server-side.
 */
import { useState, type FormEvent } from 'react';
import { useDocumentTitle } from '../ui/hooks/use-document-title.ts';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link } from '../ui/navigation.tsx';
import { adminPost } from '../api/accounts.ts';
import { AccountsTab } from './admin-accounts-tab.tsx';
import { UpdatesTab } from './admin-updates-tab.tsx';
import { restorable, Table, useAdmin, type Act, type Ask } from './admin-common.tsx';
import { ADMIN_TABS, type AdminTab } from './admin-tabs.ts';
import { useConfirmDialog } from './confirm-dialog.tsx';
import { Notice } from '../ui/notice.tsx';

interface PatientRow { id: string; displayName: string; deletedAt: number | null }
interface AccountOption { id: string; email: string; displayName: string }
interface LinkRow { patientId: string; patientName: string; accountId: string; accountEmail: string; accountName: string; relation: string; removedAt: number | null }
interface Device { kind: 'box' | 'bracelet'; serial: string; current: { patientName: string } | null }
interface Assignment { patientName: string; from: number; to: number | null }
interface Registration { id: string; submittedAt: number; status: string; details: { patient: { displayName: string }; doctor: { email: string } }; prescription: { type: string } }
interface AuditRow { id: number; at: number; actorEmail: string | null; action: string; entityId: string; before: unknown; after: unknown }
interface AccessRow { id: number; at: number; accountEmail: string | null; patientName: string | null; action: string }

export function AdminPage({ tab }: { tab: AdminTab }) {
  const { t, f } = useI18n();
  const a = useI18n().t.accounts;
  useDocumentTitle(`${a.admin} — ${a.tabs[tab]}`, t.app.name);
  const [message, setMessage] = useState<{ kind: 'ok' | 'error'; text: string } | null>(null);
  /** Run an admin change, say how it went, reload the tab. */
  const act: Act = (reload) => async (run, okText) => {
    // Emptied first, so that the same sentence twice in a row is announced twice.
    setMessage(null);
    try {
      await run();
      setMessage({ kind: 'ok', text: okText ?? a.done });
    } catch (caught) {
      setMessage({ kind: 'error', text: errorText(t, caught) });
    }
    reload();
  };
  // One dialog for every second confirmation and for the rejection reason.
  const { dialog, ask } = useConfirmDialog();
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
      {tab === 'accounts' && <AccountsTab act={act} ask={ask} />}
      {tab === 'links' && <LinksTab act={act} ask={ask} />}
      {tab === 'devices' && <DevicesTab act={act} ask={ask} />}
      {tab === 'updates' && <UpdatesTab act={act} when={when} />}
      {tab === 'registrations' && <RegistrationsTab act={act} ask={ask} when={when} />}
      {tab === 'audit' && <AuditTab when={when} />}
      {tab === 'access' && <AccessTab when={when} />}
      {dialog}
    </section>
  );
}

function LinksTab({ act, ask }: { act: Act; ask: Ask }) {
  const { t } = useI18n();
  const a = useI18n().t.accounts;
  const links = useAdmin<{ links: LinkRow[] }>('links');
  const patients = useAdmin<{ patients: PatientRow[] }>('patients');
  const accounts = useAdmin<{ accounts: AccountOption[] }>('accounts');
  const [form, setForm] = useState({ patientId: '', accountId: '', relation: 'doctor' });
  const run = act(links.reload);
  const unlink = async (l: LinkRow) => {
    const confirm = await ask({ kind: 'typed', title: a.unlinkTitle, what: a.unlinkWhat(`${l.accountName} (${l.accountEmail})`, l.patientName), expected: l.accountEmail, action: a.unlink });
    if (confirm !== null) await run(() => adminPost('links/unlink', { patientId: l.patientId, accountId: l.accountId, confirm }));
  };
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
              <button type="button" className="button button--secondary" aria-label={a.rowAction(a.unlink, `${l.accountEmail}, ${l.patientName}`)} onClick={() => void unlink(l)}>{a.unlink}</button>
            ) : (
              restorable(l.removedAt) && <button type="button" className="button button--secondary" aria-label={a.rowAction(a.restore, `${l.accountEmail}, ${l.patientName}`)} onClick={() => void run(() => adminPost('links/restore', { patientId: l.patientId, accountId: l.accountId }))}>{a.restore}</button>
            )}</td>
          </tr>
        ))}
      </Table>
    </>
  );
}

function DevicesTab({ act, ask }: { act: Act; ask: Ask }) {
  const a = useI18n().t.accounts;
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
        {devices.data?.devices.map((d) => <DeviceRow key={`${d.kind}/${d.serial}`} device={d} patients={live} run={run} ask={ask} />)}
      </Table>
    </>
  );
}

/**
 * One device: assigning takes a choice and a button press, never the choice alone (a keyboard
 * user going through the list with the arrow keys would otherwise assign every patient passed).
 * « Restaurer » reopens the assignment an unassignment closed, so it is offered only when the
 * device's history ends with one closed less than 30 days ago (never for a device never assigned).
 */
function DeviceRow({ device: d, patients, run, ask }: { device: Device; patients: PatientRow[]; run: (r: () => Promise<unknown>) => Promise<void>; ask: Ask }) {
  const a = useI18n().t.accounts;
  const [patientId, setPatientId] = useState('');
  // The list says only what is current: the history, for an unassigned device only.
  const detail = useAdmin<{ history: Assignment[] }>(d.current ? null : `devices/${d.kind}/${d.serial}`);
  const last = detail.data?.history[0];
  const closed = !d.current && last && last.to !== null && restorable(last.to) ? last : null;
  const assign = (e: FormEvent) => {
    e.preventDefault();
    if (patientId) void run(() => adminPost(`devices/${d.kind}/${d.serial}/assign`, { patientId })).then(() => setPatientId(''));
  };
  const unassign = async (patientName: string) => {
    const confirm = await ask({ kind: 'typed', title: a.unassignTitle, what: a.unassignWhat(d.serial, patientName), expected: d.serial, action: a.unassign });
    if (confirm !== null) await run(() => adminPost(`devices/${d.kind}/${d.serial}/unassign`, { confirm }));
  };
  return (
    <tr data-testid="device-row" data-serial={d.serial} data-restore={d.current ? 'assigned' : detail.data ? (closed ? 'offered' : 'none') : 'loading'}>
      <td>{d.kind === 'box' ? a.box : a.bracelet}</td><td>{d.serial}</td><td data-testid="device-patient">{d.current?.patientName ?? a.none}</td>
      <td>
        <form className="row-actions" onSubmit={assign}>
          <select aria-label={a.assignTo(d.serial)} required value={patientId} onChange={(e) => setPatientId(e.target.value)}>
            <option value="">{a.none}</option>{patients.map((p) => <option key={p.id} value={p.id}>{p.displayName}</option>)}
          </select>
          <button type="submit" className="button button--secondary">{a.assign}</button>
          {d.current ? (
            <button type="button" className="button button--secondary" aria-label={a.rowAction(a.unassign, d.serial)} onClick={() => void unassign(d.current!.patientName)}>{a.unassign}</button>
          ) : (
            closed && <button type="button" className="button button--secondary" data-testid="device-restore" onClick={() => void run(() => adminPost(`devices/${d.kind}/${d.serial}/restore`))}>{a.restoreAssignment(closed.patientName)}</button>
          )}
        </form>
      </td>
    </tr>
  );
}

function RegistrationsTab({ act, ask, when }: { act: Act; ask: Ask; when: (ms: number) => string }) {
  const a = useI18n().t.accounts;
  const { data, reload } = useAdmin<{ registrations: Registration[] }>('registrations');
  const run = act(reload);
  const reject = async (r: Registration) => {
    const reason = await ask({ kind: 'reason', title: a.rejectTitle, what: a.rejectWhat(r.details.patient.displayName), action: a.reject });
    if (reason !== null) await run(() => adminPost(`registrations/${r.id}/reject`, { reason }));
  };
  return (
    <Table head={[a.submitted, a.patient, a.regDoctor, a.status, a.prescription, a.actions]}>
      {data?.registrations.map((r) => (
        <tr key={r.id} data-testid="registration-row" data-status={r.status}>
          <td>{when(r.submittedAt)}</td><td>{r.details.patient.displayName}</td><td>{r.details.doctor.email}</td><td>{a.statuses[r.status as keyof typeof a.statuses] ?? r.status}</td>
          <td><a href={`/admin/api/registrations/${r.id}/prescription`} download>{a.download}</a></td>
          <td>{r.status === 'pending' && (
            <>
              <button type="button" className="button button--primary" onClick={() => void run(() => adminPost(`registrations/${r.id}/approve`))}>{a.approve}</button>{' '}
              <button type="button" className="button button--secondary" onClick={() => void reject(r)}>{a.reject}</button>
            </>
          )}</td>
        </tr>
      ))}
    </Table>
  );
}

function AuditTab({ when }: { when: (ms: number) => string }) {
  const a = useI18n().t.accounts;
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
  const a = useI18n().t.accounts;
  const { data } = useAdmin<{ entries: AccessRow[] }>('access-log');
  return (
    <Table head={[a.when, a.who, a.patient, a.what]}>
      {data?.entries.map((e) => (
        <tr key={e.id}><td>{when(e.at)}</td><td>{e.accountEmail}</td><td>{e.patientName ?? a.none}</td><td>{e.action}</td></tr>
      ))}
    </Table>
  );
}
