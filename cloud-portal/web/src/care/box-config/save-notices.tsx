/**
 * What the page says around the form: the save's outcome (announced politely, then the box's
 * confirmation), what editing means here (read-only, a first version, changes made on the box),
 * and — in one focusable summary — what stopped a save.
 */
import { forwardRef } from 'react';
import type { BoxConfigSaved, BoxConfigView } from '../../api/types.ts';
import { errorText } from '../../i18n/errors.ts';
import type { Messages } from '../../i18n/i18n.tsx';
import { ErrorNotice } from '../../ui/error-notice.tsx';
import type { EditorState } from './box-config-editor.ts';

type BoxConfigTexts = Messages['boxConfig'];

/** The outcome of the last save; always present so screen readers hear it change. */
export function SavedNotice({ saved, appliedVersion, b }: { saved: BoxConfigSaved | null; appliedVersion: number | null; b: BoxConfigTexts }) {
  const appliedNow = saved !== null && appliedVersion !== null && appliedVersion >= saved.version;
  return (
    <div role="status" aria-live="polite" data-testid="box-config-saved">
      {saved && (
        <p className={`notice ${appliedNow || !saved.changed ? 'notice--ok' : 'box-config__pending'}`}>
          {!saved.changed ? b.unchanged(saved.version) : appliedNow ? `✓ ${b.savedApplied(saved.version)}` : b.savedPending(saved.version)}
        </p>
      )}
    </div>
  );
}

/** What editing means for this account and this box. */
export function EditingNotices({ data, canEdit, b }: { data: BoxConfigView; canEdit: boolean; b: BoxConfigTexts }) {
  if (!canEdit) {
    return (
      <p className="notice" data-testid="box-config-read-only">
        {b.readOnly}
      </p>
    );
  }
  if (data.firstVersion) {
    return (
      <div className="notice box-config__first" data-testid="box-config-first">
        <p>
          <strong>{b.firstVersionTitle}.</strong> {b.firstVersion}
        </p>
      </div>
    );
  }
  return data.boxLocalChanges ? (
    <p className="notice box-config__pending" data-testid="box-config-local-changes">
      {b.localChanges}
    </p>
  ) : null;
}

export interface ProblemSummaryProps {
  readonly state: EditorState;
  /** The version in force on the server, when newer than the form's. */
  readonly newer: { version: number; by: string } | null;
  readonly t: Messages;
  readonly onLoadCurrent: () => void;
}

/** What stopped the save (or will: a newer version), focused after a refusal. */
export const ProblemSummary = forwardRef<HTMLDivElement, ProblemSummaryProps>(function ProblemSummary({ state, newer, t, onLoadCurrent }, ref) {
  const b = t.boxConfig;
  const loadButton = (
    <button type="button" className="button button--secondary" onClick={onLoadCurrent} disabled={state.loadingCurrent}>
      {b.loadCurrent}
    </button>
  );
  return (
    <div ref={ref} tabIndex={-1} className="box-config__summary">
      {!state.conflict && newer && (
        <div className="notice box-config__pending" role="alert" data-testid="box-config-newer">
          <p>{b.newerVersion(newer.version, newer.by)}</p>
          {loadButton}
        </div>
      )}
      {state.conflict && (
        <div className="notice notice--error" role="alert" data-testid="box-config-conflict">
          <p>{b.conflict}</p>
          {loadButton}
        </div>
      )}
      {state.fieldError && (
        <div className="notice notice--error" role="alert" data-testid="box-config-refused">
          <p>
            {b.notSaved}
            {state.fieldError.pointer === null && <> {state.fieldError.message}</>}
          </p>
        </div>
      )}
      {state.loadError !== null && <ErrorNotice error={state.loadError} onRetry={onLoadCurrent} />}
      {state.saveError !== null && (
        <div className="notice notice--error" role="alert">
          <p>{errorText(t, state.saveError)}</p>
        </div>
      )}
    </div>
  );
});
