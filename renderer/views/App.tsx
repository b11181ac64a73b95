/**
 * The whole window: toolbar, the three panes, the status bar, and the
 * add-account and composer dialogs. Owns which folder is chosen and which
 * dialog is open; everything else lives in the state hooks.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { AccountSummary, Folder, OutboxItem, SendInput, SendResult, TaskInfo } from '../../src-protocol/contract/index.ts';
import { FolderDialog, type FolderDialogMode } from '../components/FolderDialog.tsx';
import { FolderPane, type FolderAction, type FolderSelection } from '../components/FolderPane.tsx';
import { OutboxView, refusedText, waitingText } from '../components/OutboxView.tsx';
import { UndoToast } from '../components/UndoToast.tsx';
import { SearchBox } from '../components/SearchBox.tsx';
import { StatusBar, type Notice, type StatusItem } from '../components/StatusBar.tsx';
import { Toolbar } from '../components/Toolbar.tsx';
import { Welcome } from '../components/Welcome.tsx';
import { findSpecial, folderLabel } from '../lib/folders.ts';
import { toIpcError } from '../ipc/client.ts';
import { useAccountSync } from '../state/use-account-sync.ts';
import { useAccounts } from '../state/use-accounts.ts';
import { useDraftOpener } from '../state/use-draft.ts';
import { useMailChanged, useWatchFolder } from '../state/use-live-updates.ts';
import { useOutbox } from '../state/use-outbox.ts';
import { undoSeconds } from '../state/use-send.ts';
import type { ShownError } from '../lib/loadable.ts';
import { useFolderActions } from '../state/use-folder-actions.ts';
import { useFolders } from '../state/use-folders.ts';
import { useMessageActions } from '../state/use-message-actions.ts';
import { useMessageList, type FolderRef } from '../state/use-message-list.ts';
import { useProgress } from '../state/use-progress.ts';
import { useEngineStartup } from '../state/use-engine-startup.ts';
import { useSearch } from '../state/use-search.ts';
import { useTaskFailures } from '../state/use-task-events.ts';
import { useComposeAnswer } from '../state/use-compose-help.ts';
import { useSavedSearches, useUndoAction, useUnifiedInbox } from '../state/use-virtual-folders.ts';
import type { AnswerKind } from '../lib/composer-fields.ts';
import { AccountSettingsView } from './AccountSettingsView.tsx';
import { PreferencesView } from './PreferencesView.tsx';
import { useAppCommands } from '../state/use-app-commands.ts';
import { useOAuthSignIn } from '../state/use-oauth-sign-in.ts';
import { SignInWait } from '../components/SignInWait.tsx';
import { Modal } from '../components/Modal.tsx';
import { AddAccountView } from './AddAccountView.tsx';
import { ComposerView, type ComposerStart } from './ComposerView.tsx';
import { MailView } from './MailView.tsx';

type Dialog = 'none' | 'account' | 'composer' | 'preferences';

/** How long "Moved to Trash. Undo" stays (Ctrl/Cmd+Z works after that too). */
const ACTION_UNDO_MS = 10_000;

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
  const startup = useEngineStartup();
  const [selected, setSelected] = useState<FolderSelection | null>(null);
  const [dialog, setDialog] = useState<Dialog>('none');
  const [notice, setNotice] = useState<Notice | null>(null);
  const [composerStart, setComposerStart] = useState<ComposerStart | undefined>(undefined);
  /** Each opening of the composer is a fresh one (its own draft). */
  const [composerKey, setComposerKey] = useState(0);
  const openComposer = useCallback((start?: ComposerStart) => {
    setComposerStart(start);
    setComposerKey((k) => k + 1);
    setDialog('composer');
  }, []);
  /** The account whose Outbox is on screen instead of a folder. */
  const [outboxFor, setOutboxFor] = useState<string | null>(null);
  /** "All inboxes" on screen instead of a folder. */
  const [unifiedOn, setUnifiedOn] = useState(false);
  const unified = useUnifiedInbox(unifiedOn);
  const savedSearches = useSavedSearches();
  const [savingSearch, setSavingSearch] = useState<string | null>(null);
  const [settingsFor, setSettingsFor] = useState<AccountSummary | null>(null);
  /** The last move/delete, for Undo (mail:undo). */
  const [actionUndo, setActionUndo] = useState<{ text: string; busy: boolean } | null>(null);
  const actionUndoTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const noAccounts = accounts !== undefined && accounts.length === 0;
  useAppCommands({
    'new-message': () => {
      if (accounts && accounts.length > 0) openComposer();
    },
    preferences: () => setDialog((d) => (d === 'composer' ? d : 'preferences')),
  });

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
  const searchRef = useRef({ rerunIfActive: () => {} });
  searchRef.current.rerunIfActive = () => {
    if (search.active) search.rerun();
  };
  // After a folder's sync: fresh counts, and the search again from the store. The sync of the folder
  // just left may still be writing when a search runs (it is not waited for), and its results would
  // otherwise stay as they were until the query changed.
  const onSynced = useCallback(
    (ref: FolderRef) => {
      void reloadFolders(ref.account_id, false);
      searchRef.current.rerunIfActive();
    },
    [reloadFolders],
  );
  const accountLabelRef = useRef<(id: string) => string>((id) => id);
  // After a whole-account sync: fresh counts, and the list and search again from the store.
  const listRef = useRef<{ relist: () => void } | null>(null);
  // A conversation gathers messages from every folder of the account (a reply
  // kept in Sent), so the conversation list reloads when any of them changed,
  // not only when the folder on screen gained or lost rows.
  const [mailVersion, setMailVersion] = useState(0);
  const bumpMailVersion = useCallback(() => setMailVersion((n) => n + 1), []);
  const afterAccountSync = useCallback(
    (accountId: string) => {
      bumpMailVersion();
      void reloadFolders(accountId, false);
      if (selectedRef.current?.account_id === accountId) listRef.current?.relist();
      searchRef.current.rerunIfActive();
    },
    [reloadFolders, bumpMailVersion],
  );
  const { syncAccount, stopSync } = useAccountSync(accounts, {
    onSynced: afterAccountSync,
    onSettled: (accountId) => settleProgress('sync', accountId),
    onBackgroundError: (accountId, error) =>
      setNotice({ kind: 'error', text: `Could not sync ${accountLabelRef.current(accountId)}: ${error.message}` }),
  });
  const list = useMessageList(selected, onSynced, syncAccount);
  listRef.current = list;
  const selectedRef = useRef(selected);
  selectedRef.current = selected;

  const applyFlags = useCallback(
    (id: number, flags: string[]) => {
      list.setFlags(id, flags);
      search.setFlags(id, flags);
      unified.setFlags(id, flags);
    },
    [list.setFlags, search.setFlags, unified.setFlags],
  );
  const unifiedRef = useRef(unified);
  unifiedRef.current = unified;
  const unifiedOnRef = useRef(unifiedOn);
  unifiedOnRef.current = unifiedOn;

  const hideActionUndo = useCallback(() => {
    if (actionUndoTimer.current !== null) clearTimeout(actionUndoTimer.current);
    actionUndoTimer.current = null;
    setActionUndo(null);
  }, []);
  useEffect(() => hideActionUndo, [hideActionUndo]);

  const actions = useMessageActions({
    applyFlags,
    removeRows: (ids) => {
      list.removeIds(ids);
      unifiedRef.current.removeIds(ids);
    },
    settled: (accountIds) => {
      bumpMailVersion();
      for (const id of accountIds) void reloadFolders(id, false);
      list.relist();
      if (search.active) search.rerun();
      if (unifiedOnRef.current) unifiedRef.current.reload();
    },
    undoable: (text) => {
      if (actionUndoTimer.current !== null) clearTimeout(actionUndoTimer.current);
      setActionUndo({ text, busy: false });
      actionUndoTimer.current = setTimeout(() => {
        actionUndoTimer.current = null;
        setActionUndo((u) => (u && !u.busy ? null : u));
      }, ACTION_UNDO_MS);
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

  const undoAction = useUndoAction();
  const runUndo = useCallback(async () => {
    setActionUndo((u) => (u ? { ...u, busy: true } : u));
    try {
      const r = await undoAction();
      setNotice({ kind: 'info', text: r.undone > 0 ? `Undone: ${r.what ?? `${r.undone} message(s)`}.` : 'Nothing to undo.' });
    } catch (err) {
      setNotice({ kind: 'error', text: `Could not undo: ${toIpcError(err).message}` });
    }
    hideActionUndo();
    for (const a of accountsRef.current ?? []) void reloadFolders(a.id, false);
    listRef.current?.relist();
    searchRef.current.rerunIfActive();
    if (unifiedOnRef.current) unifiedRef.current.reload();
  }, [undoAction, hideActionUndo, reloadFolders]);
  const accountsRef = useRef(accounts);
  accountsRef.current = accounts;

  // Ctrl/Cmd+Z outside text fields: take back the last move or delete.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key.toLowerCase() !== 'z' || !(e.ctrlKey || e.metaKey) || e.shiftKey || e.altKey || e.defaultPrevented) return;
      const el = document.activeElement;
      if (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || (el as HTMLElement).isContentEditable)) return;
      if (document.querySelector('dialog[open]')) return;
      e.preventDefault();
      void runUndo();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [runUndo]);

  // Reply, reply all, forward: the composer starts from the engine's prefill.
  const composeAnswer = useComposeAnswer();
  const answer = useCallback(
    (id: number, kind: AnswerKind) => {
      composeAnswer(id, kind).then(
        (a) => openComposer({ fields: a.fields, draftId: null, origin: a.origin, title: kind === 'reply' ? 'Reply' : kind === 'reply-all' ? 'Reply all' : 'Forward' }),
        (err: unknown) => setNotice({ kind: 'error', text: `Could not start the answer: ${toIpcError(err).message}` }),
      );
    },
    [composeAnswer, openComposer],
  );

  // Outside text fields, `c` starts a new message.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'c' || e.ctrlKey || e.metaKey || e.altKey || e.defaultPrevented) return;
      const el = document.activeElement;
      if (el && (el.tagName === 'INPUT' || el.tagName === 'TEXTAREA' || el.tagName === 'SELECT' || (el as HTMLElement).isContentEditable)) return;
      if (dialog !== 'none' || !accounts || accounts.length === 0) return;
      e.preventDefault();
      openComposer();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [dialog, accounts, openComposer]);

  const selectedFolder = selected
    ? foldersState.folders.get(selected.account_id)?.data?.find((x) => x.path === selected.folder)
    : undefined;
  const title = useMemo(() => {
    if (!selected) return 'Mail';
    return selectedFolder ? folderLabel(selectedFolder) : folderLabel({ path: selected.folder, name: selected.folder, special_use: null });
  }, [selected, selectedFolder]);
  const counts = selectedFolder ? { total: selectedFolder.total, unread: selectedFolder.unread } : undefined;
  const unifiedUnread = (accounts ?? []).reduce((n, a) => n + (foldersState.folders.get(a.id)?.data?.find((f) => f.path.toUpperCase() === 'INBOX')?.unread ?? 0), 0);
  const savedSelected = search.active ? (savedSearches.searches.data?.find((x) => x.query === search.query.trim())?.id ?? null) : null;

  const accountLabel = useCallback(
    (id: string) => accounts?.find((a) => a.id === id)?.name ?? id,
    [accounts],
  );
  accountLabelRef.current = accountLabel;
  const statusItems: StatusItem[] = progress.map((p) => ({ ...p, accountLabel: accountLabel(p.account_id) }));

  const onAdded = (account: AccountSummary) => {
    accountsState.replace(account);
    setDialog('none');
    setSelected({ account_id: account.id, folder: 'INBOX' });
    setNotice({ kind: 'info', text: `Added ${account.email}.` });
  };

  // An OAuth account whose sign-in ended (revoked, or cancelled when added): sign in again, then sync.
  const oauth = useOAuthSignIn();
  const signInAgain = async (account: AccountSummary) => {
    const signedIn = await oauth.signIn(account.id);
    if (!signedIn) return;
    accountsState.replace(signedIn);
    setNotice({ kind: 'info', text: `Signed in ${signedIn.email}.` });
    await reloadFolders(signedIn.id, true);
    syncAccount(signedIn.id).catch(() => undefined);
  };
  useEffect(() => {
    if (oauth.status.state === 'error') setNotice({ kind: 'error', text: `Could not sign in: ${oauth.status.error.message}` });
  }, [oauth.status]);

  // Sending: the message waits the undo window in the outbox; "Sending… Undo" meanwhile.
  const outbox = useOutbox();
  const [undo, setUndo] = useState<{ outboxId: number; text: string; busy: boolean } | null>(null);
  const undoTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const hideUndo = useCallback(() => {
    if (undoTimer.current !== null) clearTimeout(undoTimer.current);
    undoTimer.current = null;
    setUndo(null);
  }, []);
  useEffect(() => hideUndo, [hideUndo]);

  const onSent = (input: SendInput, result: SendResult) => {
    setDialog('none');
    if (result.state === 'queued') {
      hideUndo();
      setUndo({ outboxId: result.outbox_id, text: 'Sending…', busy: false });
      undoTimer.current = setTimeout(() => {
        undoTimer.current = null;
        setUndo((u) => (u?.outboxId === result.outbox_id && !u.busy ? null : u));
      }, undoSeconds() * 1000);
      return;
    }
    announceSent(input.account_id, result.accepted, result.rejected, result.sent_copy);
  };

  const announceSent = (accountId: string, accepted: ReadonlyArray<string>, rejected: ReadonlyArray<string>, sentCopy: boolean) => {
    const refused = rejected.length > 0 ? ` Not accepted for: ${rejected.join(', ')}.` : '';
    const copy = sentCopy ? '' : ' No copy was saved in Sent.';
    setNotice({ kind: refused ? 'error' : 'info', text: `Message sent to ${accepted.join(', ')}.${refused}${copy}` });
    void reloadFolders(accountId, false);
    const sent = findSpecial(foldersState.folders.get(accountId)?.data ?? [], 'sent');
    const sel = selectedRef.current;
    if (sel && sent && sel.account_id === accountId && sel.folder === sent.path) list.refresh();
  };
  const settleRef = useRef(settleProgress);
  settleRef.current = settleProgress;
  const announceRef = useRef(announceSent);
  announceRef.current = announceSent;

  // What happens to outgoing messages later: sent, waiting for the network, refused.
  const subscribeOutbox = outbox.subscribe;
  useEffect(
    () =>
      subscribeOutbox((item: OutboxItem) => {
        if (item.state !== 'queued') setUndo((u) => (u?.outboxId === item.id && !u.busy ? null : u));
        // The attempt is over (sent, refused, or waiting again): its progress too.
        if (item.state !== 'sending') settleRef.current('send', item.account_id);
        if (item.state === 'sent') announceRef.current(item.account_id, item.accepted, item.rejected, item.sent_copy);
        else if (item.state === 'failed') setNotice({ kind: 'error', text: `"${item.subject}": ${refusedText(item.last_error, item.last_error_code)} It is kept in the Outbox.` });
        else if (item.state === 'queued' && item.last_error) setNotice({ kind: 'error', text: waitingText(item.last_error) });
      }),
    [subscribeOutbox],
  );

  /** Takes a message back from the outbox into a new composer. */
  const takeBack = useCallback(
    async (outboxId: number): Promise<ShownError | null> => {
      try {
        const draft = await outbox.cancel(outboxId);
        openComposer({ fields: draft, draftId: null });
        return null;
      } catch (err) {
        return toIpcError(err);
      }
    },
    [outbox, openComposer],
  );

  const undoSend = async () => {
    if (!undo) return;
    setUndo({ ...undo, busy: true });
    const error = await takeBack(undo.outboxId);
    hideUndo();
    if (error) setNotice({ kind: 'error', text: `Could not undo: ${error.message}` });
  };

  const [outboxBusy, setOutboxBusy] = useState<ReadonlyMap<number, 'retry' | 'cancel' | ShownError>>(new Map());
  const markOutbox = (id: number, state: 'retry' | 'cancel' | ShownError | null) =>
    setOutboxBusy((prev) => {
      const next = new Map(prev);
      if (state === null) next.delete(id);
      else next.set(id, state);
      return next;
    });
  const retryOutbox = async (id: number) => {
    markOutbox(id, 'retry');
    try {
      await outbox.retry(id);
      markOutbox(id, null);
    } catch (err) {
      markOutbox(id, toIpcError(err));
    }
  };
  const cancelOutbox = async (id: number) => {
    markOutbox(id, 'cancel');
    const error = await takeBack(id);
    markOutbox(id, error);
  };
  const outboxCounts = useMemo(() => {
    const m = new Map<string, { count: number; problems: number }>();
    for (const [accountId, items] of outbox.byAccount) {
      m.set(accountId, { count: items.length, problems: items.filter((i) => i.state === 'failed' || i.last_error).length });
    }
    return m;
  }, [outbox.byAccount]);
  // An empty outbox is not shown: back to the folder.
  useEffect(() => {
    if (outboxFor && (outboxCounts.get(outboxFor)?.count ?? 0) === 0) setOutboxFor(null);
  }, [outboxFor, outboxCounts]);

  // Push: the server changed something; counts now, and the list when it is the folder on screen.
  useMailChanged((change) => {
    bumpMailVersion();
    void reloadFolders(change.account_id, false);
    const sel = selectedRef.current;
    if (sel && sel.account_id === change.account_id && sel.folder === change.folder) list.relist();
    if (search.active) search.rerun();
  });
  useWatchFolder(selected);

  // Drafts: a message of the Drafts folder opens in the composer.
  const openDraftMessage = useDraftOpener();
  const openDraft = useCallback(
    (id: number) => {
      openDraftMessage(id).then(
        (start) => openComposer(start),
        (err: unknown) => setNotice({ kind: 'error', text: `Could not open the draft: ${toIpcError(err).message}` }),
      );
    },
    [openDraftMessage, openComposer],
  );
  const draftsPath = selected ? findSpecial(foldersState.folders.get(selected.account_id)?.data ?? [], 'drafts')?.path : undefined;
  const inDrafts = !search.active && selected !== null && draftsPath !== undefined && selected.folder === draftsPath;

  return (
    <div className="app">
      <Toolbar
        onCompose={() => openComposer()}
        canCompose={!!accounts && accounts.length > 0}
        onPreferences={() => setDialog('preferences')}
        actionsSlot={setActionSlot}
        search={
          noAccounts ? undefined : (
            <SearchBox
              value={search.query}
              onChange={search.setQuery}
              onClear={search.clear}
              busy={search.results.loading}
              error={search.active ? search.results.error : null}
              onSave={savedSelected === null ? () => setSavingSearch(search.query.trim()) : undefined}
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
            selected={unifiedOn || search.active ? null : selected}
            onSelect={(sel) => {
              setOutboxFor(null);
              setUnifiedOn(false);
              if (search.active) search.clear();
              setSelected(sel);
            }}
            unified={{
              selected: unifiedOn && outboxFor === null && !search.active,
              unread: unifiedUnread,
              onOpen: () => {
                setOutboxFor(null);
                if (search.active) search.clear();
                setUnifiedOn(true);
              },
            }}
            savedSearches={{
              items: savedSearches.searches.data ?? [],
              selectedId: savedSelected,
              onOpen: (s) => {
                setOutboxFor(null);
                search.setQuery(s.query);
              },
              onDelete: (s) => {
                savedSearches.remove(s.id).then(
                  () => setNotice({ kind: 'info', text: `Deleted the saved search "${s.name}".` }),
                  (err: unknown) => setNotice({ kind: 'error', text: `Could not delete the saved search: ${toIpcError(err).message}` }),
                );
              },
            }}
            onAccountSettings={setSettingsFor}
            onSignIn={(account) => void signInAgain(account)}
            outbox={outboxCounts}
            outboxSelected={outboxFor}
            onOpenOutbox={setOutboxFor}
            onRetryAccounts={accountsState.reload}
            onRetryFolders={(id) => void reloadFolders(id, true)}
            onAddAccount={() => setDialog('account')}
            onFolderAction={onFolderAction}
            onDropMessages={onDropMessages}
          />
          {outboxFor !== null ? (
            <OutboxView
              accountLabel={accountLabel(outboxFor)}
              items={outbox.byAccount.get(outboxFor) ?? []}
              busy={outboxBusy}
              onRetry={(id) => void retryOutbox(id)}
              onCancel={(id) => void cancelOutbox(id)}
            />
          ) : (
          <MailView
            folder={selected}
            title={title}
            counts={counts}
            list={list}
            listVersion={mailVersion}
            search={
              search.active
                ? { query: search.query.trim(), results: search.results, title: savedSearches.searches.data?.find((x) => x.id === savedSelected)?.name }
                : unifiedOn
                  ? {
                      query: '\u0000unified',
                      results: unified.messages,
                      title: 'All inboxes',
                      emptyText: 'No messages in any inbox',
                      placeOf: (m) => accountLabel(m.account_id),
                      onRefresh: unified.reload,
                    }
                  : null
            }
            onAnswer={answer}
            folders={foldersState.folders}
            actions={actions}
            applyFlags={applyFlags}
            adjustUnread={foldersState.adjustUnread}
            actionSlot={actionSlot}
            onOpenDraft={inDrafts ? openDraft : undefined}
          />
          )}
        </main>
      )}
      {undo && <UndoToast text={undo.text} busy={undo.busy} onUndo={() => void undoSend()} onDismiss={hideUndo} />}
      {!undo && actionUndo && (
        <UndoToast text={actionUndo.text} busy={actionUndo.busy} onUndo={() => void runUndo()} onDismiss={hideActionUndo} testId="action-undo-toast" actionTestId="undo-action" />
      )}
      {savingSearch !== null && (
        <FolderDialog
          mode="create"
          title="Save search"
          text={`Shows the messages that match: ${savingSearch}`}
          initialName={savingSearch}
          delimiter={null}
          fieldLabel="Name"
          submitLabel="Save"
          onSubmit={async (name) => {
            try {
              await savedSearches.save(name, savingSearch);
            } catch (err) {
              throw toIpcError(err);
            }
            setSavingSearch(null);
            setNotice({ kind: 'info', text: `Saved the search "${name}".` });
          }}
          onClose={() => setSavingSearch(null)}
        />
      )}
      {settingsFor && (
        <AccountSettingsView
          account={settingsFor}
          setIdentities={accountsState.setIdentities}
          onDone={(a) => {
            setSettingsFor(null);
            setNotice({ kind: 'info', text: `Saved the addresses of ${a.name}.` });
          }}
          onClose={() => setSettingsFor(null)}
        />
      )}
      <StatusBar
        items={statusItems}
        startup={startup}
        notice={notice}
        onDismissNotice={() => setNotice(null)}
        onStop={(item) => {
          if (stopSync(item.account_id)) setNotice({ kind: 'info', text: `Stopped syncing ${item.accountLabel}. What was downloaded is kept; Refresh starts again.` });
        }}
      />

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
      {oauth.status.state === 'waiting' && (
        <Modal title="Signing in" onClose={oauth.cancel} className="modal-small" testId="sign-in-dialog">
          <SignInWait url={oauth.status.url} onCancel={oauth.cancel} />
        </Modal>
      )}
      {dialog === 'preferences' && (
        <PreferencesView
          onDone={() => {
            setDialog('none');
            setNotice({ kind: 'info', text: 'Preferences saved.' });
          }}
          onClose={() => setDialog('none')}
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
          key={composerKey}
          accounts={accounts}
          defaultAccountId={selected?.account_id ?? null}
          start={composerStart}
          progress={progress.filter((p) => p.task === 'send')}
          onSent={onSent}
          onClose={(kept) => {
            setDialog('none');
            if (kept) {
              setNotice({ kind: 'info', text: 'Draft kept in Drafts.' });
              const sel = selectedRef.current;
              if (sel) void reloadFolders(sel.account_id, false);
            }
          }}
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
