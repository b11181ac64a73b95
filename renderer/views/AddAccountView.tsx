/**
 * The add-account dialog wired to the engine: mail:accounts.discover to fill
 * in the servers from the address, mail:accounts.add, for an
 * OAuth account the sign-in in the browser, then the account's folders from
 * the server. The caller then opens its INBOX, which syncs and lists it.
 */
import { useCallback, useState } from 'react';
import type { AccountAddInput, AccountSummary } from '../../src-protocol/contract/index.ts';
import { AccountForm } from '../components/AccountForm.tsx';
import { Modal } from '../components/Modal.tsx';
import { SignInWait } from '../components/SignInWait.tsx';
import { toIpcError } from '../ipc/client.ts';
import type { ShownError } from '../lib/loadable.ts';
import { useOAuthSignIn } from '../state/use-oauth-sign-in.ts';
import { useClient } from '../state/client-context.tsx';

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
  const oauth = useOAuthSignIn();
  const client = useClient();
  const discover = useCallback((email: string, signal: AbortSignal) => client.call('mail:accounts.discover', { email }, { signal }), [client]);

  async function submit(input: AccountAddInput): Promise<void> {
    setError(null);
    setBusy(input.oauth ? 'Adding the account…' : 'Checking the incoming and outgoing servers…');
    let account: AccountSummary;
    try {
      account = await props.add(input);
    } catch (err) {
      setError(toIpcError(err));
      setBusy(null);
      return;
    }
    if (account.oauth && !account.oauth.signed_in) {
      setBusy('Signing in…');
      const signedIn = await oauth.signIn(account.id);
      // Not signed in (cancelled, refused): the account stays, with "Sign in" beside it.
      if (!signedIn) {
        setBusy(null);
        props.onAdded(account);
        return;
      }
      account = signedIn;
    }
    // The account exists now; folder trouble shows in the folder pane.
    setBusy('Loading folders…');
    await props.loadFolders(account.id, true);
    setBusy(null);
    props.onAdded(account);
  }

  return (
    <Modal title="Add a mail account" onClose={busy ? null : props.onCancel} className="modal-account" testId="account-dialog">
      {oauth.status.state === 'waiting' ? (
        <SignInWait url={oauth.status.url} onCancel={oauth.cancel} />
      ) : (
        <AccountForm
          onSubmit={(input) => void submit(input)}
          onCancel={props.onCancel}
          busy={busy !== null}
          busyText={busy ?? ''}
          error={error}
          discover={discover}
        />
      )}
    </Modal>
  );
}
