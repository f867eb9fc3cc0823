/** Pieces of the thresholds and contacts page: the version status, the history, labelled fields. */
import type { ReactNode } from 'react';
import type { BoxConfigView } from '../../../../src/api-types.ts';
import type { useI18n } from '../../i18n/i18n.tsx';
import { fieldId } from './box-config-model.ts';
import type { Messages } from '../../i18n/i18n.tsx';

type BoxConfigTexts = Messages['boxConfig'];

type Formatters = ReturnType<typeof useI18n>['f'];

/** The version in force and whether the box applied it (words and a symbol, never colour alone). */
export function VersionStatus({ data, b, f, minutes }: { data: BoxConfigView; b: BoxConfigTexts; f: Formatters; minutes: number }) {
  if (data.version === null) return null;
  const applied = data.appliedVersion !== null && data.appliedVersion >= data.version;
  return (
    <section className="panel box-config__status" aria-labelledby="box-config-status" data-testid="box-config-status">
      <h2 id="box-config-status" className="panel__title">
        {applied ? <span className="badge badge--calm">✓ {b.applied}</span> : <span className="badge box-config__badge-pending">{b.pending}…</span>}
      </h2>
      <p>{b.current(data.version, data.changedBy ?? '', f.shortDateTime(data.changedAt ?? 0))}</p>
      {!applied && <p className="muted">{b.pendingHelp(minutes)}</p>}
      <p className="muted small">{data.boxLastHeardAt === null ? b.neverHeard : b.lastHeard(f.shortDateTime(data.boxLastHeardAt))}</p>
    </section>
  );
}

export function History({ data, b, f }: { data: BoxConfigView; b: BoxConfigTexts; f: Formatters }) {
  if (data.history.length === 0) return null;
  return (
    <section className="panel" aria-labelledby="box-config-history">
      <h2 id="box-config-history" className="panel__title">
        {b.historyTitle}
      </h2>
      <div className="table-wrap">
        <table className="box-config__history" data-testid="box-config-history">
          <thead>
            <tr>
              <th scope="col">{b.historyVersion}</th>
              <th scope="col">{b.historyBy}</th>
              <th scope="col">{b.historyAt}</th>
              <th scope="col">{b.historyContacts}</th>
            </tr>
          </thead>
          <tbody>
            {data.history.map((h) => (
              <tr key={h.version}>
                <td>{h.version}</td>
                <td>{h.changedBy}</td>
                <td>{f.shortDateTime(h.changedAt)}</td>
                <td>{h.contacts}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

export function FieldErrorText({ id, message, prefix }: { id: string; message: string | null; prefix: string }): ReactNode {
  if (!message) return null;
  return (
    <p id={id} className="field__error">
      <span aria-hidden="true">⚠ </span>
      {prefix} {message}
    </p>
  );
}

export interface TextFieldProps {
  pointer: string;
  label: string;
  hint?: string;
  value: string;
  error: string | null;
  errorPrefix: string;
  type?: 'text' | 'tel';
  inputMode?: 'text' | 'tel' | 'decimal' | 'numeric';
  autoComplete?: string;
  onChange: (value: string) => void;
}

/** A labelled input with its hint and the server's refusal, both linked by aria-describedby. */
export function TextField({ pointer, label, hint, value, error, errorPrefix, type = 'text', inputMode, autoComplete, onChange }: TextFieldProps) {
  const id = fieldId(pointer);
  const describedBy = [hint ? `${id}-hint` : null, error ? `${id}-error` : null].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {hint && (
        <span id={`${id}-hint`} className="muted small">
          {hint}
        </span>
      )}
      <input
        id={id}
        type={type}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        {...(inputMode ? { inputMode } : {})}
        {...(autoComplete ? { autoComplete } : {})}
      />
      <FieldErrorText id={`${id}-error`} message={error} prefix={errorPrefix} />
    </div>
  );
}

/** A number typed as text (French decimal commas welcome); the server checks the range. */
export function NumberField(props: Omit<TextFieldProps, 'type' | 'inputMode'>) {
  return <TextField {...props} inputMode="decimal" />;
}
