/** An account's settings dialog: its From addresses and signatures, saved with mail:identities.set. */
import { useState } from 'react';
import type { AccountSummary, Identity } from '../../src-protocol/contract/index.ts';
import { IdentitiesEditor } from '../components/IdentitiesEditor.tsx';
import { Modal } from '../components/Modal.tsx';
import { toIpcError } from '../ipc/client.ts';
import type { ShownError } from '../lib/loadable.ts';

export interface AccountSettingsViewProps {
  account: AccountSummary;
  setIdentities: (accountId: string, identities: Identity[]) => Promise<AccountSummary>;
  onDone: (account: AccountSummary) => void;
  onClose: () => void;
}

export function AccountSettingsView(props: AccountSettingsViewProps) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ShownError | null>(null);
  const save = async (identities: Identity[]) => {
    setBusy(true);
    setError(null);
    try {
      props.onDone(await props.setIdentities(props.account.id, identities));
    } catch (err) {
      setError(toIpcError(err));
      setBusy(false);
    }
  };
  return (
    <Modal title={`${props.account.name} — addresses and signatures`} onClose={busy ? null : props.onClose} className="modal-account" testId="account-settings-dialog">
      <IdentitiesEditor account={props.account} busy={busy} error={error} onSave={(ids) => void save(ids)} onCancel={props.onClose} />
    </Modal>
  );
}
