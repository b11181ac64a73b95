/**
 * Middle pane: the folder's messages (or search results) as a keyboard-driven,
 * multi-select listbox, sorted as the view says. Rows have a fixed height and
 * only those in view are rendered, so a folder of 100k messages scrolls as
 * smoothly as one of ten. Rows can be dragged onto folders.
 */
import { useEffect, useLayoutEffect, useRef, useState, type DragEvent, type KeyboardEvent, type ReactNode } from 'react';
import type { MessageSummary } from '../../src-protocol/contract/index.ts';
import { encodeDraggedIds, MESSAGE_DRAG_TYPE } from '../lib/drag.ts';
import { fullDate, listDate, senderLabel, subjectLabel } from '../lib/format.ts';
import type { Loadable } from '../lib/loadable.ts';
import { defaultDescending, SORT_LABELS, type SortKey, type SortOrder } from '../lib/sort.ts';
import { FlagIcon, MailIcon, PaperclipIcon, RefreshIcon, SortIcon } from './Icons.tsx';
import { EmptyState, ErrorBanner, ErrorState, LoadingState } from './PaneState.tsx';

export const ROW_HEIGHT = 68;
const OVERSCAN = 8;

export type SelectVia = 'pointer' | 'keyboard';

/** How a click or key changes the selection: replace it, toggle one row (ctrl/cmd), or extend a range (shift). */
export type SelectMode = 'only' | 'toggle' | 'extend';

export interface MessageListProps {
  title: string;
  /** The folder's own counts (all messages, not only those loaded), when known. */
  counts?: { total: number; unread: number } | undefined;
  messages: Loadable<MessageSummary[]>;
  /** The rows in the order shown (already sorted). */
  rows: ReadonlyArray<MessageSummary>;
  syncing: boolean;
  selectedIds: ReadonlySet<number>;
  /** The row the keyboard is on. */
  focusId: number | null;
  onSelect: (id: number, via: SelectVia, mode: SelectMode) => void;
  onSelectAll: () => void;
  /** The ids a drag starting on this row carries (the selection when the row is in it). */
  dragIds: (id: number) => number[];
  sort: SortOrder;
  onSort: (order: SortOrder) => void;
  /** For search results: the folder to show on each row. */
  folderOf?: ((m: MessageSummary) => string) | undefined;
  /** Shown instead of "No messages in this folder". */
  emptyText?: string;
  /** Enter on a row: open it now and move to the reading pane. */
  onOpen: (id: number) => void;
  onRefresh: () => void;
  /** Called when the end of the loaded rows comes into view and more may exist. */
  onNearEnd?: () => void;
  /** Whether a folder is chosen at all. */
  hasFolder: boolean;
  /** Shown in the header before the sort control (the messages/conversations switch). */
  headerExtra?: ReactNode;
}

export const isUnread = (m: MessageSummary) => !m.flags.includes('\\Seen');
export const isFlagged = (m: MessageSummary) => m.flags.includes('\\Flagged');

export function MessageList(props: MessageListProps) {
  const { messages } = props;
  const list = messages.data;
  const total = props.counts?.total ?? list?.length ?? 0;
  const unread = props.counts?.unread ?? list?.filter(isUnread).length ?? 0;
  const sortKey = props.sort.key;
  return (
    <section className="pane message-pane" aria-label="Message list" data-testid="message-pane">
      <header className="pane-header">
        <div className="pane-title">
          <h1 data-testid="message-pane-title">{props.title}</h1>
          {list && (
            <span className="pane-subtitle">
              {total.toLocaleString()} {total === 1 ? 'message' : 'messages'}
              {unread > 0 && `, ${unread.toLocaleString()} unread`}
            </span>
          )}
        </div>
        {props.headerExtra}
        <div className="sort-control">
          <label className="visually-hidden" htmlFor="sort-key">
            Sort by
          </label>
          <select
            id="sort-key"
            className="sort-select"
            value={sortKey}
            data-testid="sort-key"
            onChange={(e) => {
              const key = e.currentTarget.value as SortKey;
              props.onSort({ key, descending: defaultDescending(key) });
            }}
          >
            {(Object.keys(SORT_LABELS) as SortKey[]).map((k) => (
              <option key={k} value={k}>
                {SORT_LABELS[k]}
              </option>
            ))}
          </select>
          <button
            type="button"
            className={`icon-button icon-button-small${props.sort.descending ? ' is-descending' : ''}`}
            aria-label={props.sort.descending ? 'Descending; switch to ascending' : 'Ascending; switch to descending'}
            title={props.sort.descending ? 'Descending' : 'Ascending'}
            data-testid="sort-direction"
            data-descending={props.sort.descending ? 'true' : 'false'}
            onClick={() => props.onSort({ ...props.sort, descending: !props.sort.descending })}
          >
            <SortIcon size={14} />
          </button>
        </div>
        <button
          type="button"
          className={`icon-button${props.syncing ? ' is-busy' : ''}`}
          onClick={props.onRefresh}
          disabled={!props.hasFolder || props.syncing}
          aria-label="Refresh"
          title="Refresh (sync every folder of the account with the server)"
          data-testid="refresh"
        >
          <RefreshIcon />
        </button>
      </header>
      {list && list.length > 0 && messages.error && (
        <ErrorBanner prefix="Could not update this folder:" error={messages.error} onRetry={props.onRefresh} testId="message-list-error" />
      )}
      <Body {...props} />
    </section>
  );
}

function Body(props: MessageListProps) {
  const { messages } = props;
  const list = messages.data;
  if (!props.hasFolder) return <EmptyState title="Choose a folder" icon={<MailIcon size={32} />} testId="message-list-empty" />;
  if (list === undefined || (list.length === 0 && messages.loading)) {
    if (messages.error)
      return <ErrorState title="Messages could not be loaded" error={messages.error} onRetry={props.onRefresh} testId="message-list-error" />;
    return <LoadingState label="Loading messages…" testId="message-list-loading" />;
  }
  if (list.length === 0) {
    if (messages.error)
      return <ErrorState title="Messages could not be loaded" error={messages.error} onRetry={props.onRefresh} testId="message-list-error" />;
    return <EmptyState title={props.emptyText ?? 'No messages in this folder'} icon={<MailIcon size={32} />} testId="message-list-empty" />;
  }
  return <VirtualList {...props} list={props.rows} />;
}

function VirtualList(props: MessageListProps & { list: ReadonlyArray<MessageSummary> }) {
  const { list, focusId: selectedId } = props;
  const scroller = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(800);
  const selectedIndex = selectedId === null ? -1 : list.findIndex((m) => m.id === selectedId);

  useLayoutEffect(() => {
    const el = scroller.current;
    if (!el) return;
    setViewport(el.clientHeight);
    const ro = new ResizeObserver(() => setViewport(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);

  // Keep the selected row in view when the keyboard moves it.
  useEffect(() => {
    const el = scroller.current;
    if (!el || selectedIndex < 0) return;
    const top = selectedIndex * ROW_HEIGHT;
    if (top < el.scrollTop) el.scrollTop = top;
    else if (top + ROW_HEIGHT > el.scrollTop + el.clientHeight) el.scrollTop = top + ROW_HEIGHT - el.clientHeight;
  }, [selectedIndex]);

  const first = Math.max(0, Math.floor(scrollTop / ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(list.length, Math.ceil((scrollTop + viewport) / ROW_HEIGHT) + OVERSCAN);
  const nearEnd = last >= list.length - OVERSCAN;
  const { onNearEnd } = props;
  useEffect(() => {
    if (nearEnd) onNearEnd?.();
  }, [nearEnd, onNearEnd, list.length]);

  let extending = false;
  function move(to: number): void {
    const target = list[Math.max(0, Math.min(list.length - 1, to))];
    if (target) props.onSelect(target.id, 'keyboard', extending ? 'extend' : 'only');
  }

  function onKeyDown(e: KeyboardEvent<HTMLDivElement>): void {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && e.key.toLowerCase() === 'a') {
      e.preventDefault();
      props.onSelectAll();
      return;
    }
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    extending = e.shiftKey;
    const page = Math.max(1, Math.floor(viewport / ROW_HEIGHT) - 1);
    const at = selectedIndex;
    let handled = true;
    switch (e.key) {
      case 'ArrowDown':
      case 'j':
        move(at < 0 ? 0 : at + 1);
        break;
      case 'ArrowUp':
      case 'k':
        move(at < 0 ? 0 : at - 1);
        break;
      case 'Home':
        move(0);
        break;
      case 'End':
        move(list.length - 1);
        break;
      case 'PageDown':
        move(at + page);
        break;
      case 'PageUp':
        move(at - page);
        break;
      case 'Enter':
        if (selectedId !== null) props.onOpen(selectedId);
        else move(0);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  }

  const rows = [];
  for (let i = first; i < last; i++) {
    const m = list[i];
    if (m)
      rows.push(
        <Row
          key={m.id}
          message={m}
          index={i}
          selected={props.selectedIds.has(m.id)}
          focused={m.id === selectedId}
          folder={props.folderOf?.(m)}
          onSelect={props.onSelect}
          dragIds={props.dragIds}
        />,
      );
  }

  return (
    <div
      ref={scroller}
      className="message-list"
      role="listbox"
      aria-multiselectable="true"
      tabIndex={0}
      aria-label={`Messages in ${props.title}`}
      aria-activedescendant={selectedId !== null && selectedIndex >= 0 ? `message-${selectedId}` : undefined}
      data-testid="message-list"
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      onKeyDown={onKeyDown}
    >
      <div className="message-list-spacer" style={{ height: list.length * ROW_HEIGHT }}>
        {rows}
      </div>
    </div>
  );
}

function Row(props: {
  message: MessageSummary;
  index: number;
  selected: boolean;
  focused: boolean;
  folder: string | undefined;
  onSelect: (id: number, via: SelectVia, mode: SelectMode) => void;
  dragIds: (id: number) => number[];
}) {
  const m = props.message;
  const onDragStart = (e: DragEvent<HTMLDivElement>) => {
    const ids = props.dragIds(m.id);
    e.dataTransfer.setData(MESSAGE_DRAG_TYPE, encodeDraggedIds(ids));
    e.dataTransfer.setData('text/plain', ids.length === 1 ? subjectLabel(m.subject) : `${ids.length} messages`);
    e.dataTransfer.effectAllowed = 'move';
  };
  const unread = isUnread(m);
  const flagged = isFlagged(m);
  const sender = senderLabel(m.from);
  const subject = subjectLabel(m.subject);
  return (
    <div
      id={`message-${m.id}`}
      role="option"
      aria-selected={props.selected}
      aria-label={`${unread ? 'Unread, ' : ''}${flagged ? 'Flagged, ' : ''}${sender}: ${subject}, ${fullDate(m.date_iso)}${m.has_attachments ? ', has attachments' : ''}`}
      className={`message-row${unread ? ' is-unread' : ''}${props.selected ? ' is-selected' : ''}${props.focused ? ' is-focused' : ''}`}
      style={{ top: props.index * ROW_HEIGHT, height: ROW_HEIGHT }}
      data-testid="message-row"
      data-message-id={m.id}
      data-unread={unread ? 'true' : 'false'}
      data-flagged={flagged ? 'true' : 'false'}
      draggable
      onDragStart={onDragStart}
      onClick={(e) => {
        e.currentTarget.closest<HTMLElement>('[role="listbox"]')?.focus();
        props.onSelect(m.id, 'pointer', e.shiftKey ? 'extend' : e.ctrlKey || e.metaKey ? 'toggle' : 'only');
      }}
    >
      <span className="unread-dot" aria-hidden="true" />
      <div className="message-row-line">
        <span className="message-sender" data-testid="message-sender">
          {sender}
        </span>
        <span className="message-markers">
          {m.has_attachments && (
            <span className="marker marker-attachment" title="Has attachments" data-testid="marker-attachment">
              <PaperclipIcon size={14} />
            </span>
          )}
          {flagged && (
            <span className="marker marker-flag" title="Flagged" data-testid="marker-flag">
              <FlagIcon size={14} />
            </span>
          )}
        </span>
        <time className="message-date" dateTime={m.date_iso ?? undefined} title={fullDate(m.date_iso)}>
          {listDate(m.date_iso)}
        </time>
      </div>
      <div className="message-row-line">
        <span className="message-subject" data-testid="message-subject">
          {subject}
        </span>
        {props.folder !== undefined && (
          <span className="message-folder" data-testid="message-folder">
            {props.folder}
          </span>
        )}
      </div>
    </div>
  );
}
