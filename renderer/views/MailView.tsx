/**
 * The message list (a folder's, or search results) and the reading pane,
 * wired to the engine: selecting a row opens it (mail:messages.get, which
 * marks it read); several rows can be selected (shift/ctrl/cmd+click,
 * shift+arrows, ctrl/cmd+A) and acted on with the toolbar or keys:
 * Shift+I read, Shift+U unread, s or ! flag, Delete or # delete, e archive,
 * v move to a folder picked by name.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { createPortal } from 'react-dom';
import type { Folder, MessageSummary, MessageView } from '../../src-protocol/contract/index.ts';
import { ActionBar } from '../components/ActionBar.tsx';
import { FolderPicker } from '../components/FolderPicker.tsx';
import { MessageList, isFlagged, isUnread, type SelectMode, type SelectVia } from '../components/MessageList.tsx';
import { ConversationView } from '../components/ConversationView.tsx';
import { ReadingPane } from '../components/ReadingPane.tsx';
import { ThreadList } from '../components/ThreadList.tsx';
import { ThreadIcon } from '../components/Icons.tsx';
import type { AnswerKind } from '../lib/composer-fields.ts';
import { useThread, useThreadList } from '../state/use-threads.ts';
import { SEEN } from '../lib/flags.ts';
import { findSpecial, folderLabel } from '../lib/folders.ts';
import type { Loadable } from '../lib/loadable.ts';
import { EMPTY_SELECTION, extendTo, nextAfterRemoval, pruneSelection, selectOnly, toggleOne, type Selection } from '../lib/selection.ts';
import { DEFAULT_SORT, sortMessages, type SortOrder } from '../lib/sort.ts';
import type { MessageActions } from '../state/use-message-actions.ts';
import type { FolderRef, MessageListState } from '../state/use-message-list.ts';
import { useMessage } from '../state/use-message.ts';
import { useMessageParts } from '../state/use-message-parts.ts';
import { useAttachmentFiles } from '../state/use-attachment-files.ts';

/** Holding j or an arrow key flies past rows; only the one it stops on is opened. */
const KEYBOARD_OPEN_DELAY_MS = 180;

export interface MailViewProps {
  folder: FolderRef | null;
  title: string;
  counts: { total: number; unread: number } | undefined;
  list: MessageListState;
  /** When set, the list shows these search results (or a virtual folder's messages) instead of the folder. */
  search: {
    query: string;
    results: Loadable<MessageSummary[]>;
    title?: string | undefined;
    emptyText?: string | undefined;
    /** What each row says where it lives (default: its folder). */
    placeOf?: ((m: MessageSummary) => string) | undefined;
    onRefresh?: (() => void) | undefined;
  } | null;
  /** Reply, reply all, forward the open message. */
  onAnswer?: ((id: number, kind: AnswerKind) => void) | undefined;
  /** Changes when mail of the account changed in any folder (the conversation list reloads: a conversation spans folders). */
  listVersion?: number;
  folders: ReadonlyMap<string, Loadable<Folder[]>>;
  actions: MessageActions;
  /** Sets a row's flags in whatever list shows it. */
  applyFlags: (id: number, flags: string[]) => void;
  adjustUnread: (accountId: string, path: string, delta: number) => void;
  /** Where the action buttons go (a slot in the app's toolbar). */
  actionSlot: HTMLElement | null;
  /** Set in the Drafts folder: clicking a message (or Enter) opens it in the composer. */
  onOpenDraft?: ((id: number) => void) | undefined;
}

function isEditable(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (el as HTMLElement).isContentEditable;
}

export function MailView(props: MailViewProps) {
  const { folder, list, adjustUnread, applyFlags, actions, search, folders } = props;
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const [openId, setOpenId] = useState<number | null>(null);
  const [sort, setSort] = useState<SortOrder>(DEFAULT_SORT);
  const [picking, setPicking] = useState(false);
  const openTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const readingPane = useRef<HTMLDivElement>(null);
  const [conversations, setConversations] = useState(false);
  const [threadId, setThreadId] = useState<number | null>(null);
  const threadMode = conversations && !search && folder !== null && !props.onOpenDraft;

  // The folder is sorted by the engine (all of it, page by page); the rows loaded are sorted here too, for search results.
  const setOrder = list.setOrder;
  useEffect(() => setOrder(sort), [setOrder, sort]);
  const source = search ? search.results : list.messages;
  const rows = useMemo(() => sortMessages(source.data ?? [], sort), [source.data, sort]);
  const order = useMemo(() => rows.map((m) => m.id), [rows]);
  const rowsRef = useRef(rows);
  rowsRef.current = rows;
  const openDraftRef = useRef(props.onOpenDraft);
  openDraftRef.current = props.onOpenDraft;

  const clearTimer = () => {
    if (openTimer.current !== null) clearTimeout(openTimer.current);
    openTimer.current = null;
  };

  // A different folder or search starts with nothing selected.
  const viewKey = search ? `search\u0000${search.query}` : folder ? `${folder.account_id}\u0000${folder.folder}` : '';
  useEffect(() => {
    clearTimer();
    setSelection(EMPTY_SELECTION);
    setOpenId(null);
    setThreadId(null);
  }, [viewKey]);
  useEffect(() => clearTimer, []);

  // Rows that left the list (moved, deleted) leave the selection too.
  useEffect(() => {
    setSelection((sel) => pruneSelection(sel, order));
  }, [order]);

  const selectedRows = useMemo(() => rows.filter((m) => selection.ids.has(m.id)), [rows, selection.ids]);

  const onOpened = useCallback(
    (view: MessageView) => {
      const row = rowsRef.current.find((m) => m.id === view.id);
      const flags = view.flags.includes(SEEN) ? view.flags : [...view.flags, SEEN];
      applyFlags(view.id, flags);
      if (row && isUnread(row)) adjustUnread(row.account_id, row.folder, -1);
    },
    [applyFlags, adjustUnread],
  );
  const opened = useMessage(threadMode ? null : openId, onOpened);
  const threadList = useThreadList(threadMode ? folder : null, (props.listVersion ?? 0) + (list.messages.data?.length ?? 0));
  const thread = useThread(threadMode ? threadId : null, onOpened);
  const answerRef = useRef(props.onAnswer);
  answerRef.current = props.onAnswer;
  const openedIdRef = useRef<number | null>(null);
  openedIdRef.current = threadMode ? (thread.messages.data?.[thread.messages.data.length - 1]?.id ?? null) : (opened.message.data?.id ?? null);
  const parts = useMessageParts(openId);
  const files = useAttachmentFiles(openId);

  const select = useCallback(
    (id: number, via: SelectVia, mode: SelectMode = 'only') => {
      clearTimer();
      if (mode === 'toggle') {
        setSelection((sel) => toggleOne(sel, id));
        return;
      }
      if (mode === 'extend') {
        setSelection((sel) => extendTo(sel, rowsRef.current.map((m) => m.id), id));
        return;
      }
      setSelection(selectOnly(id));
      if (via === 'pointer' && openDraftRef.current) openDraftRef.current(id);
      else if (via === 'pointer') setOpenId(id);
      else openTimer.current = setTimeout(() => setOpenId(id), KEYBOARD_OPEN_DELAY_MS);
    },
    [],
  );

  const selectAll = useCallback(() => {
    const ids = rowsRef.current.map((m) => m.id);
    setSelection((sel) => ({ ids: new Set(ids), anchor: ids[0] ?? null, focus: sel.focus ?? ids[0] ?? null }));
  }, []);

  const open = useCallback((id: number) => {
    clearTimer();
    setSelection(selectOnly(id));
    if (openDraftRef.current) {
      openDraftRef.current(id);
      return;
    }
    setOpenId(id);
    readingPane.current?.querySelector<HTMLElement>('[data-testid="reading-pane"]')?.focus();
  }, []);

  const dragIds = useCallback(
    (id: number) => {
      if (selection.ids.has(id)) return rowsRef.current.filter((m) => selection.ids.has(m.id)).map((m) => m.id);
      // Dragging a row that is not selected takes just that row, without opening it (which would mark it read).
      clearTimer();
      setSelection(selectOnly(id));
      return [id];
    },
    [selection.ids],
  );

  /** Before rows leave: the next one takes the selection (not opened, so it is not marked read). */
  const selectNextAfter = useCallback(
    (leaving: ReadonlyArray<MessageSummary>) => {
      const next = nextAfterRemoval(order, new Set(leaving.map((m) => m.id)));
      clearTimer();
      if (leaving.some((m) => m.id === openId)) setOpenId(null);
      setSelection(next === null ? EMPTY_SELECTION : selectOnly(next));
    },
    [order, openId],
  );

  const allRead = selectedRows.length > 0 && selectedRows.every((m) => !isUnread(m));
  const allFlagged = selectedRows.length > 0 && selectedRows.every(isFlagged);
  const archiveOf = useCallback(
    (accountId: string) => findSpecial(folders.get(accountId)?.data ?? [], 'archive'),
    [folders],
  );
  const canArchive = selectedRows.length > 0 && selectedRows.every((m) => {
    const a = archiveOf(m.account_id);
    return a !== undefined && a.path !== m.folder;
  });

  const doSeen = useCallback((seen: boolean) => actions.setSeen(selectedRows, seen), [actions, selectedRows]);
  const doFlag = useCallback((on: boolean) => actions.setFlagged(selectedRows, on), [actions, selectedRows]);
  const doDelete = useCallback(() => {
    if (selectedRows.length === 0) return;
    selectNextAfter(selectedRows);
    actions.remove(selectedRows);
  }, [actions, selectedRows, selectNextAfter]);
  const doArchive = useCallback(() => {
    if (!canArchive) return;
    selectNextAfter(selectedRows);
    for (const accountId of new Set(selectedRows.map((m) => m.account_id))) {
      const archive = archiveOf(accountId);
      if (archive) actions.move(selectedRows, { account_id: accountId, folder: archive.path }, folderLabel(archive));
    }
  }, [actions, selectedRows, canArchive, archiveOf, selectNextAfter]);

  // The picker moves the rows of one account: the focused row's.
  const pickAccount = (selectedRows.find((m) => m.id === selection.focus) ?? selectedRows[0])?.account_id;
  const pickRows = selectedRows.filter((m) => m.account_id === pickAccount);
  const pickFolders = pickAccount ? (folders.get(pickAccount)?.data ?? []) : [];
  const doMove = useCallback(() => {
    if (selectedRows.length > 0) setPicking(true);
  }, [selectedRows.length]);

  // Keys work anywhere outside text fields and dialogs, not only with the list focused.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (isEditable(document.activeElement) || document.querySelector('dialog[open]')) return;
      // r reply, a reply all, f forward, Shift+F forward as attachment: the open message.
      const answer: Record<string, AnswerKind> = { r: 'reply', a: 'reply-all', f: 'forward', F: 'forward-attachment' };
      const kind = answer[e.key];
      if (kind) {
        const id = openedIdRef.current;
        if (id !== null && answerRef.current) {
          e.preventDefault();
          answerRef.current(id, kind);
        }
        return;
      }
      if (e.key === 'j' || e.key === 'k') {
        const data = rowsRef.current;
        if (data.length === 0) return;
        const at = data.findIndex((m) => m.id === selection.focus);
        const next = data[Math.max(0, Math.min(data.length - 1, at < 0 ? 0 : at + (e.key === 'j' ? 1 : -1)))];
        if (next) {
          e.preventDefault();
          select(next.id, 'keyboard');
        }
        return;
      }
      const run: Record<string, () => void> = {
        I: () => doSeen(true),
        U: () => doSeen(false),
        s: () => doFlag(!allFlagged),
        '!': () => doFlag(!allFlagged),
        Delete: doDelete,
        '#': doDelete,
        e: doArchive,
        v: doMove,
      };
      const action = run[e.key];
      if (!action || selectedRows.length === 0) return;
      // Shift+I / Shift+U only with Shift; plain i/u do nothing.
      if ((e.key === 'I' || e.key === 'U') && !e.shiftKey) return;
      e.preventDefault();
      action();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [selection.focus, select, selectedRows.length, allFlagged, doSeen, doFlag, doDelete, doArchive, doMove]);

  const bar = (
    <ActionBar
      count={selectedRows.length}
      allRead={allRead}
      allFlagged={allFlagged}
      canArchive={canArchive}
      onSeen={doSeen}
      onFlag={doFlag}
      onArchive={doArchive}
      onMove={doMove}
      onDelete={doDelete}
    />
  );

  const folderOf = useCallback(
    (m: MessageSummary) => {
      const f = folders.get(m.account_id)?.data?.find((x) => x.path === m.folder);
      return f ? folderLabel(f) : m.folder;
    },
    [folders],
  );

  const searchCount = search?.results.data?.length;
  const modeSwitch = search === null && folder !== null && !props.onOpenDraft ? (
    <button
      type="button"
      className={`icon-button mode-switch${conversations ? ' is-on' : ''}`}
      aria-pressed={conversations}
      aria-label="Conversations"
      onClick={() => {
        setConversations((c) => !c);
        setThreadId(null);
        setOpenId(null);
      }}
      title={conversations ? 'Conversations (click for single messages)' : 'Single messages (click to group into conversations)'}
      data-testid="conversation-toggle"
    >
      <ThreadIcon size={18} />
    </button>
  ) : undefined;
  const readingHost = threadMode ? (
    <div className="reading-pane-host" ref={readingPane}>
      <ConversationView messages={thread.messages} views={thread.views} images={thread.images} onToggle={thread.toggle} folderLabel={folderOf} onAnswer={props.onAnswer} />
    </div>
  ) : null;
  if (threadMode) {
    return (
      <>
        <ThreadList
          title={props.title}
          threads={threadList.threads}
          openId={threadId}
          onOpen={(t) => setThreadId(t.thread_id)}
          onRefresh={() => {
            list.refresh();
            threadList.reload();
          }}
          syncing={list.syncing}
          headerExtra={modeSwitch}
        />
        {readingHost}
      </>
    );
  }
  return (
    <>
      <MessageList
        title={search ? (search.title ?? 'Search results') : props.title}
        headerExtra={modeSwitch}
        counts={search ? (searchCount === undefined ? undefined : { total: searchCount, unread: search.results.data?.filter(isUnread).length ?? 0 }) : props.counts}
        messages={search ? { ...search.results, error: null } : list.messages}
        rows={rows}
        syncing={list.syncing}
        selectedIds={selection.ids}
        focusId={selection.focus}
        onSelect={select}
        onSelectAll={selectAll}
        onOpen={open}
        dragIds={dragIds}
        sort={sort}
        onSort={setSort}
        folderOf={search ? (search.placeOf ?? folderOf) : undefined}
        emptyText={search ? (search.emptyText ?? 'No messages match') : undefined}
        onRefresh={search?.onRefresh ?? list.refresh}
        onNearEnd={!search && list.hasMore ? list.loadMore : undefined}
        hasFolder={search !== null || folder !== null}
      />
      {props.actionSlot && createPortal(bar, props.actionSlot)}
      <div className="reading-pane-host" ref={readingPane}>
        <ReadingPane
          message={opened.message}
          inlineImages={opened.inlineImages}
          saving={opened.saving}
          onSave={(index) => void opened.save(index)}
          onRetry={opened.reload}
          onAllowSender={opened.allowSender}
          remoteBusy={opened.remoteBusy}
          remoteError={opened.remoteError}
          structure={{ tree: parts.tree, load: parts.load, saving: parts.saving, onSave: (node) => void parts.savePart(node) }}
          attached={parts.attached}
          onOpenAttached={parts.openAttached}
          onCloseAttached={parts.closeAttached}
          files={files}
          onAnswer={props.onAnswer && opened.message.data ? (k) => { const id = opened.message.data?.id; if (id !== undefined) props.onAnswer?.(id, k); } : undefined}
        />
      </div>
      {picking && pickAccount && (
        <FolderPicker
          title={pickRows.length === 1 ? 'Move message to…' : `Move ${pickRows.length} messages to…`}
          folders={pickFolders}
          exclude={new Set(pickRows.length > 0 && pickRows.every((m) => m.folder === pickRows[0]?.folder) ? [pickRows[0]?.folder ?? ''] : [])}
          onClose={() => setPicking(false)}
          onPick={(f) => {
            setPicking(false);
            selectNextAfter(pickRows);
            actions.move(pickRows, { account_id: f.account_id, folder: f.path }, folderLabel(f));
          }}
        />
      )}
    </>
  );
}
