/**
 * The whole window: toolbar, the three panes, the status bar, and the
 * add-account and composer dialogs. Owns which folder is chosen and which
 * dialog is open; everything else lives in the state hooks.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import type { AccountSummary, SendResult } from '../../src-protocol/contract/index.ts';
import { FolderPane, type FolderSelection } from '../components/FolderPane.tsx';
import { StatusBar, type Notice, type StatusItem } from '../components/StatusBar.tsx';
import { Toolbar } from '../components/Toolbar.tsx';
import { Welcome } from '../components/Welcome.tsx';
import { findSpecial, folderLabel } from '../lib/folders.ts';
import { useAccounts } from '../state/use-accounts.ts';
import { useFolders } from '../state/use-folders.ts';
import { useMessageList, type FolderRef } from '../state/use-message-list.ts';
import { useProgress } from '../state/use-progress.ts';
import { AddAccountView } from './AddAccountView.tsx';
import { ComposerView } from './ComposerView.tsx';
import { MailView } from './MailView.tsx';

type Dialog = 'none' | 'account' | 'composer';

export function App() {
  const accountsState = useAccounts();
  const accounts = accountsState.accounts.data;
  const foldersState = useFolders(accounts);
  const progress = useProgress();
  const [selected, setSelected] = useState<FolderSelection | null>(null);
  const [dialog, setDialog] = useState<Dialog>('none');
  const [notice, setNotice] = useState<Notice | null>(null);

  const noAccounts = accounts !== undefined && accounts.length === 0;

  // First run: ask for an account straight away.
  useEffect(() => {
    if (noAccounts) setDialog('account');
  }, [noAccounts]);

  // Open the first account's INBOX until the person chooses something else
  // (not while an account is being added: that flow opens its INBOX when its
  // folders are known).
  useEffect(() => {
    const first = accounts?.[0];
    if (!selected && first && dialog !== 'account') setSelected({ account_id: first.id, folder: 'INBOX' });
    if (selected && accounts && !accounts.some((a) => a.id === selected.account_id)) setSelected(null);
  }, [accounts, selected, dialog]);

  const reloadFolders = foldersState.reload;
  const onSynced = useCallback((ref: FolderRef) => void reloadFolders(ref.account_id, false), [reloadFolders]);
  const list = useMessageList(selected, onSynced);

  // Outside text fields, `c` starts a new message.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'c' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const el = document.activeElement;
      if (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || (el as HTMLElement).isContentEditable)) return;
      if (dialog !== 'none' || !accounts || accounts.length === 0) return;
      e.preventDefault();
      setDialog('composer');
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dialog, accounts]);

  const selectedFolder = selected
    ? foldersState.folders.get(selected.account_id)?.data?.find((x) => x.path === selected.folder)
    : undefined;
  const title = useMemo(() => {
    if (!selected) return 'Mail';
    return selectedFolder ? folderLabel(selectedFolder) : folderLabel({ path: selected.folder, name: selected.folder, special_use: null });
  }, [selected, selectedFolder]);
  const counts = selectedFolder ? { total: selectedFolder.total, unread: selectedFolder.unread } : undefined;

  const accountLabel = useCallback(
    (id: string) => accounts?.find((a) => a.id === id)?.name ?? id,
    [accounts],
  );
  const statusItems: StatusItem[] = progress.map((p) => ({ ...p, accountLabel: accountLabel(p.account_id) }));

  const onAdded = (account: AccountSummary) => {
    setDialog('none');
    setSelected({ account_id: account.id, folder: 'INBOX' });
    setNotice({ kind: 'info', text: `Added ${account.email}.` });
  };

  const onSent = (accountId: string, result: SendResult) => {
    setDialog('none');
    const rejected = result.rejected.length > 0 ? ` Not accepted for: ${result.rejected.join(', ')}.` : '';
    const copy = result.sent_copy ? '' : ' No copy was saved in Sent.';
    setNotice({ kind: rejected ? 'error' : 'info', text: `Message sent to ${result.accepted.join(', ')}.${rejected}${copy}` });
    void reloadFolders(accountId, false);
    const sent = findSpecial(foldersState.folders.get(accountId)?.data ?? [], 'sent');
    if (selected && sent && selected.account_id === accountId && selected.folder === sent.path) list.refresh();
  };

  return (
    <div className="app">
      <Toolbar onCompose={() => setDialog('composer')} canCompose={!!accounts && accounts.length > 0} />
      {noAccounts ? (
        <main className="app-main app-main-welcome">
          <Welcome onAddAccount={() => setDialog('account')} />
        </main>
      ) : (
        <main className="app-main">
          <FolderPane
            accounts={accountsState.accounts}
            folders={foldersState.folders}
            selected={selected}
            onSelect={setSelected}
            onRetryAccounts={accountsState.reload}
            onRetryFolders={(id) => void reloadFolders(id, true)}
            onAddAccount={() => setDialog('account')}
          />
          <MailView folder={selected} title={title} counts={counts} list={list} adjustUnread={foldersState.adjustUnread} />
        </main>
      )}
      <StatusBar items={statusItems} notice={notice} onDismissNotice={() => setNotice(null)} />

      {dialog === 'account' && (
        <AddAccountView
          add={accountsState.add}
          loadFolders={reloadFolders}
          onAdded={onAdded}
          onCancel={() => setDialog('none')}
        />
      )}
      {dialog === 'composer' && accounts && accounts.length > 0 && (
        <ComposerView
          accounts={accounts}
          defaultAccountId={selected?.account_id ?? null}
          progress={progress.filter((p) => p.task === 'send')}
          onSent={onSent}
          onClose={() => setDialog('none')}
        />
      )}
    </div>
  );
}
