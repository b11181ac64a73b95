/**
 * The message list and the reading pane of the chosen folder, wired to the
 * engine: selecting a row opens it (mail:messages.get, which marks it read),
 * and the row and the folder's unread count follow at once.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageView } from '../../src-protocol/contract/index.ts';
import { MessageList, isUnread, type SelectVia } from '../components/MessageList.tsx';
import { ReadingPane } from '../components/ReadingPane.tsx';
import type { FolderRef, MessageListState } from '../state/use-message-list.ts';
import { useMessage } from '../state/use-message.ts';

/** Holding j or an arrow key flies past rows; only the one it stops on is opened. */
const KEYBOARD_OPEN_DELAY_MS = 180;

export interface MailViewProps {
  folder: FolderRef | null;
  title: string;
  counts: { total: number; unread: number } | undefined;
  list: MessageListState;
  adjustUnread: (accountId: string, path: string, delta: number) => void;
}

function isEditable(el: Element | null): boolean {
  if (!el) return false;
  const tag = el.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (el as HTMLElement).isContentEditable;
}

export function MailView(props: MailViewProps) {
  const { folder, list, adjustUnread } = props;
  const [selectedId, setSelectedId] = useState<number | null>(null);
  const [openId, setOpenId] = useState<number | null>(null);
  const openTimer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const readingPane = useRef<HTMLDivElement>(null);
  const rows = useRef(list.messages.data);
  rows.current = list.messages.data;

  const clearTimer = () => {
    if (openTimer.current !== null) clearTimeout(openTimer.current);
    openTimer.current = null;
  };

  // A different folder starts with nothing selected.
  const folderKey = folder ? `${folder.account_id}\u0000${folder.folder}` : '';
  useEffect(() => {
    clearTimer();
    setSelectedId(null);
    setOpenId(null);
  }, [folderKey]);
  useEffect(() => clearTimer, []);

  const onOpened = useCallback(
    (view: MessageView) => {
      const row = rows.current?.find((m) => m.id === view.id);
      const flags = view.flags.includes('\\Seen') ? view.flags : [...view.flags, '\\Seen'];
      list.setFlags(view.id, flags);
      if (row && isUnread(row)) adjustUnread(row.account_id, row.folder, -1);
    },
    [list.setFlags, adjustUnread],
  );
  const opened = useMessage(openId, onOpened);

  const select = useCallback((id: number, via: SelectVia) => {
    setSelectedId(id);
    clearTimer();
    if (via === 'pointer') setOpenId(id);
    else openTimer.current = setTimeout(() => setOpenId(id), KEYBOARD_OPEN_DELAY_MS);
  }, []);

  const open = useCallback((id: number) => {
    clearTimer();
    setSelectedId(id);
    setOpenId(id);
    readingPane.current?.querySelector<HTMLElement>('[data-testid="reading-pane"]')?.focus();
  }, []);

  // j/k work anywhere outside text fields, not only with the list focused.
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.defaultPrevented || e.altKey || e.ctrlKey || e.metaKey) return;
      if (e.key !== 'j' && e.key !== 'k') return;
      if (isEditable(document.activeElement) || document.querySelector('dialog[open]')) return;
      const data = rows.current;
      if (!data || data.length === 0) return;
      const at = data.findIndex((m) => m.id === selectedId);
      const next = data[Math.max(0, Math.min(data.length - 1, at < 0 ? 0 : at + (e.key === 'j' ? 1 : -1)))];
      if (next) {
        e.preventDefault();
        select(next.id, 'keyboard');
      }
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [selectedId, select]);

  return (
    <>
      <MessageList
        title={props.title}
        counts={props.counts}
        messages={list.messages}
        syncing={list.syncing}
        selectedId={selectedId}
        onSelect={select}
        onOpen={open}
        onRefresh={list.refresh}
        onNearEnd={list.hasMore ? list.loadMore : undefined}
        hasFolder={folder !== null}
      />
      <div className="reading-pane-host" ref={readingPane}>
        <ReadingPane
          message={opened.message}
          inlineImages={opened.inlineImages}
          saving={opened.saving}
          onSave={(index) => void opened.save(index)}
          onRetry={opened.reload}
        />
      </div>
    </>
  );
}
