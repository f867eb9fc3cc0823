/**
 * A modal dialog on the native `<dialog>` and `showModal()`: the browser makes the rest of the
 * page inert, keeps Tab inside, and closes it on Escape. Mounted means open: the parent renders
 * it while it has a question to ask and unmounts it to close it, so React state stays the one
 * source of truth. Focus goes to the first field (or the first button) on opening and back to
 * what had it before on closing (the page's main region if that element is gone).
 */
import { useId, useLayoutEffect, useRef, type ReactNode } from 'react';

export interface ModalDialogProps {
  /** The dialog's heading; it names the dialog (aria-labelledby). */
  readonly title: string;
  /** Escape, or the browser closing the dialog: the parent unmounts it. */
  readonly onCancel: () => void;
  readonly children: ReactNode;
  /** Ids of the text describing the dialog (aria-describedby), if any. */
  readonly describedBy?: string;
  readonly testId?: string;
}

/** Fields first, so that a question's answer can be typed at once; else the first button. */
const FIRST_FOCUS = 'input:not([disabled]):not([type=hidden]), select:not([disabled]), textarea:not([disabled]), button:not([disabled])';

export function ModalDialog({ title, onCancel, children, describedBy, testId }: ModalDialogProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  // The latest handler, read by the native listeners registered once.
  const cancel = useRef(onCancel);
  useLayoutEffect(() => {
    cancel.current = onCancel;
  });

  useLayoutEffect(() => {
    const element = dialog.current!;
    const opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    element.showModal();
    element.querySelector<HTMLElement>(FIRST_FOCUS)?.focus();
    // Escape fires `cancel`; the parent decides (by unmounting). Chromium may skip `cancel` for a
    // repeated Escape without user activation and close at once: `close` covers that case.
    const onCancelEvent = (event: Event) => {
      event.preventDefault();
      cancel.current();
    };
    const onClose = () => cancel.current();
    element.addEventListener('cancel', onCancelEvent);
    element.addEventListener('close', onClose);
    return () => {
      element.removeEventListener('cancel', onCancelEvent);
      element.removeEventListener('close', onClose);
      if (element.open) element.close();
      const back = opener?.isConnected ? opener : document.getElementById('main');
      back?.focus();
    };
  }, []);

  return (
    <dialog ref={dialog} className="modal" aria-labelledby={titleId} aria-describedby={describedBy} data-testid={testId}>
      <h2 id={titleId} className="modal__title">{title}</h2>
      {children}
    </dialog>
  );
}
