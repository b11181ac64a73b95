/**
 * "Sending… Undo": shown while a sent message waits out the undo window. The
 * caller owns the timer that takes it away.
 */
export interface UndoToastProps {
  text: string;
  busy: boolean;
  onUndo: () => void;
  onDismiss: () => void;
  testId?: string;
  actionTestId?: string;
}

export function UndoToast(props: UndoToastProps) {
  return (
    <div className="toast" role="status" aria-live="polite" data-testid={props.testId ?? 'undo-toast'}>
      <span className="toast-text">{props.text}</span>
      <button type="button" className="toast-action" onClick={props.onUndo} disabled={props.busy} data-testid={props.actionTestId ?? 'undo-send'}>
        {props.busy ? 'Undoing…' : 'Undo'}
      </button>
      <button type="button" className="toast-close" onClick={props.onDismiss} aria-label="Hide">
        ×
      </button>
    </div>
  );
}
