/**
 * The whole window: toolbar, the three panes, the status bar, and the
 * add-account and composer dialogs. Owns which folder is chosen and which
 * dialog is open; everything else lives in the state hooks.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AccountSummary, Folder, SendResult, TaskInfo } from '../../src-protocol/contract/index.ts';
import { FolderDialog, type FolderDialogMode } from '../components/FolderDialog.tsx';
import { FolderPane, type FolderAction, type FolderSelection } from '../components/FolderPane.tsx';
import { SearchBox } from '../components/SearchBox.tsx';
import { StatusBar, type Notice, type StatusItem } from '../components/StatusBar.tsx';
import { Toolbar } from '../components/Toolbar.tsx';
import { Welcome } from '../components/Welcome.tsx';
import { findSpecial, folderLabel } from '../lib/folders.ts';
import { toIpcError } from '../ipc/client.ts';
import { useAccountSync } from '../state/use-account-sync.ts';
import { useAccounts } from '../state/use-accounts.ts';
import { useFolderActions } from '../state/use-folder-actions.ts';
import { useFolders } from '../state/use-folders.ts';
import { useMessageActions } from '../state/use-message-actions.ts';
import { useMessageList, type FolderRef } from '../state/use-message-list.ts';
import { useProgress } from '../state/use-progress.ts';
import { useSearch } from '../state/use-search.ts';
import { useTaskFailures } from '../state/use-task-events.ts';
import { AddAccountView } from './AddAccountView.tsx';
import { ComposerView } from './ComposerView.tsx';
import { MailView } from './MailView.tsx';

type Dialog = 'none' | 'account' | 'composer';

interface FolderDialogState {
  mode: FolderDialogMode;
  account: AccountSummary;
  folder: Folder | null;
}

const TASK_WORDS: Record<TaskInfo['kind'], string> = {
  flags: 'change flags',
  move: 'move messages',
  expunge: 'delete messages',
  'draft-put': 'save a draft',
  'draft-remove': 'remove a draft',
};

/** The hierarchy delimiter of an account's folders (what a new subfolder's path is joined with). */
function delimiterOf(folders: ReadonlyArray<Folder> | undefined, folder: Folder | null): string | null {
  return folder?.delimiter ?? folders?.find((f) => f.delimiter)?.delimiter ?? null;
}

function parentOf(path: string, delimiter: string | null): string {
  if (!delimiter) return '';
  const i = path.lastIndexOf(delimiter);
  return i < 0 ? '' : path.slice(0, i + delimiter.length);
}
export function App() {
  const accountsState = useAccounts();
  const accounts = accountsState.accounts.data;
  const foldersState = useFolders(accounts);
  const { entries: progress, settle: settleProgress } = useProgress();
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

  // A folder that is gone (deleted here or elsewhere) is no longer shown: back to its account's INBOX.
  const selectedAccountFolders = selected ? foldersState.folders.get(selected.account_id) : undefined;
  useEffect(() => {
    const known = selectedAccountFolders;
    if (!selected || !known?.data || known.loading || known.data.length === 0 || selected.folder.toUpperCase() === 'INBOX') return;
    if (!known.data.some((f) => f.path === selected.folder)) setSelected({ account_id: selected.account_id, folder: 'INBOX' });
  }, [selected, selectedAccountFolders]);

  const reloadFolders = foldersState.reload;
  const search = useSearch();
  const onSynced = useCallback((ref: FolderRef) => void reloadFolders(ref.account_id, false), [reloadFolders]);
  const accountLabelRef = useRef<(id: string) => string>((id) => id);
  // After a whole-account sync: fresh counts, and the list and search again from the store.
  const listRef = useRef<{ relist: () => void } | null>(null);
  const afterAccountSync = useCallback(
    (accountId: string) => {
      void reloadFolders(accountId, false);
      if (selectedRef.current?.account_id === accountId) listRef.current?.relist();
      searchRef.current.rerunIfActive();
    },
    [reloadFolders],
  );
  const { syncAccount } = useAccountSync(accounts, {
    onSynced: afterAccountSync,
    onSettled: (accountId) => settleProgress('sync', accountId),
    onBackgroundError: (accountId, error) =>
      setNotice({ kind: 'error', text: `Could not sync ${accountLabelRef.current(accountId)}: ${error.message}` }),
  });
  const list = useMessageList(selected, onSynced, syncAccount);
  listRef.current = list;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;
  const searchRef = useRef({ rerunIfActive: () => {} });
  searchRef.current.rerunIfActive = () => {
    if (search.active) search.rerun();
  };

  const applyFlags = useCallback(
    (id: number, flags: string[]) => {
      list.setFlags(id, flags);
      search.setFlags(id, flags);
    },
    [list.setFlags, search.setFlags],
  );

  const actions = useMessageActions({
    applyFlags,
    removeRows: list.removeIds,
    settled: (accountIds) => {
      for (const id of accountIds) void reloadFolders(id, false);
      list.relist();
      if (search.active) search.rerun();
    },
    info: (text) => setNotice({ kind: 'info', text }),
    failed: (text) => setNotice({ kind: 'error', text }),
  });

  // The server refused an action that was already shown as done: say so in
  // its words, and bring the list back to the server's truth.
  useTaskFailures((task) => {
    setNotice({
      kind: 'error',
      text: `The server did not ${TASK_WORDS[task.kind]} (${accountLabelRef.current(task.account_id)}): ${task.last_error ?? 'no reason given'}`,
    });
    void reloadFolders(task.account_id, false);
    if (selectedRef.current?.account_id === task.account_id) list.refresh();
    if (search.active) search.rerun();
  });

  const onDropMessages = useCallback(
    (target: FolderSelection, ids: number[]) => {
      const wanted = new Set(ids);
      const source = search.active ? search.results.data : list.messages.data;
      const rows = (source ?? []).filter((m) => wanted.has(m.id));
      const onOtherAccount = rows.filter((m) => m.account_id !== target.account_id).length;
      if (onOtherAccount > 0) setNotice({ kind: 'error', text: 'Messages can only be moved between folders of the same account.' });
      const f = foldersState.folders.get(target.account_id)?.data?.find((x) => x.path === target.folder);
      actions.move(rows, target, f ? folderLabel(f) : target.folder);
    },
    [search.active, search.results.data, list.messages.data, foldersState.folders, actions],
  );

  const [folderDialog, setFolderDialog] = useState<FolderDialogState | null>(null);
  const folderActions = useFolderActions(reloadFolders);
  const onFolderAction = useCallback((mode: FolderAction, account: AccountSummary, folder: Folder | null) => {
    setFolderDialog({ mode, account, folder });
  }, []);
  const [actionSlot, setActionSlot] = useState<HTMLDivElement | null>(null);

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
  accountLabelRef.current = accountLabel;
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
      <Toolbar
        onCompose={() => setDialog('composer')}
        canCompose={!!accounts && accounts.length > 0}
        actionsSlot={setActionSlot}
        search={
          noAccounts ? undefined : (
            <SearchBox
              value={search.query}
              onChange={search.setQuery}
              onClear={search.clear}
              busy={search.results.loading}
              error={search.active ? search.results.error : null}
            />
          )
        }
      />
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
            onFolderAction={onFolderAction}
            onDropMessages={onDropMessages}
          />
          <MailView
            folder={selected}
            title={title}
            counts={counts}
            list={list}
            search={search.active ? { query: search.query.trim(), results: search.results } : null}
            folders={foldersState.folders}
            actions={actions}
            applyFlags={applyFlags}
            adjustUnread={foldersState.adjustUnread}
            actionSlot={actionSlot}
          />
        </main>
      )}
      <StatusBar items={statusItems} notice={notice} onDismissNotice={() => setNotice(null)} />

      {folderDialog && (
        <FolderDialogView
          state={folderDialog}
          folders={foldersState.folders.get(folderDialog.account.id)?.data}
          actions={folderActions}
          onDone={(text, moved) => {
            setFolderDialog(null);
            setNotice({ kind: 'info', text });
            if (moved && selected?.account_id === folderDialog.account.id && selected.folder === moved.from) {
              setSelected(moved.to === null ? { account_id: folderDialog.account.id, folder: 'INBOX' } : { account_id: folderDialog.account.id, folder: moved.to });
            }
          }}
          onClose={() => setFolderDialog(null)}
        />
      )}
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

/** The create / rename / delete dialog of one folder, wired to the engine. */
function FolderDialogView(props: {
  state: FolderDialogState;
  folders: ReadonlyArray<Folder> | undefined;
  actions: ReturnType<typeof useFolderActions>;
  /** `moved`: the folder that was shown went elsewhere (renamed) or away (to: null). */
  onDone: (text: string, moved?: { from: string; to: string | null }) => void;
  onClose: () => void;
}) {
  const { mode, account, folder } = props.state;
  const delimiter = delimiterOf(props.folders, folder);
  const label = folder ? folderLabel(folder) : account.name;
  const title = mode === 'create' ? (folder ? `New folder in ${label}` : `New folder in ${account.name}`) : mode === 'rename' ? `Rename ${label}` : `Delete ${label}?`;
  const text =
    mode === 'delete'
      ? `The folder "${folder?.path ?? ''}" and every message in it will be deleted on the server. This cannot be undone.`
      : '';
  const submit = async (name: string) => {
    try {
      if (mode === 'create') {
        const path = folder && delimiter ? `${folder.path}${delimiter}${name}` : name;
        const created = await props.actions.create(account.id, path);
        props.onDone(`Created folder ${created}.`);
      } else if (mode === 'rename' && folder) {
        const newPath = `${parentOf(folder.path, delimiter)}${name}`;
        const renamed = await props.actions.rename(account.id, folder.path, newPath);
        props.onDone(`Renamed ${folder.path} to ${renamed}.`, { from: folder.path, to: renamed });
      } else if (mode === 'delete' && folder) {
        await props.actions.remove(account.id, folder.path);
        props.onDone(`Deleted folder ${folder.path}.`, { from: folder.path, to: null });
      }
    } catch (err) {
      throw toIpcError(err);
    }
  };
  return (
    <FolderDialog
      mode={mode}
      title={title}
      text={text}
      initialName={mode === 'rename' && folder ? folder.name : ''}
      delimiter={delimiter}
      onSubmit={submit}
      onClose={props.onClose}
    />
  );
}
