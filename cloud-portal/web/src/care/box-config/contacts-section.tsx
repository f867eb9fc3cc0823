/**
 * The people the box texts, in order of escalation tier: name, role, phone (French numbers are
 * put in E.164 on save) and tier, one fieldset per contact; add and remove while editable.
 */
import type { Messages } from '../../i18n/i18n.tsx';
import { FieldErrorText, NumberField, TextField } from './box-config-fields.tsx';
import { CONTACT_ROLES, fieldId, MAX_CONTACTS, type ContactDraft, type ContactRole } from './box-config-model.ts';

type BoxConfigTexts = Messages['boxConfig'];

export interface ContactsSectionProps {
  readonly contacts: readonly ContactDraft[];
  readonly b: BoxConfigTexts;
  readonly canEdit: boolean;
  readonly errorFor: (pointer: string) => string | null;
  readonly onChange: (index: number, patch: Partial<Omit<ContactDraft, 'key'>>) => void;
  readonly onAdd: () => void;
  readonly onRemove: (index: number) => void;
}

export function ContactsSection({ contacts, b, canEdit, errorFor, onChange, onAdd, onRemove }: ContactsSectionProps) {
  return (
    <fieldset className="box-config__section panel" disabled={!canEdit}>
      <legend className="panel__title">{b.contactsTitle}</legend>
      <p className="muted" id="bc-contacts-help">
        {b.contactsHelp}
      </p>
      {contacts.length === 0 && <p data-testid="box-config-no-contact">{b.contactsEmpty}</p>}
      <ol className="box-config__contacts" aria-describedby="bc-contacts-help">
        {contacts.map((contact, index) => (
          <li key={contact.key}>
            <ContactFields contact={contact} index={index} b={b} canEdit={canEdit} errorFor={errorFor} onChange={(patch) => onChange(index, patch)} onRemove={() => onRemove(index)} />
          </li>
        ))}
      </ol>
      {canEdit && (
        <button type="button" className="button button--secondary" onClick={onAdd} disabled={contacts.length >= MAX_CONTACTS} data-testid="add-contact">
          + {b.addContact}
        </button>
      )}
    </fieldset>
  );
}

interface ContactFieldsProps {
  readonly contact: ContactDraft;
  readonly index: number;
  readonly b: BoxConfigTexts;
  readonly canEdit: boolean;
  readonly errorFor: (pointer: string) => string | null;
  readonly onChange: (patch: Partial<Omit<ContactDraft, 'key'>>) => void;
  readonly onRemove: () => void;
}

function ContactFields({ contact, index, b, canEdit, errorFor, onChange, onRemove }: ContactFieldsProps) {
  const at = (field: keyof Omit<ContactDraft, 'key'>) => `/contacts/${index}/${field}`;
  const roleId = fieldId(at('role'));
  const roleError = errorFor(at('role'));
  return (
    <fieldset className="box-config__contact" data-testid={`contact-${index}`}>
      <legend>{b.contactN(index + 1)}</legend>
      <TextField pointer={at('name')} label={b.contactName} value={contact.name} error={errorFor(at('name'))} errorPrefix={b.errorPrefix} autoComplete="off" onChange={(name) => onChange({ name })} />
      <div className="field">
        <label htmlFor={roleId}>{b.contactRole}</label>
        <select
          id={roleId}
          value={contact.role}
          onChange={(e) => onChange({ role: e.target.value as ContactRole })}
          aria-invalid={roleError ? true : undefined}
          aria-describedby={roleError ? `${roleId}-error` : undefined}
        >
          {CONTACT_ROLES.map((r) => (
            <option key={r} value={r}>
              {b.roles[r]}
            </option>
          ))}
        </select>
        <FieldErrorText id={`${roleId}-error`} message={roleError} prefix={b.errorPrefix} />
      </div>
      <TextField
        pointer={at('phone')}
        label={b.contactPhone}
        hint={b.contactPhoneHint}
        value={contact.phone}
        error={errorFor(at('phone'))}
        errorPrefix={b.errorPrefix}
        type="tel"
        inputMode="tel"
        autoComplete="off"
        onChange={(phone) => onChange({ phone })}
      />
      <NumberField pointer={at('tier')} label={b.contactTier} hint={b.contactTierHint} value={contact.tier} error={errorFor(at('tier'))} errorPrefix={b.errorPrefix} onChange={(tier) => onChange({ tier })} />
      {canEdit && (
        <button type="button" className="button button--quiet box-config__remove" onClick={onRemove} data-testid={`remove-contact-${index}`}>
          {b.removeContact(contact.name.trim())}
        </button>
      )}
    </fieldset>
  );
}
