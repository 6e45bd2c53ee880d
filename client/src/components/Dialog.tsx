import { useEffect, useId, useRef, type ReactNode } from 'react';
import { useT } from '../i18n/index.ts';
import '../styles/dialog.css';

interface DialogProps {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  /** Buttons at the bottom; a close button is always offered in the head. */
  actions?: ReactNode;
  wide?: boolean;
  testId?: string;
  /** False for a question that must be answered (no ×, Esc does nothing). */
  closable?: boolean;
}

/**
 * A modal dialog on the native <dialog> element: focus moves in and back, Esc closes, the rest of
 * the page is inert, and screen readers hear its title. Used over the call (the call continues).
 */
export function Dialog({ open, title, onClose, children, actions, wide = false, testId, closable = true }: DialogProps) {
  const t = useT();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const onCloseRef = useRef(closable ? onClose : () => undefined);
  onCloseRef.current = closable ? onClose : () => undefined;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) dialog.showModal();
    if (!open && dialog.open) dialog.close();
  }, [open]);

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    // Esc (the `cancel` event) and any other close go through the owner's state.
    const onCancel = (event: Event) => {
      event.preventDefault();
      onCloseRef.current();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => dialog.removeEventListener('cancel', onCancel);
  }, []);

  return (
    <dialog ref={ref} className={`dialog${wide ? ' dialog--wide' : ''}`} aria-labelledby={titleId} data-testid={testId}>
      {open && (
        <>
          <header className="dialog__head">
            <h2 className="dialog__title" id={titleId}>
              {title}
            </h2>
            {closable && (
              <button type="button" className="dialog__close" onClick={onClose} aria-label={t('room.dialog.close')}>
                ×
              </button>
            )}
          </header>
          <div className="dialog__body">{children}</div>
          {actions && <footer className="dialog__actions">{actions}</footer>}
        </>
      )}
    </dialog>
  );
}

interface ConfirmProps {
  open: boolean;
  title: string;
  body: ReactNode;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** A destructive action (red button). */
  danger?: boolean;
  testId?: string;
}

/** "Are you sure?" for actions that cannot be undone; the safe choice has the focus. */
export function ConfirmDialog({ open, title, body, confirmLabel, onConfirm, onCancel, danger = true, testId }: ConfirmProps) {
  const t = useT();
  return (
    <Dialog
      open={open}
      title={title}
      onClose={onCancel}
      testId={testId}
      actions={
        <>
          <button type="button" className="btn btn--ghost" onClick={onCancel} autoFocus data-testid="confirm-cancel">
            {t('common.cancel')}
          </button>
          <button type="button" className={`btn ${danger ? 'btn--danger' : 'btn--primary'}`} onClick={onConfirm} data-testid="confirm-ok">
            {confirmLabel}
          </button>
        </>
      }
    >
      <div className="dialog__text">{body}</div>
    </Dialog>
  );
}
