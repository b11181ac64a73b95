/**
 * A modal dialog on the native <dialog> element: focus stays inside, Escape
 * closes (unless the dialog says it cannot be closed right now).
 */
import { useEffect, useRef, type ReactNode } from 'react';
import { CloseIcon } from './Icons.tsx';

export interface ModalProps {
  title: string;
  /** null: the dialog cannot be dismissed now (e.g. while sending). */
  onClose: (() => void) | null;
  children: ReactNode;
  className?: string;
  testId?: string;
}

export function Modal(props: ModalProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const onCloseRef = useRef(props.onClose);
  onCloseRef.current = props.onClose;

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (!dialog.open) dialog.showModal();
    // showModal() focuses the first control (the close button); start where typing begins instead.
    dialog.querySelector<HTMLElement>('[data-autofocus]')?.focus();
    const onCancel = (e: Event) => {
      e.preventDefault();
      onCloseRef.current?.();
    };
    dialog.addEventListener('cancel', onCancel);
    return () => {
      dialog.removeEventListener('cancel', onCancel);
      if (dialog.open) dialog.close();
    };
  }, []);

  const titleId = `dialog-title-${props.testId ?? 'modal'}`;
  return (
    <dialog ref={ref} className={`modal ${props.className ?? ''}`} aria-labelledby={titleId} data-testid={props.testId}>
      <header className="modal-header">
        <h2 id={titleId}>{props.title}</h2>
        {props.onClose && (
          <button type="button" className="icon-button" aria-label="Close" onClick={props.onClose}>
            <CloseIcon />
          </button>
        )}
      </header>
      {props.children}
    </dialog>
  );
}
