/**
 * The labelled fields of the thresholds and contacts form: each input with its hint and the
 * server's refusal, both linked by aria-describedby; ids from the field's JSON pointer.
 */
import type { ReactNode } from 'react';
import { fieldId } from './box-config-model.ts';

/** The server's refusal of a field, in words (nothing when accepted). */
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
