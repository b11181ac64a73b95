/**
 * Middle pane in conversation view: one row per conversation with a message
 * in the folder (subject, people, how many messages, how many unread).
 */
import type { ReactNode } from 'react';
import type { ThreadSummary } from '../../src-protocol/contract/index.ts';
import { fullDate, listDate, personLabel, subjectLabel } from '../lib/format.ts';
import type { Loadable } from '../lib/loadable.ts';
import { FlagIcon, MailIcon, PaperclipIcon, RefreshIcon } from './Icons.tsx';
import { EmptyState, ErrorBanner, ErrorState, LoadingState } from './PaneState.tsx';

export interface ThreadListProps {
  title: string;
  threads: Loadable<ThreadSummary[]>;
  openId: number | null;
  onOpen: (thread: ThreadSummary) => void;
  onRefresh: () => void;
  syncing: boolean;
  /** The messages/conversations switch. */
  headerExtra: ReactNode;
}

function participantsLabel(t: ThreadSummary): string {
  const names = t.participants.map(personLabel);
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} +${names.length - 3}` : names.join(', ');
}

export function ThreadList(props: ThreadListProps) {
  const list = props.threads.data;
  const unread = list?.filter((t) => t.unread > 0).length ?? 0;
  return (
    <section className="pane message-pane" aria-label="Conversations" data-testid="thread-pane">
      <header className="pane-header">
        <div className="pane-title">
          <h1 data-testid="message-pane-title">{props.title}</h1>
          {list && (
            <span className="pane-subtitle">
              {list.length.toLocaleString()} {list.length === 1 ? 'conversation' : 'conversations'}
              {unread > 0 && `, ${unread.toLocaleString()} unread`}
            </span>
          )}
        </div>
        {props.headerExtra}
        <button type="button" className={`icon-button${props.syncing ? ' is-busy' : ''}`} onClick={props.onRefresh} disabled={props.syncing} aria-label="Refresh" title="Refresh" data-testid="refresh">
          <RefreshIcon />
        </button>
      </header>
      {list && props.threads.error && <ErrorBanner prefix="Could not update the conversations:" error={props.threads.error} onRetry={props.onRefresh} />}
      {list === undefined ? (
        props.threads.error ? (
          <ErrorState title="Conversations could not be loaded" error={props.threads.error} onRetry={props.onRefresh} />
        ) : (
          <LoadingState label="Loading conversations…" />
        )
      ) : list.length === 0 ? (
        <EmptyState title="No conversations in this folder" icon={<MailIcon size={32} />} testId="thread-list-empty" />
      ) : (
        <ul className="thread-list" role="listbox" aria-label="Conversations" data-testid="thread-list">
          {list.map((t) => (
            <li
              key={t.thread_id}
              role="option"
              aria-selected={props.openId === t.thread_id}
              tabIndex={0}
              className={`message-row thread-row${t.unread > 0 ? ' is-unread' : ''}${props.openId === t.thread_id ? ' is-selected' : ''}`}
              onClick={() => props.onOpen(t)}
              onKeyDown={(e) => {
                if (e.key === 'Enter' || e.key === ' ') {
                  e.preventDefault();
                  props.onOpen(t);
                } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'j' || e.key === 'k') {
                  // Up/down (or j/k) move between conversations and open the one they land on.
                  e.preventDefault();
                  const down = e.key === 'ArrowDown' || e.key === 'j';
                  const next = (down ? e.currentTarget.nextElementSibling : e.currentTarget.previousElementSibling) as HTMLElement | null;
                  const target = list[list.indexOf(t) + (down ? 1 : -1)];
                  if (next && target) {
                    next.focus();
                    props.onOpen(target);
                  }
                }
              }}
              data-testid="thread-row"
              data-thread-id={t.thread_id}
            >
              <div className="message-row-line">
                <span className="message-sender" data-testid="thread-participants">{participantsLabel(t)}</span>
                {t.count > 1 && (
                  <span className="thread-count" title={`${t.count} messages`} data-testid="thread-count">
                    {t.count}
                  </span>
                )}
                <time className="message-date" dateTime={t.latest_date_iso ?? undefined} title={fullDate(t.latest_date_iso)}>
                  {listDate(t.latest_date_iso)}
                </time>
              </div>
              <div className="message-row-line">
                <span className="message-subject" data-testid="thread-subject">{subjectLabel(t.subject)}</span>
                {t.unread > 0 && <span className="thread-unread" data-testid="thread-unread">{t.unread} unread</span>}
                {t.has_attachments && <PaperclipIcon size={14} />}
                {t.flagged && <FlagIcon size={14} className="icon flag-on" />}
              </div>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
