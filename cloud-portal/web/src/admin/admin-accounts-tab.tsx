/**
 * `/admin/accounts`: create (and invite), edit in a dialog, disable after the typed confirmation,
 * restore within 30 days, send the invitation again.
 */
import { useState, type FormEvent } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { useSession } from '../ui/session.tsx';
import { adminPost } from '../api/accounts.ts';
import { AccountEditDialog, ACCOUNT_ROLES, type EditableAccount } from './account-edit-dialog.tsx';
import { restorable, Table, useAdmin, type Act, type Ask } from './admin-common.tsx';

/** An account as `GET /admin/api/accounts` lists it. */
export interface AdminAccount extends EditableAccount {
  readonly disabledAt: number | null;
}

export function AccountsTab({ act, ask }: { act: Act; ask: Ask }) {
  const { t } = useI18n();
  const a = useI18n().t.accounts;
  const { state } = useSession();
  const selfId = state.status === 'signed-in' ? state.user.id : null;
  const { data, reload } = useAdmin<{ accounts: AdminAccount[] }>('accounts');
  const [form, setForm] = useState({ email: '', displayName: '', role: 'doctor' });
  const [editing, setEditing] = useState<AdminAccount | null>(null);
  const run = act(reload);
  const create = (e: FormEvent) => {
    e.preventDefault();
    void run(() => adminPost('accounts', form));
  };
  const disable = async (x: AdminAccount) => {
    const confirm = await ask({ kind: 'typed', title: a.disableTitle, what: a.disableWhat(`${x.displayName} (${x.email})`), expected: x.email, action: a.disable });
    if (confirm !== null) await run(() => adminPost(`accounts/${x.id}/disable`, { confirm }));
  };
  return (
    <>
      <form className="form form--inline" onSubmit={create} data-testid="account-form">
        <label>{a.email} <input name="email" type="email" required value={form.email} onChange={(e) => setForm({ ...form, email: e.target.value })} /></label>
        <label>{a.name} <input name="displayName" required value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })} /></label>
        <label>{a.role} <select name="role" value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value })}>
          {ACCOUNT_ROLES.map((r) => <option key={r} value={r}>{t.roles[r]}</option>)}
        </select></label>
        <button type="submit" className="button button--primary">{a.create}</button>
      </form>
      <Table head={[a.name, a.email, a.role, a.state, a.actions]}>
        {data?.accounts.map((x) => (
          <tr key={x.id} data-testid="account-row" data-email={x.email}>
            <td>{x.displayName}</td><td>{x.email}</td><td>{t.roles[x.role] ?? x.role}</td>
            <td>{x.disabledAt === null ? a.active : a.disabled}</td>
            <td>
              <div className="row-actions">
                <button type="button" className="button button--secondary" aria-label={a.rowAction(a.edit, x.email)} onClick={() => setEditing(x)}>{a.edit}</button>
                {x.disabledAt === null ? (
                  // The server refuses an admin disabling their own account: not offered.
                  x.id !== selfId && <button type="button" className="button button--secondary" aria-label={a.rowAction(a.disable, x.email)} onClick={() => void disable(x)}>{a.disable}</button>
                ) : (
                  restorable(x.disabledAt) && <button type="button" className="button button--secondary" aria-label={a.rowAction(a.restore, x.email)} onClick={() => void run(() => adminPost(`accounts/${x.id}/restore`))}>{a.restore}</button>
                )}
                {x.disabledAt === null && (
                  <button type="button" className="button button--secondary" aria-label={a.rowAction(a.invite, x.email)} onClick={() => void run(() => adminPost(`accounts/${x.id}/invite`))}>{a.invite}</button>
                )}
              </div>
            </td>
          </tr>
        ))}
      </Table>
      {editing && (
        <AccountEditDialog
          account={editing}
          self={editing.id === selfId}
          onCancel={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            void run(() => Promise.resolve(), a.saved(saved.displayName));
          }}
        />
      )}
    </>
  );
}
