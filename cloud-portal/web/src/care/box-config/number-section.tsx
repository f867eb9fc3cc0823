/** A section of numbers (alert thresholds, or escalation): one labelled field per setting. */
import type { Messages } from '../../i18n/i18n.tsx';
import { NumberField } from './box-config-fields.tsx';
import type { AlertingField, ThresholdField } from './box-config-model.ts';

type BoxConfigTexts = Messages['boxConfig'];
/** A setting with a label and a hint in the dictionary (`heartRateLow` and `heartRateLowHint`…). */
type NumberSetting = ThresholdField | AlertingField;

export interface NumberSectionProps<F extends NumberSetting> {
  /** `thresholds` or `alerting`: the document's section, the first part of each field's pointer. */
  readonly section: 'thresholds' | 'alerting';
  readonly title: string;
  readonly fields: readonly F[];
  readonly values: Readonly<Record<F, string>>;
  readonly b: BoxConfigTexts;
  readonly disabled: boolean;
  readonly errorFor: (pointer: string) => string | null;
  readonly onChange: (field: F, value: string) => void;
}

export function NumberSection<F extends NumberSetting>({ section, title, fields, values, b, disabled, errorFor, onChange }: NumberSectionProps<F>) {
  return (
    <fieldset className="box-config__section panel" disabled={disabled}>
      <legend className="panel__title">{title}</legend>
      <div className="box-config__grid">
        {fields.map((field) => (
          <NumberField
            key={field}
            pointer={`/${section}/${field}`}
            label={b[field as NumberSetting]}
            hint={b[`${field as NumberSetting}Hint`]}
            value={values[field]}
            error={errorFor(`/${section}/${field}`)}
            errorPrefix={b.errorPrefix}
            onChange={(value) => onChange(field, value)}
          />
        ))}
      </div>
    </fieldset>
  );
}
