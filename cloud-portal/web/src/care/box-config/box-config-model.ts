/**
 * The thresholds and contacts form as data: the editable state built from the box configuration
 * document, the document built back from it, French phone numbers put in E.164, and the form
 * field a server error names. Pure (no DOM): the server is the judge of every value; the form
 * only converts what people type.
 */
import type { BoxConfigDocument } from '@vigie/protocol';

export const THRESHOLD_FIELDS = ['heartRateLow', 'heartRateHigh', 'spo2Min', 'sustainedReadings', 'notWornMinutes', 'noDataMinutes', 'batteryLowPercent'] as const;
export type ThresholdField = (typeof THRESHOLD_FIELDS)[number];
export const ALERTING_FIELDS = ['ackTimeoutMinutes', 'maxRounds'] as const;
export type AlertingField = (typeof ALERTING_FIELDS)[number];
export const CONTACT_ROLES = ['relative', 'nurse', 'doctor', 'other'] as const;
export type ContactRole = (typeof CONTACT_ROLES)[number];
export const MAX_CONTACTS = 10;

/** One contact as typed (`key`: a stable React key across removals). */
export interface ContactDraft {
  readonly key: number;
  readonly name: string;
  readonly role: ContactRole;
  readonly phone: string;
  readonly tier: string;
}

/** The editable form: numbers as typed (strings), the rest of the document kept as loaded. */
export interface BoxConfigForm {
  readonly thresholds: Readonly<Record<ThresholdField, string>>;
  readonly alerting: Readonly<Record<AlertingField, string>>;
  readonly contacts: readonly ContactDraft[];
  /** Sections and fields the page does not edit (fall cancel delay, cadences): sent back unchanged. */
  readonly base: BoxConfigDocument;
}

let nextKey = 1;
/** A fresh key for a new contact row. */
export function contactKey(): number {
  return nextKey++;
}

/** The form of a loaded document (or a first draft). */
export function formOf(doc: BoxConfigDocument): BoxConfigForm {
  const text = (n: number) => String(n);
  return {
    thresholds: Object.fromEntries(THRESHOLD_FIELDS.map((f) => [f, text(doc.thresholds[f])])) as Record<ThresholdField, string>,
    alerting: Object.fromEntries(ALERTING_FIELDS.map((f) => [f, text(doc.alerting[f])])) as Record<AlertingField, string>,
    contacts: doc.contacts.map((c) => ({ key: contactKey(), name: c.name, role: c.role, phone: displayPhone(c.phone), tier: text(c.tier) })),
    base: doc,
  };
}

/** A number as typed: French decimal commas accepted; anything else stays as typed for the server to refuse. */
function numberOf(value: string): number | string {
  const trimmed = value.trim().replace(/\s/g, '').replace(',', '.');
  if (trimmed === '') return '';
  const n = Number(trimmed);
  return Number.isFinite(n) ? n : value;
}

/**
 * A phone number as the box needs it (E.164): French national numbers (`06 12 34 56 78`,
 * `06.12.34.56.78`) get +33; `0033…` becomes `+33…`; spaces, dots, dashes and brackets go.
 * Anything else is returned as typed (the server refuses it, naming the field).
 */
export function normalizePhone(value: string): string {
  const compact = value.trim().replace(/[\s.\-()]/g, '');
  if (/^0[1-9][0-9]{8}$/.test(compact)) return `+33${compact.slice(1)}`;
  if (/^0033[1-9][0-9]{8}$/.test(compact)) return `+${compact.slice(2)}`;
  if (/^\+33\(?0\)?[1-9][0-9]{8}$/.test(compact)) return `+33${compact.slice(-9)}`;
  return compact === '' ? value.trim() : compact;
}

/** An E.164 French number shown in pairs (`+33 6 12 34 56 78`); others as they are. */
export function displayPhone(e164: string): string {
  const m = /^\+33([1-9])(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(e164);
  return m ? `+33 ${m.slice(1).join(' ')}` : e164;
}

/** Whether a normalised number has the shape the protocol accepts (E.164). */
export function looksLikePhone(e164: string): boolean {
  return /^\+[1-9][0-9]{6,14}$/.test(e164);
}

/** The document to send: the form's values over the loaded document. */
export function documentOf(form: BoxConfigForm): Record<string, unknown> {
  return {
    contacts: form.contacts.map((c) => ({ name: c.name.trim(), role: c.role, phone: normalizePhone(c.phone), tier: numberOf(c.tier) })),
    alerting: { ...form.base.alerting, ...Object.fromEntries(ALERTING_FIELDS.map((f) => [f, numberOf(form.alerting[f])])) },
    thresholds: { ...form.base.thresholds, ...Object.fromEntries(THRESHOLD_FIELDS.map((f) => [f, numberOf(form.thresholds[f])])) },
    cadences: form.base.cadences,
  };
}

/** The DOM id of the input a JSON pointer names (`/contacts/1/phone` → `bc-contacts-1-phone`). */
export function fieldId(pointer: string): string {
  return `bc${pointer.replace(/\//g, '-')}`;
}

/** What a refused field is, for choosing the words and where to show them. */
export type RefusedField =
  | { readonly kind: 'threshold'; readonly field: ThresholdField }
  | { readonly kind: 'alerting'; readonly field: AlertingField }
  | { readonly kind: 'contact'; readonly index: number; readonly field: 'name' | 'role' | 'phone' | 'tier' }
  | { readonly kind: 'contacts' }
  | { readonly kind: 'other' };

/** Read the server's `field` (a JSON pointer into the document) against the form. */
export function refusedField(pointer: string, form: BoxConfigForm): RefusedField {
  const parts = pointer.split('/').slice(1);
  if (parts[0] === 'thresholds' && (THRESHOLD_FIELDS as readonly string[]).includes(parts[1] ?? '')) return { kind: 'threshold', field: parts[1] as ThresholdField };
  if (parts[0] === 'alerting' && (ALERTING_FIELDS as readonly string[]).includes(parts[1] ?? '')) return { kind: 'alerting', field: parts[1] as AlertingField };
  if (parts[0] === 'contacts') {
    const index = Number(parts[1]);
    const field = parts[2];
    if (parts.length === 1) return { kind: 'contacts' };
    if (Number.isInteger(index) && index >= 0 && index < form.contacts.length) {
      // A contact refused as a whole (a missing property): point at its name.
      if (field === 'name' || field === 'role' || field === 'phone' || field === 'tier') return { kind: 'contact', index, field };
      return { kind: 'contact', index, field: 'name' };
    }
  }
  return { kind: 'other' };
}

/** The pointer of the input to mark and focus for a refused field (null: no single input). */
export function pointerOf(refused: RefusedField): string | null {
  switch (refused.kind) {
    case 'threshold':
      return `/thresholds/${refused.field}`;
    case 'alerting':
      return `/alerting/${refused.field}`;
    case 'contact':
      return `/contacts/${refused.index}/${refused.field}`;
    case 'contacts':
    case 'other':
      return null;
    default:
      return refused satisfies never;
  }
}

/** Whether the phone of contact `index` repeats an earlier contact's (after normalising). */
export function isDuplicatePhone(form: BoxConfigForm, index: number): boolean {
  const phone = normalizePhone(form.contacts[index]?.phone ?? '');
  return form.contacts.some((c, i) => i !== index && normalizePhone(c.phone) === phone);
}
