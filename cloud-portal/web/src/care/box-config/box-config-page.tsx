/**
 * "Seuils et contacts": the patient's alert thresholds, escalation and the people the box texts,
 * as the doctor sets them and the box receives them (configuration downlink). The doctor edits
 * and saves a whole version; the page then says whether the box has applied it, polling while it
 * has not. The nurse sees the same page read-only. The server judges every value: its refusal is
 * shown next to the field it names.
 */
import { useEffect, useRef, useState, type FormEvent } from 'react';
import { ApiError, apiGet } from '../../api/client.ts';
import { fetchPatients } from '../../api/endpoints.ts';
import type { Role } from '../../api/types.ts';
import type { BoxConfigSaved, BoxConfigView } from '../../../../src/api-types.ts';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { useDocumentTitle } from '../../ui/hooks/use-document-title.ts';
import { useResource } from '../../ui/hooks/use-resource.ts';
import { useI18n, type Messages } from '../../i18n/i18n.tsx';

type BoxConfigTexts = Messages['boxConfig'];
import { errorText } from '../../i18n/errors.ts';
import { useResumeKey } from '../../ui/live.tsx';
import { Link } from '../../ui/navigation.tsx';
import {
  ALERTING_FIELDS,
  CONTACT_ROLES,
  contactKey,
  documentOf,
  fieldId,
  formOf,
  isDuplicatePhone,
  MAX_CONTACTS,
  pointerOf,
  refusedField,
  THRESHOLD_FIELDS,
  type AlertingField,
  type BoxConfigForm,
  type ContactDraft,
  type ContactRole,
  type ThresholdField,
} from './box-config-model.ts';
import { configUrl, saveConfig, SaveRefused } from './box-config-api.ts';
import { FieldErrorText, History, NumberField, TextField, VersionStatus } from './box-config-parts.tsx';
import { RoleNav } from '../../ui/page-parts.tsx';

/** While the box has not applied the latest version, ask again this often (and on focus). */
const PENDING_POLL_MS = 10_000;

/** An error shown next to a field (`pointer` null: about the form as a whole). */
interface FieldError {
  readonly pointer: string | null;
  readonly message: string;
}

/** The words for a field the server refused. */
function refusalMessage(b: BoxConfigTexts, pointer: string, form: BoxConfigForm): FieldError {
  const refused = refusedField(pointer, form);
  const at = pointerOf(refused);
  switch (refused.kind) {
    case 'threshold':
      return { pointer: at, message: form.thresholds[refused.field].trim() === '' ? b.fieldRequired : b.fieldInvalid(b[`${refused.field}Hint`]) };
    case 'alerting':
      return { pointer: at, message: form.alerting[refused.field].trim() === '' ? b.fieldRequired : b.fieldInvalid(b[`${refused.field}Hint`]) };
    case 'contact': {
      const contact = form.contacts[refused.index]!;
      if (refused.field === 'phone') return { pointer: at, message: contact.phone.trim() === '' ? b.fieldRequired : isDuplicatePhone(form, refused.index) ? b.phoneDuplicate : b.phoneInvalid };
      if (refused.field === 'name') return { pointer: at, message: b.nameInvalid };
      if (refused.field === 'tier') return { pointer: at, message: b.fieldInvalid(b.contactTierHint) };
      return { pointer: at, message: b.fieldInvalid('') };
    }
    case 'contacts':
      return { pointer: null, message: form.contacts.length === 0 ? b.contactsNone : form.contacts.length > MAX_CONTACTS ? b.contactsTooMany : b.otherFieldInvalid };
    case 'other':
      return { pointer: null, message: b.otherFieldInvalid };
    default:
      return refused satisfies never;
  }
}

export function BoxConfigPage({ patientId, role }: { patientId: string; role: Role }) {
  const { t, f } = useI18n();
  const b = useI18n().t.boxConfig;
  const resumeKey = useResumeKey();
  const patients = useResource((signal) => fetchPatients({ signal }), [resumeKey]);
  const name = patients.resource.data?.find((p) => p.id === patientId)?.displayName ?? t.patient.titleFallback;
  useDocumentTitle(b.title(name), t.app.name);

  const view = useResource((signal) => apiGet<BoxConfigView>(configUrl(patientId), { signal }), [patientId, resumeKey]);
  const data = view.resource.data;
  const [form, setForm] = useState<BoxConfigForm | null>(null);
  /** The version the form was loaded from (0: none yet): sent as `expectedVersion`. */
  const [baseVersion, setBaseVersion] = useState(0);
  const [fieldError, setFieldError] = useState<FieldError | null>(null);
  const [saveError, setSaveError] = useState<unknown>(null);
  const [conflict, setConflict] = useState(false);
  const [saving, setSaving] = useState(false);
  const [saved, setSaved] = useState<BoxConfigSaved | null>(null);
  const [loadingCurrent, setLoadingCurrent] = useState(false);
  const [loadError, setLoadError] = useState<unknown>(null);
  const summaryRef = useRef<HTMLDivElement>(null);

  // Fill the form from the server once; later only when asked (never under the doctor's typing).
  useEffect(() => {
    if (form !== null || !data?.config) return;
    setForm(formOf(data.config));
    setBaseVersion(data.version ?? 0);
  }, [data, form]);

  /** Replace the form with the version in force now (after a conflict, or a newer version). */
  const loadCurrent = async () => {
    setLoadingCurrent(true);
    setLoadError(null);
    try {
      const fresh = await apiGet<BoxConfigView>(configUrl(patientId));
      view.setData(() => fresh);
      if (fresh.config) setForm(formOf(fresh.config));
      setBaseVersion(fresh.version ?? 0);
      setConflict(false);
      setFieldError(null);
      setSaved(null);
    } catch (error) {
      setLoadError(error);
    } finally {
      setLoadingCurrent(false);
    }
  };

  const pending = data !== undefined && data.version !== null && (data.appliedVersion ?? 0) < data.version;
  const { reload } = view;
  // Back on the page: ask again (the box may have confirmed, a colleague may have saved).
  useEffect(() => {
    window.addEventListener('focus', reload);
    return () => window.removeEventListener('focus', reload);
  }, [reload]);
  // Until the box confirms: ask again every few seconds while the page is visible.
  useEffect(() => {
    if (!pending) return;
    const timer = window.setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, PENDING_POLL_MS);
    return () => window.clearInterval(timer);
  }, [pending, reload]);

  // Show what stopped the save: focus the refused field, or the notices above the form.
  useEffect(() => {
    if (!fieldError && !conflict && saveError === null) return;
    const target = fieldError?.pointer ? document.getElementById(fieldId(fieldError.pointer)) : summaryRef.current;
    target?.focus();
  }, [fieldError, conflict, saveError]);

  if (view.resource.status === 'error' && view.resource.error instanceof ApiError && view.resource.error.kind === 'not_found') {
    return (
      <>
        <div className="page-head">
          <h1>{t.patient.titleFallback}</h1>
        </div>
        <ErrorNotice error={view.resource.error} />
        <p>
          <Link href="/">{t.app.backToList}</Link>
        </p>
      </>
    );
  }

  const canEdit = data?.canEdit === true;
  const update = (next: BoxConfigForm, pointer?: string) => {
    setForm(next);
    if (fieldError && (pointer === undefined || fieldError.pointer === pointer || fieldError.pointer === null)) setFieldError(null);
  };
  const setThreshold = (field: ThresholdField, value: string) => form && update({ ...form, thresholds: { ...form.thresholds, [field]: value } }, `/thresholds/${field}`);
  const setAlerting = (field: AlertingField, value: string) => form && update({ ...form, alerting: { ...form.alerting, [field]: value } }, `/alerting/${field}`);
  const setContact = (index: number, patch: Partial<ContactDraft>, field: string) =>
    form && update({ ...form, contacts: form.contacts.map((c, i) => (i === index ? { ...c, ...patch } : c)) }, `/contacts/${index}/${field}`);
  const addContact = () =>
    form && update({ ...form, contacts: [...form.contacts, { key: contactKey(), name: '', role: 'relative', phone: '', tier: String(Math.min(5, form.contacts.length + 1)) }] });
  // Indexes move on removal: any field error is stale.
  const removeContact = (index: number) => form && update({ ...form, contacts: form.contacts.filter((_, i) => i !== index) });

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form || saving) return;
    setSaving(true);
    setSaveError(null);
    setFieldError(null);
    setConflict(false);
    setSaved(null);
    try {
      const result = await saveConfig(patientId, { ...documentOf(form), expectedVersion: baseVersion });
      setSaved(result);
      setBaseVersion(result.version);
      view.reload();
    } catch (error) {
      if (error instanceof SaveRefused && error.status === 409 && error.field === '/expectedVersion') {
        setConflict(true);
        // Show who saved what meanwhile; the form keeps the doctor's edits until they load it.
        view.reload();
      } else if (error instanceof SaveRefused && error.status === 400 && error.field) {
        setFieldError(refusalMessage(b, error.field, form));
      } else {
        setSaveError(error);
        // An expired session: the next read signs out the way every page does.
        if (error instanceof ApiError && error.kind === 'unauthorized') view.reload();
      }
    } finally {
      setSaving(false);
    }
  };

  const errorFor = (pointer: string) => (fieldError?.pointer === pointer ? fieldError.message : null);
  const minutes = Math.max(1, Math.round((data?.config?.cadences.syncIntervalSeconds ?? 600) / 60));
  const appliedNow = saved !== null && data?.appliedVersion !== null && data?.appliedVersion !== undefined && data.appliedVersion >= saved.version;

  return (
    <>
      <RoleNav role={role} />
      <p className="back">
        <Link href={`/patients/${encodeURIComponent(patientId)}`}>{b.back}</Link>
      </p>
      <div className="page-head">
        <h1 id="box-config-heading" data-testid="box-config-title">
          {b.title(name)}
        </h1>
      </div>
      <p className="lead">{b.intro}</p>
      {view.resource.status === 'error' && <ErrorNotice error={view.resource.error} onRetry={view.reload} />}
      {!data && view.resource.status === 'loading' && <p className="muted">{t.app.loading}</p>}
      {data && !data.boxId && (
        <div className="notice" data-testid="box-config-no-box">
          <p>{b.noBox}</p>
        </div>
      )}
      {data?.boxId && form && (
        <>
          <VersionStatus data={data} b={b} f={f} minutes={minutes} />
          {/* Announced politely: the save's outcome, then the box's confirmation. */}
          <div role="status" aria-live="polite" data-testid="box-config-saved">
            {saved && (
              <p className={`notice ${appliedNow || !saved.changed ? 'notice--ok' : 'box-config__pending'}`}>
                {!saved.changed ? b.unchanged(saved.version) : appliedNow ? `✓ ${b.savedApplied(saved.version)}` : b.savedPending(saved.version)}
              </p>
            )}
          </div>
          {!canEdit && (
            <p className="notice" data-testid="box-config-read-only">
              {b.readOnly}
            </p>
          )}
          {canEdit && data.firstVersion && (
            <div className="notice box-config__first" data-testid="box-config-first">
              <p>
                <strong>{b.firstVersionTitle}.</strong> {b.firstVersion}
              </p>
            </div>
          )}
          {canEdit && !data.firstVersion && data.boxLocalChanges && (
            <p className="notice box-config__pending" data-testid="box-config-local-changes">
              {b.localChanges}
            </p>
          )}
          <div ref={summaryRef} tabIndex={-1} className="box-config__summary">
            {!conflict && data.version !== null && data.version > baseVersion && (
              <div className="notice box-config__pending" role="alert" data-testid="box-config-newer">
                <p>{b.newerVersion(data.version, data.changedBy ?? '')}</p>
                <button type="button" className="button button--secondary" onClick={() => void loadCurrent()} disabled={loadingCurrent}>
                  {b.loadCurrent}
                </button>
              </div>
            )}
            {conflict && (
              <div className="notice notice--error" role="alert" data-testid="box-config-conflict">
                <p>{b.conflict}</p>
                <button type="button" className="button button--secondary" onClick={() => void loadCurrent()} disabled={loadingCurrent}>
                  {b.loadCurrent}
                </button>
              </div>
            )}
            {fieldError && (
              <div className="notice notice--error" role="alert" data-testid="box-config-refused">
                <p>
                  {b.notSaved}
                  {fieldError.pointer === null && (
                    <>
                      {' '}
                      {fieldError.message}
                    </>
                  )}
                </p>
              </div>
            )}
            {loadError !== null && <ErrorNotice error={loadError} onRetry={() => void loadCurrent()} />}
            {saveError !== null && (
              <div className="notice notice--error" role="alert">
                <p>{errorText(t, saveError)}</p>
              </div>
            )}
          </div>

          <form className="box-config" onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="box-config-heading" data-testid="box-config-form">
            <fieldset className="box-config__section panel" disabled={!canEdit}>
              <legend className="panel__title">{b.thresholdsTitle}</legend>
              <div className="box-config__grid">
                {THRESHOLD_FIELDS.map((field) => (
                  <NumberField
                    key={field}
                    pointer={`/thresholds/${field}`}
                    label={b[field]}
                    hint={b[`${field}Hint`]}
                    value={form.thresholds[field]}
                    error={errorFor(`/thresholds/${field}`)}
                    errorPrefix={b.errorPrefix}
                    onChange={(value) => setThreshold(field, value)}
                  />
                ))}
              </div>
            </fieldset>

            <fieldset className="box-config__section panel" disabled={!canEdit}>
              <legend className="panel__title">{b.contactsTitle}</legend>
              <p className="muted" id="bc-contacts-help">
                {b.contactsHelp}
              </p>
              {form.contacts.length === 0 && <p data-testid="box-config-no-contact">{b.contactsEmpty}</p>}
              <ol className="box-config__contacts" aria-describedby="bc-contacts-help">
                {form.contacts.map((contact, index) => (
                  <li key={contact.key}>
                    <fieldset className="box-config__contact" data-testid={`contact-${index}`}>
                      <legend>{b.contactN(index + 1)}</legend>
                      <TextField
                        pointer={`/contacts/${index}/name`}
                        label={b.contactName}
                        value={contact.name}
                        error={errorFor(`/contacts/${index}/name`)}
                        errorPrefix={b.errorPrefix}
                        autoComplete="off"
                        onChange={(value) => setContact(index, { name: value }, 'name')}
                      />
                      <div className="field">
                        <label htmlFor={fieldId(`/contacts/${index}/role`)}>{b.contactRole}</label>
                        <select
                          id={fieldId(`/contacts/${index}/role`)}
                          value={contact.role}
                          onChange={(e) => setContact(index, { role: e.target.value as ContactRole }, 'role')}
                          aria-invalid={errorFor(`/contacts/${index}/role`) ? true : undefined}
                          aria-describedby={errorFor(`/contacts/${index}/role`) ? `${fieldId(`/contacts/${index}/role`)}-error` : undefined}
                        >
                          {CONTACT_ROLES.map((r) => (
                            <option key={r} value={r}>
                              {b.roles[r]}
                            </option>
                          ))}
                        </select>
                        <FieldErrorText id={`${fieldId(`/contacts/${index}/role`)}-error`} message={errorFor(`/contacts/${index}/role`)} prefix={b.errorPrefix} />
                      </div>
                      <TextField
                        pointer={`/contacts/${index}/phone`}
                        label={b.contactPhone}
                        hint={b.contactPhoneHint}
                        value={contact.phone}
                        error={errorFor(`/contacts/${index}/phone`)}
                        errorPrefix={b.errorPrefix}
                        type="tel"
                        inputMode="tel"
                        autoComplete="off"
                        onChange={(value) => setContact(index, { phone: value }, 'phone')}
                      />
                      <NumberField
                        pointer={`/contacts/${index}/tier`}
                        label={b.contactTier}
                        hint={b.contactTierHint}
                        value={contact.tier}
                        error={errorFor(`/contacts/${index}/tier`)}
                        errorPrefix={b.errorPrefix}
                        onChange={(value) => setContact(index, { tier: value }, 'tier')}
                      />
                      {canEdit && (
                        <button type="button" className="button button--quiet box-config__remove" onClick={() => removeContact(index)} data-testid={`remove-contact-${index}`}>
                          {b.removeContact(contact.name.trim())}
                        </button>
                      )}
                    </fieldset>
                  </li>
                ))}
              </ol>
              {canEdit && (
                <button type="button" className="button button--secondary" onClick={addContact} disabled={form.contacts.length >= MAX_CONTACTS} data-testid="add-contact">
                  + {b.addContact}
                </button>
              )}
            </fieldset>

            <fieldset className="box-config__section panel" disabled={!canEdit}>
              <legend className="panel__title">{b.alertingTitle}</legend>
              <div className="box-config__grid">
                {ALERTING_FIELDS.map((field) => (
                  <NumberField
                    key={field}
                    pointer={`/alerting/${field}`}
                    label={b[field]}
                    hint={b[`${field}Hint`]}
                    value={form.alerting[field]}
                    error={errorFor(`/alerting/${field}`)}
                    errorPrefix={b.errorPrefix}
                    onChange={(value) => setAlerting(field, value)}
                  />
                ))}
              </div>
            </fieldset>

            {canEdit && (
              <p>
                <button type="submit" className="button button--primary box-config__save" disabled={saving} data-testid="box-config-save">
                  {saving ? b.saving : b.save}
                </button>
              </p>
            )}
          </form>
          <History data={data} b={b} f={f} />
        </>
      )}
    </>
  );
}
