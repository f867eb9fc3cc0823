/**
 * Editing an account in a modal dialog: what `PATCH /admin/api/accounts/:id` accepts (name,
 * role, language of e-mails, phone; the e-mail address is not editable). Only the changed fields
 * are sent. The server validates: a 400 names its field, and the message is shown under that
 * field, which takes focus.
 */
import { useId, useRef, useState, type FormEvent } from 'react';
import type { Role } from '../api/types.ts';
import { ModalDialog } from '../ui/modal-dialog.tsx';
import { errorText } from '../i18n/errors.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { adminPatch, errorField } from '../api/accounts.ts';

/** The editable part of an account as `GET /admin/api/accounts` lists it. */
export interface EditableAccount {
  readonly id: string;
  readonly email: string;
  readonly displayName: string;
  readonly role: Role;
  readonly locale: 'fr' | 'en';
  readonly phone: string | null;
}

/** The roles, in the order of the creation form. */
export const ACCOUNT_ROLES = ['doctor', 'nurse', 'relative', 'patient', 'support', 'admin'] as const satisfies readonly Role[];

type Field = 'displayName' | 'role' | 'locale' | 'phone';
const FIELDS: readonly Field[] = ['displayName', 'role', 'locale', 'phone'];

export function AccountEditDialog({ account, self, onCancel, onSaved }: {
  account: EditableAccount;
  /** The signed-in admin's own account: its role is not offered (it would lock them out). */
  self: boolean;
  onCancel: () => void;
  onSaved: (account: EditableAccount) => void;
}) {
  const { t } = useI18n();
  const a = useI18n().t.accounts;
  const id = useId();
  const [form, setForm] = useState({ displayName: account.displayName, role: account.role, locale: account.locale, phone: account.phone ?? '' });
  const [invalid, setInvalid] = useState<Field | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const fields = useRef<Partial<Record<Field, HTMLInputElement | HTMLSelectElement | null>>>({});

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const phone = form.phone.trim() === '' ? null : form.phone.trim();
    const changes = {
      ...(form.displayName.trim() !== account.displayName ? { displayName: form.displayName.trim() } : {}),
      ...(form.role !== account.role ? { role: form.role } : {}),
      ...(form.locale !== account.locale ? { locale: form.locale } : {}),
      ...(phone !== account.phone ? { phone } : {}),
    };
    setInvalid(null);
    if (Object.keys(changes).length === 0) {
      setProblem(null);
      return setNote(a.noChange);
    }
    setProblem(null);
    setNote(null);
    setBusy(true);
    try {
      const saved = await adminPatch<{ account: EditableAccount }>(`accounts/${account.id}`, changes);
      onSaved(saved.account);
    } catch (caught) {
      setBusy(false);
      // "/phone", "/displayName": the first field the server refused.
      const field = FIELDS.find((f) => errorField(caught) === `/${f}`);
      if (field) {
        setInvalid(field);
        setProblem(a.formInvalid);
        fields.current[field]?.focus();
      } else {
        // A conflict (e.g. the account changed meanwhile) or any other failure, in words.
        setProblem(errorText(t, caught));
      }
    }
  };

  /** The attributes tying a field to its hint and, when refused, to its error. */
  const described = (field: Field, hint?: boolean) => {
    const ids = [hint ? `${id}-${field}-hint` : '', invalid === field ? `${id}-${field}-error` : ''].filter(Boolean).join(' ');
    return { 'aria-invalid': invalid === field, 'aria-describedby': ids || undefined };
  };
  const error = (field: Field) =>
    invalid === field ? <p id={`${id}-${field}-error`} className="form-error">{a.fieldInvalid[field]}</p> : null;

  return (
    <ModalDialog title={a.editTitle(account.displayName)} onCancel={onCancel} describedBy={`${id}-email`} testId="account-edit-dialog">
      <p id={`${id}-email`} className="muted">{a.editEmail(account.email)}</p>
      <div role="alert">{problem && <p className="notice notice--error">{problem}</p>}</div>
      <div role="status">{note && <p className="notice">{note}</p>}</div>
      <form className="form modal__form" onSubmit={submit} noValidate>
        <div className="field">
          <label htmlFor={`${id}-displayName`}>{a.name}</label>
          <input
            id={`${id}-displayName`} name="displayName" autoComplete="off" maxLength={200}
            ref={(el) => { fields.current.displayName = el; }}
            value={form.displayName} onChange={(e) => setForm({ ...form, displayName: e.target.value })}
            {...described('displayName')}
          />
          {error('displayName')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-role`}>{a.role}</label>
          <select
            id={`${id}-role`} name="role" disabled={self}
            ref={(el) => { fields.current.role = el; }}
            value={form.role} onChange={(e) => setForm({ ...form, role: e.target.value as Role })}
            {...described('role', true)}
          >
            {ACCOUNT_ROLES.map((r) => <option key={r} value={r}>{t.roles[r]}</option>)}
          </select>
          <p id={`${id}-role-hint`} className="modal__hint">{self ? a.ownRole : a.roleHint}</p>
          {error('role')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-locale`}>{a.locale}</label>
          <select
            id={`${id}-locale`} name="locale"
            ref={(el) => { fields.current.locale = el; }}
            value={form.locale} onChange={(e) => setForm({ ...form, locale: e.target.value as 'fr' | 'en' })}
            {...described('locale')}
          >
            {(['fr', 'en'] as const).map((l) => <option key={l} value={l} lang={l}>{a.locales[l]}</option>)}
          </select>
          {error('locale')}
        </div>
        <div className="field">
          <label htmlFor={`${id}-phone`}>{a.phone}</label>
          <input
            id={`${id}-phone`} name="phone" type="tel" autoComplete="off"
            ref={(el) => { fields.current.phone = el; }}
            value={form.phone} onChange={(e) => setForm({ ...form, phone: e.target.value })}
            {...described('phone')}
          />
          {error('phone')}
        </div>
        <div className="modal__actions">
          <button type="button" className="button button--secondary" onClick={onCancel}>{a.cancel}</button>
          <button type="submit" className="button button--primary" disabled={busy}>{a.save}</button>
        </div>
      </form>
    </ModalDialog>
  );
}
