/**
 * Reading pane in conversation view: the messages of one conversation,
 * oldest at the top, from every folder (a reply in Sent included). Collapsed
 * messages show sender, date and folder; a click expands one.
 */
import type { MessageSummary, MessageView } from '../../src-protocol/contract/index.ts';
import type { AnswerKind } from '../lib/composer-fields.ts';
import { fullAddress, fullDate, listDate, senderLabel, subjectLabel } from '../lib/format.ts';
import type { Loadable } from '../lib/loadable.ts';
import { MailIcon } from './Icons.tsx';
import { MessageBody } from './MessageBody.tsx';
import { EmptyState, ErrorState, LoadingState } from './PaneState.tsx';
import { AnswerBar } from './ReadingPane.tsx';

export interface ConversationViewProps {
  messages: Loadable<MessageSummary[]>;
  views: ReadonlyMap<number, Loadable<MessageView>>;
  /** Per message, its cid: images (absent while they load). */
  images: ReadonlyMap<number, ReadonlyMap<string, string>>;
  onToggle: (id: number) => void;
  folderLabel: (m: MessageSummary) => string;
  onAnswer?: (id: number, kind: AnswerKind) => void;
}

export function ConversationView(props: ConversationViewProps) {
  const list = props.messages.data;
  let body;
  if (props.messages.error) body = <ErrorState title="This conversation could not be opened" error={props.messages.error} />;
  else if (props.messages.loading) body = <LoadingState label="Opening conversation…" />;
  else if (!list || list.length === 0) body = <EmptyState title="No conversation selected" icon={<MailIcon size={40} />} testId="message-none" />;
  else {
    body = (
      <article className="conversation" data-testid="conversation">
        <h1 className="message-title">{subjectLabel(list[list.length - 1]?.subject ?? '')}</h1>
        {list.map((m) => {
          const view = props.views.get(m.id);
          return (
            <section key={m.id} className={`conversation-item${view ? ' is-expanded' : ''}`} data-testid="conversation-message" data-expanded={view ? 'true' : 'false'} data-folder={m.folder}>
              <button type="button" className="conversation-head" onClick={() => props.onToggle(m.id)} aria-expanded={view !== undefined}>
                <strong>{senderLabel(m.from)}</strong>
                <span className="conversation-folder muted">{props.folderLabel(m)}</span>
                <time className="message-date" dateTime={m.date_iso ?? undefined} title={fullDate(m.date_iso)}>
                  {listDate(m.date_iso)}
                </time>
              </button>
              {view?.loading && <LoadingState label="Opening message…" />}
              {view?.error && <ErrorState title="This message could not be opened" error={view.error} />}
              {view?.data && (
                <div className="conversation-body">
                  <div className="address-line muted">To {view.data.to.map(fullAddress).join(', ') || '(none)'}</div>
                  {props.onAnswer && <AnswerBar onAnswer={(k) => props.onAnswer?.(m.id, k)} />}
                  <MessageBody html={view.data.html_rendered} text={view.data.text} inlineImages={props.images.get(m.id) ?? null} subject={view.data.subject} />
                </div>
              )}
            </section>
          );
        })}
      </article>
    );
  }
  return (
    <section className="pane reading-pane" aria-label="Conversation" data-testid="reading-pane" tabIndex={-1}>
      {body}
    </section>
  );
}
