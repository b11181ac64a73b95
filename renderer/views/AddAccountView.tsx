/**
 * The add-account dialog wired to the engine: mail:accounts.add, then the
 * account's folders from the server. The caller then opens its INBOX, which
 * syncs and lists it.
 */
import { useState } from 'react';
import type { AccountAddInput, AccountSummary } from '../../src-protocol/contract/index.ts';
import { AccountForm } from '../components/AccountForm.tsx';
import { Modal } from '../components/Modal.tsx';
import { toIpcError } from '../ipc/client.ts';
import type { ShownError } from '../lib/loadable.ts';

export interface AddAccountViewProps {
  add: (input: AccountAddInput) => Promise<AccountSummary>;
  loadFolders: (accountId: string, refresh: boolean) => Promise<void>;
  onAdded: (account: AccountSummary) => void;
  /** null on first run: there is nothing to go back to. */
  onCancel: (() => void) | null;
}

export function AddAccountView(props: AddAccountViewProps) {
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<ShownError | null>(null);

  async function submit(input: AccountAddInput): Promise<void> {
    setError(null);
    setBusy('Checking the incoming and outgoing servers…');
    let account: AccountSummary;
    try {
      account = await props.add(input);
    } catch (err) {
      setError(toIpcError(err));
      setBusy(null);
      return;
    }
    // The account exists now; folder trouble shows in the folder pane.
    setBusy('Loading folders…');
    await props.loadFolders(account.id, true);
    setBusy(null);
    props.onAdded(account);
  }

  return (
    <Modal title="Add a mail account" onClose={busy ? null : props.onCancel} className="modal-account" testId="account-dialog">
      <AccountForm
        onSubmit={(input) => void submit(input)}
        onCancel={props.onCancel}
        busy={busy !== null}
        busyText={busy ?? ''}
        error={error}
      />
    </Modal>
  );
}
