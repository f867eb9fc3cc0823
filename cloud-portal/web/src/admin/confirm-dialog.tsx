/**
 * The second confirmation of the admin's destructive actions (disable, unlink, unassign) and the
 * rejection reason of a registration: one modal dialog, asked through `useConfirmDialog().ask`.
 * A destructive action asks for the item's name typed again; its button stays disabled until the
 * text matches as the server compares it (case and surrounding spaces forgiven), and the server
 * checks it again.
 */
import { useCallback, useId, useRef, useState, type FormEvent, type ReactNode } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import { ModalDialog } from '../ui/modal-dialog.tsx';

/** What to ask. */
export type ConfirmRequest =
  | {
      readonly kind: 'typed';
      readonly title: string;
      /** What will happen, in one sentence. */
      readonly what: string;
      /** The text to type again (an e-mail, a serial…). */
      readonly expected: string;
      /** The confirm button's words (the action's verb). */
      readonly action: string;
    }
  | { readonly kind: 'reason'; readonly title: string; readonly what: string; readonly action: string };

/** The same comparison as the server's `checkConfirmation`. */
export const confirmationMatches = (typed: string, expected: string): boolean => typed.trim().toLowerCase() === expected.trim().toLowerCase();

/** A reason as the API takes it: 1 to 1000 characters. */
const REASON_MAX = 1000;

/**
 * The dialog (render `dialog` once in the page) and `ask`, which opens it and resolves with the
 * typed text (confirmation or reason), or null when the admin cancels.
 */
export function useConfirmDialog(): { dialog: ReactNode; ask: (request: ConfirmRequest) => Promise<string | null> } {
  const [pending, setPending] = useState<{ request: ConfirmRequest; resolve: (value: string | null) => void } | null>(null);
  const ask = useCallback(
    (request: ConfirmRequest) =>
      new Promise<string | null>((resolve) => {
        setPending((previous) => {
          previous?.resolve(null);
          return { request, resolve };
        });
      }),
    [],
  );
  const finish = (value: string | null) => {
    pending?.resolve(value);
    setPending(null);
  };
  const dialog = pending ? <ConfirmDialog request={pending.request} onDone={finish} /> : null;
  return { dialog, ask };
}

function ConfirmDialog({ request, onDone }: { request: ConfirmRequest; onDone: (value: string | null) => void }) {
  const a = useI18n().t.accounts;
  const [text, setText] = useState('');
  const id = useId();
  // Escape and the browser's own close may both report: answer once.
  const answered = useRef(false);
  const answer = (value: string | null) => {
    if (answered.current) return;
    answered.current = true;
    onDone(value);
  };
  const ready = request.kind === 'typed' ? confirmationMatches(text, request.expected) : text.trim().length > 0;
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (ready) answer(request.kind === 'typed' ? text : text.trim());
  };
  const describedBy = request.kind === 'typed' ? `${id}-what ${id}-undo` : `${id}-what`;
  return (
    <ModalDialog title={request.title} onCancel={() => answer(null)} describedBy={describedBy} testId="confirm-dialog">
      <p id={`${id}-what`}>{request.what}</p>
      {request.kind === 'typed' && <p id={`${id}-undo`} className="muted">{a.confirmUndo}</p>}
      <form className="form modal__form" onSubmit={submit} noValidate>
        {request.kind === 'typed' ? (
          <div className="field">
            <label htmlFor={`${id}-text`}>{a.confirmField}</label>
            <p id={`${id}-hint`} className="modal__hint">
              {a.confirmType} <strong className="modal__expected" translate="no">{request.expected}</strong>
            </p>
            <input
              id={`${id}-text`}
              name="confirm"
              autoComplete="off"
              spellCheck={false}
              maxLength={254}
              aria-describedby={`${id}-hint`}
              value={text}
              onChange={(e) => setText(e.target.value)}
            />
          </div>
        ) : (
          <div className="field">
            <label htmlFor={`${id}-text`}>{a.rejectReason}</label>
            <textarea id={`${id}-text`} name="reason" rows={3} required maxLength={REASON_MAX} value={text} onChange={(e) => setText(e.target.value)} />
          </div>
        )}
        <div className="modal__actions">
          <button type="button" className="button button--secondary" onClick={() => answer(null)}>{a.cancel}</button>
          <button type="submit" className="button button--danger" disabled={!ready}>{request.action}</button>
        </div>
      </form>
    </ModalDialog>
  );
}
