/**
 * "Seuils et contacts": the patient's alert thresholds, escalation and the people the box texts,
 * as the doctor sets them and the box receives them (configuration downlink). The doctor edits
 * and saves a whole version; the page then says whether the box has applied it, polling while it
 * has not. The nurse sees the same page read-only. The server judges every value: its refusal is
 * shown next to the field it names.
 *
 * Where things are: the state and its transitions in `box-config-editor.ts` (a reducer), the
 * form's data and phone numbers in `box-config-model.ts`, the sections in `number-section.tsx`
 * and `contacts-section.tsx`, the notices in `save-notices.tsx`, the version and history in
 * `version-status.tsx`. This file loads, polls, saves and lays them out.
 */
import { useEffect, useReducer, useRef, type FormEvent } from 'react';
import { ApiError, apiGet } from '../../api/client.ts';
import { fetchPatients } from '../../api/endpoints.ts';
import type { BoxConfigView, Role } from '../../api/types.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import { useDocumentTitle } from '../../ui/hooks/use-document-title.ts';
import { useResource } from '../../ui/hooks/use-resource.ts';
import { useResumeKey } from '../../ui/live.tsx';
import { Link } from '../../ui/navigation.tsx';
import { RoleNav } from '../../ui/page-parts.tsx';
import { configUrl, saveConfig, SaveRefused } from './box-config-api.ts';
import { editorReducer, INITIAL_EDITOR, refusalMessage } from './box-config-editor.ts';
import { ALERTING_FIELDS, documentOf, fieldId, THRESHOLD_FIELDS } from './box-config-model.ts';
import { ContactsSection } from './contacts-section.tsx';
import { NumberSection } from './number-section.tsx';
import { EditingNotices, ProblemSummary, SavedNotice } from './save-notices.tsx';
import { History, VersionStatus } from './version-status.tsx';

/** While the box has not applied the latest version, ask again this often (and on focus). */
const PENDING_POLL_MS = 10_000;

export function BoxConfigPage({ patientId, role }: { patientId: string; role: Role }) {
  const { t, f } = useI18n();
  const b = t.boxConfig;
  const resumeKey = useResumeKey();
  const patients = useResource((signal) => fetchPatients({ signal }), [resumeKey]);
  const name = patients.resource.data?.find((p) => p.id === patientId)?.displayName ?? t.patient.titleFallback;
  useDocumentTitle(b.title(name), t.app.name);

  const view = useResource((signal) => apiGet<BoxConfigView>(configUrl(patientId), { signal }), [patientId, resumeKey]);
  const data = view.resource.data;
  const [state, dispatch] = useReducer(editorReducer, INITIAL_EDITOR);
  const { form, fieldError, conflict, saveError } = state;
  const summaryRef = useRef<HTMLDivElement>(null);

  // Fill the form from the server once; later only when asked (never under the doctor's typing).
  useEffect(() => {
    if (data?.config) dispatch({ type: 'loaded', config: data.config, version: data.version });
  }, [data]);

  const { reload } = view;
  const pending = data !== undefined && data.version !== null && (data.appliedVersion ?? 0) < data.version;
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

  // Show what stopped the save: focus the refused field, or the summary above the form.
  useEffect(() => {
    if (!fieldError && !conflict && saveError === null) return;
    const target = fieldError?.pointer ? document.getElementById(fieldId(fieldError.pointer)) : summaryRef.current;
    target?.focus();
  }, [fieldError, conflict, saveError]);

  /** Replace the form with the version in force now (after a conflict, or a newer version). */
  const loadCurrent = async () => {
    dispatch({ type: 'load-current-started' });
    try {
      const fresh = await apiGet<BoxConfigView>(configUrl(patientId));
      view.setData(() => fresh);
      dispatch({ type: 'load-current-done', config: fresh.config, version: fresh.version });
    } catch (error) {
      dispatch({ type: 'load-current-failed', error });
    }
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    if (!form || state.saving) return;
    dispatch({ type: 'save-started' });
    try {
      const saved = await saveConfig(patientId, { ...documentOf(form), expectedVersion: state.baseVersion });
      dispatch({ type: 'save-done', saved });
      view.reload();
    } catch (error) {
      if (error instanceof SaveRefused && error.status === 409 && error.field === '/expectedVersion') {
        dispatch({ type: 'save-conflict' });
        view.reload(); // shows who saved what meanwhile
      } else if (error instanceof SaveRefused && error.status === 400 && error.field) {
        dispatch({ type: 'save-refused', error: refusalMessage(b, error.field, form) });
      } else {
        dispatch({ type: 'save-failed', error });
        // An expired session: the next read signs out the way every page does.
        if (error instanceof ApiError && error.kind === 'unauthorized') view.reload();
      }
    }
  };

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
  const errorFor = (pointer: string) => (fieldError?.pointer === pointer ? fieldError.message : null);
  const minutes = Math.max(1, Math.round((data?.config?.cadences.syncIntervalSeconds ?? 600) / 60));
  const newer = data && data.version !== null && data.version > state.baseVersion ? { version: data.version, by: data.changedBy ?? '' } : null;

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
          <SavedNotice saved={state.saved} appliedVersion={data.appliedVersion} b={b} />
          <EditingNotices data={data} canEdit={canEdit} b={b} />
          <ProblemSummary ref={summaryRef} state={state} newer={newer} t={t} onLoadCurrent={() => void loadCurrent()} />
          <form className="box-config" onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="box-config-heading" data-testid="box-config-form">
            <NumberSection
              section="thresholds"
              title={b.thresholdsTitle}
              fields={THRESHOLD_FIELDS}
              values={form.thresholds}
              b={b}
              disabled={!canEdit}
              errorFor={errorFor}
              onChange={(field, value) => dispatch({ type: 'threshold', field, value })}
            />
            <ContactsSection
              contacts={form.contacts}
              b={b}
              canEdit={canEdit}
              errorFor={errorFor}
              onChange={(index, patch) => dispatch({ type: 'contact', index, patch })}
              onAdd={() => dispatch({ type: 'add-contact' })}
              onRemove={(index) => dispatch({ type: 'remove-contact', index })}
            />
            <NumberSection
              section="alerting"
              title={b.alertingTitle}
              fields={ALERTING_FIELDS}
              values={form.alerting}
              b={b}
              disabled={!canEdit}
              errorFor={errorFor}
              onChange={(field, value) => dispatch({ type: 'alerting', field, value })}
            />
            {canEdit && (
              <p>
                <button type="submit" className="button button--primary box-config__save" disabled={state.saving} data-testid="box-config-save">
                  {state.saving ? b.saving : b.save}
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
