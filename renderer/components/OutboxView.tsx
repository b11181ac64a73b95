/**
 * An account's outbox: messages waiting to be sent (undo window, send later,
 * server not reachable) and those the server refused, each with its state,
 * the last error in the server's or network's words, Retry now and Cancel
 * (which takes the message back into the composer).
 */
import type { ErrorCode, OutboxItem } from '../../src-protocol/contract/index.ts';
import { fullDate, subjectLabel } from '../lib/format.ts';
import type { ShownError } from '../lib/loadable.ts';
import { AlertIcon, OutboxIcon, RefreshIcon } from './Icons.tsx';
import { EmptyState } from './PaneState.tsx';

export interface OutboxViewProps {
  accountLabel: string;
  items: ReadonlyArray<OutboxItem>;
  /** Per message: a retry or cancel under way, or the error it ended with. */
  busy: ReadonlyMap<number, 'retry' | 'cancel' | ShownError>;
  onRetry: (id: number) => void;
  onCancel: (id: number) => void;
}

/** An error as part of a sentence: without its own final full stop. */
function clause(text: string): string {
  return text.trim().replace(/\.+$/, '');
}

/** A message that waits because the server could not be reached (or refused for now). */
export function waitingText(error: string): string {
  return `Waiting to send: ${clause(error)}. Postern will retry.`;
}

/** A message the server refused for good; when the account is at fault, what to fix before Retry. */
export function refusedText(error: string | null, code: ErrorCode | null = null): string {
  const text = `Not sent: ${clause(error ?? 'the server refused it')}.`;
  if (code === 'AUTH_FAILED' || code === 'CREDENTIAL_MISSING') return `${text} Check the account's password or sign in again, then Retry.`;
  if (code === 'TLS_UNTRUSTED') return `${text} Check the account's security settings, then Retry.`;
  return text;
}

/** What the person should know about a message's state, in words. */
export function outboxStateText(item: OutboxItem, now = Date.now()): string {
  switch (item.state) {
    case 'failed':
      return refusedText(item.last_error, item.last_error_code);
    case 'sending':
      return 'Sending now…';
    case 'submitted':
      return 'Sent; saving a copy in Sent…';
    case 'sent':
      return 'Sent.';
    case 'cancelled':
      return 'Cancelled.';
    case 'queued': {
      if (item.last_error) return waitingText(item.last_error);
      const at = Date.parse(item.send_at_iso);
      if (Number.isFinite(at) && at > now + 1000) return `Waiting to send until ${fullDate(item.send_at_iso)}.`;
      return 'Waiting to send.';
    }
  }
}

export function OutboxView(props: OutboxViewProps) {
  return (
    <section className="pane outbox-pane" aria-label="Outbox" data-testid="outbox-view">
      <header className="pane-header">
        <div className="pane-title">
          <h1>Outbox</h1>
          <span className="pane-subtitle">
            {props.accountLabel} · {props.items.length} {props.items.length === 1 ? 'message' : 'messages'} waiting
          </span>
        </div>
      </header>
      {props.items.length === 0 ? (
        <EmptyState title="Nothing waits to be sent" icon={<OutboxIcon size={32} />} testId="outbox-empty" />
      ) : (
        <ul className="outbox-list">
          {props.items.map((item) => {
            const state = props.busy.get(item.id);
            const working = state === 'retry' || state === 'cancel';
            const canAct = item.state === 'queued' || item.state === 'failed';
            return (
              <li key={item.id} className={`outbox-item outbox-item-${item.state}`} data-testid="outbox-item" data-outbox-id={item.id} data-state={item.state}>
                <div className="outbox-text">
                  <span className="outbox-subject">{subjectLabel(item.subject)}</span>
                  <span className="outbox-to muted">To {item.to.join(', ')}</span>
                  <span className={`outbox-state${item.state === 'failed' || item.last_error ? ' outbox-state-problem' : ''}`} data-testid="outbox-state">
                    {(item.state === 'failed' || item.last_error) && <AlertIcon size={14} />} {outboxStateText(item)}
                  </span>
                  {item.attempts > 0 && <span className="muted outbox-attempts">{item.attempts} {item.attempts === 1 ? 'attempt' : 'attempts'}</span>}
                  {state && typeof state === 'object' && (
                    <span className="field-error" role="alert">
                      {state.message}
                    </span>
                  )}
                </div>
                <div className="outbox-actions">
                  <button type="button" className="button button-small" disabled={!canAct || working} onClick={() => props.onRetry(item.id)} data-testid="outbox-retry">
                    <RefreshIcon size={14} /> {state === 'retry' ? 'Sending…' : 'Retry now'}
                  </button>
                  <button type="button" className="button button-small button-quiet" disabled={!canAct || working} onClick={() => props.onCancel(item.id)} data-testid="outbox-cancel">
                    {state === 'cancel' ? 'Cancelling…' : 'Cancel'}
                  </button>
                </div>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
