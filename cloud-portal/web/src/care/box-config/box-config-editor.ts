/**
 * The thresholds and contacts page's state, as one reducer: the form being edited, the version it
 * was loaded from, and where a save stands (saving, saved, refused on a field, in conflict with
 * a colleague's version, failed). Pure (no React, no DOM), so each transition is unit-tested;
 * the page only dispatches and draws.
 */
import type { BoxConfigDocument } from '@vigie/protocol';
import type { BoxConfigSaved } from '../../api/types.ts';
import type { Messages } from '../../i18n/fr/index.ts';
import {
  contactKey,
  formOf,
  isDuplicatePhone,
  MAX_CONTACTS,
  pointerOf,
  refusedField,
  type AlertingField,
  type BoxConfigForm,
  type ContactDraft,
  type ThresholdField,
} from './box-config-model.ts';

/** An error shown next to a field (`pointer` null: about the form as a whole). */
export interface FieldError {
  readonly pointer: string | null;
  readonly message: string;
}

export interface EditorState {
  /** Null until the server's configuration arrives. */
  readonly form: BoxConfigForm | null;
  /** The version the form was loaded from (0: none yet): sent as `expectedVersion`. */
  readonly baseVersion: number;
  readonly saving: boolean;
  readonly saved: BoxConfigSaved | null;
  readonly fieldError: FieldError | null;
  /** Someone saved another version since the form was loaded: the save was refused. */
  readonly conflict: boolean;
  readonly saveError: unknown;
  readonly loadingCurrent: boolean;
  readonly loadError: unknown;
}

export const INITIAL_EDITOR: EditorState = {
  form: null,
  baseVersion: 0,
  saving: false,
  saved: null,
  fieldError: null,
  conflict: false,
  saveError: null,
  loadingCurrent: false,
  loadError: null,
};

export type EditorAction =
  /** The server's configuration arrived: fills the form the first time only (never under typing). */
  | { readonly type: 'loaded'; readonly config: BoxConfigDocument; readonly version: number | null }
  | { readonly type: 'threshold'; readonly field: ThresholdField; readonly value: string }
  | { readonly type: 'alerting'; readonly field: AlertingField; readonly value: string }
  | { readonly type: 'contact'; readonly index: number; readonly patch: Partial<Omit<ContactDraft, 'key'>> }
  | { readonly type: 'add-contact' }
  | { readonly type: 'remove-contact'; readonly index: number }
  | { readonly type: 'save-started' }
  | { readonly type: 'save-done'; readonly saved: BoxConfigSaved }
  | { readonly type: 'save-conflict' }
  | { readonly type: 'save-refused'; readonly error: FieldError }
  | { readonly type: 'save-failed'; readonly error: unknown }
  | { readonly type: 'load-current-started' }
  /** The version in force now replaces the form (after a conflict, or a newer version). */
  | { readonly type: 'load-current-done'; readonly config: BoxConfigDocument | null; readonly version: number | null }
  | { readonly type: 'load-current-failed'; readonly error: unknown };

/** The next state of the page after `action`. */
export function editorReducer(state: EditorState, action: EditorAction): EditorState {
  switch (action.type) {
    case 'loaded':
      return state.form !== null ? state : { ...state, form: formOf(action.config), baseVersion: action.version ?? 0 };
    case 'threshold':
      return edit(state, (form) => ({ ...form, thresholds: { ...form.thresholds, [action.field]: action.value } }), `/thresholds/${action.field}`);
    case 'alerting':
      return edit(state, (form) => ({ ...form, alerting: { ...form.alerting, [action.field]: action.value } }), `/alerting/${action.field}`);
    case 'contact': {
      const field = Object.keys(action.patch)[0] ?? 'name';
      return edit(state, (form) => ({ ...form, contacts: form.contacts.map((c, i) => (i === action.index ? { ...c, ...action.patch } : c)) }), `/contacts/${action.index}/${field}`);
    }
    case 'add-contact':
      return edit(state, (form) =>
        form.contacts.length >= MAX_CONTACTS
          ? form
          : { ...form, contacts: [...form.contacts, { key: contactKey(), name: '', role: 'relative', phone: '', tier: String(Math.min(5, form.contacts.length + 1)) }] },
      );
    case 'remove-contact':
      // Indexes move on removal: any field error is stale (no pointer: cleared whatever it was).
      return edit(state, (form) => ({ ...form, contacts: form.contacts.filter((_, i) => i !== action.index) }));
    case 'save-started':
      return { ...state, saving: true, saveError: null, fieldError: null, conflict: false, saved: null };
    case 'save-done':
      return { ...state, saving: false, saved: action.saved, baseVersion: action.saved.version };
    case 'save-conflict':
      // The form keeps the doctor's edits until they load the current version.
      return { ...state, saving: false, conflict: true };
    case 'save-refused':
      return { ...state, saving: false, fieldError: action.error };
    case 'save-failed':
      return { ...state, saving: false, saveError: action.error };
    case 'load-current-started':
      return { ...state, loadingCurrent: true, loadError: null };
    case 'load-current-done':
      return {
        ...state,
        loadingCurrent: false,
        form: action.config ? formOf(action.config) : state.form,
        baseVersion: action.version ?? 0,
        conflict: false,
        fieldError: null,
        saved: null,
      };
    case 'load-current-failed':
      return { ...state, loadingCurrent: false, loadError: action.error };
    default:
      return action satisfies never;
  }
}

/** Apply an edit; a field error goes away when its field (or the form as a whole) is edited. */
function edit(state: EditorState, change: (form: BoxConfigForm) => BoxConfigForm, pointer?: string): EditorState {
  if (!state.form) return state;
  const { fieldError } = state;
  const stale = fieldError !== null && (pointer === undefined || fieldError.pointer === pointer || fieldError.pointer === null);
  return { ...state, form: change(state.form), fieldError: stale ? null : fieldError };
}

/** The words for a field the server refused (`pointer`: its JSON pointer into the document). */
export function refusalMessage(b: Messages['boxConfig'], pointer: string, form: BoxConfigForm): FieldError {
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
