/**
 * The small dialogs of folder management: a name for a new folder or a
 * rename, and a confirmation before deleting. The engine's refusal (e.g.
 * the server's words for a name it does not accept) stays in the dialog.
 */
import { useState, type FormEvent } from 'react';
import type { ShownError } from '../lib/loadable.ts';
import { Modal } from './Modal.tsx';

export type FolderDialogMode = 'create' | 'rename' | 'delete';

export interface FolderDialogProps {
  mode: FolderDialogMode;
  title: string;
  /** For delete: the sentence asking to confirm. For create/rename: a hint under the field. */
  text: string;
  initialName: string;
  /** Resolves when done (the dialog closes); rejects with the error to show. */
  onSubmit: (name: string) => Promise<void>;
  onClose: () => void;
  /** For other names than a folder's (a saved search). */
  fieldLabel?: string;
  submitLabel?: string;
}

/** Names with the hierarchy delimiter or control characters are refused before asking the server. */
export function folderNameProblem(name: string, delimiter: string | null): string | null {
  if (!name.trim()) return 'Give the folder a name.';
  if (/[\u0000-\u001f\u007f]/.test(name)) return 'The name has characters a folder name cannot have.';
  if (delimiter && name.includes(delimiter)) return `A folder name cannot contain "${delimiter}" on this server.`;
  return null;
}

export function FolderDialog(props: FolderDialogProps & { delimiter: string | null }) {
  const [name, setName] = useState(props.initialName);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (props.mode !== 'delete') {
      const problem = folderNameProblem(name, props.delimiter);
      if (problem) return setError({ code: 'BAD_INPUT', message: problem });
    }
    setBusy(true);
    setError(null);
    try {
      await props.onSubmit(name.trim());
    } catch (err) {
      const e2 = err as Partial<ShownError>;
      setError({ code: e2.code ?? 'INTERNAL', message: e2.message ?? String(err) });
      setBusy(false);
    }
  };

  return (
    <Modal title={props.title} onClose={busy ? null : props.onClose} className="modal-small" testId="folder-dialog">
      <form className="form folder-form" onSubmit={(e) => void submit(e)}>
        {props.mode === 'delete' ? (
          <p>{props.text}</p>
        ) : (
          <label className="field">
            {props.fieldLabel ?? 'Folder name'}
            <input
              className="input"
              type="text"
              value={name}
              maxLength={200}
              data-autofocus
              data-testid="folder-name"
              onChange={(e) => setName(e.currentTarget.value)}
            />
            {props.text && <span className="muted">{props.text}</span>}
          </label>
        )}
        {error && (
          <div className="form-error" role="alert" data-testid="folder-dialog-error">
            {error.message}
          </div>
        )}
        <div className="form-actions">
          <button type="button" className="button" onClick={props.onClose} disabled={busy}>
            Cancel
          </button>
          <button
            type="submit"
            className={`button ${props.mode === 'delete' ? 'button-danger' : 'button-primary'}`}
            disabled={busy}
            data-autofocus={props.mode === 'delete' ? true : undefined}
            data-testid="folder-dialog-submit"
          >
            {props.submitLabel ?? (props.mode === 'create' ? 'Create' : props.mode === 'rename' ? 'Rename' : 'Delete')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
