/**
 * Right pane: the open message's headers, notes, attachments and body, and
 * a Structure tab with its MIME tree, a Source tab with its raw text;
 * attached messages open over it.
 */
import { useMemo, useState, type ReactNode } from 'react';
import type { Address, MessageModel, MessageView, MimeNode } from '../../src-protocol/contract/index.ts';
import { fullAddress, fullDate, personLabel, subjectLabel } from '../lib/format.ts';
import type { Loadable, ShownError } from '../lib/loadable.ts';
import { cidReferences, normaliseCid } from '../lib/mail-html.ts';
import { attachedMessageIndexes } from '../lib/mime-tree.ts';
import { AttachedMessageView } from './AttachedMessageView.tsx';
import { AttachmentList } from './AttachmentList.tsx';
import type { AnswerKind } from '../lib/composer-fields.ts';
import { ForwardIcon, MailIcon, ReplyAllIcon, ReplyIcon } from './Icons.tsx';
import { MessageBody } from './MessageBody.tsx';
import { MessageNotes } from './MessageNotes.tsx';
import { EmptyState, ErrorState, LoadingState } from './PaneState.tsx';
import { StructureView } from './StructureView.tsx';
import { SourceView } from './SourceView.tsx';
import type { AttachmentFilesState } from '../lib/attachment-files.ts';

export interface ReadingPaneProps {
  message: Loadable<MessageView>;
  inlineImages: ReadonlyMap<string, string> | null;
  saving: ReadonlyMap<number, 'saving' | ShownError>;
  onSave: (index: number) => void;
  onRetry: () => void;
  /** Remote content: always (or no longer) for the sender. */
  onAllowSender?: (address: string, allow: boolean) => void;
  remoteBusy?: boolean;
  remoteError?: ShownError | null;
  /** The Structure tab. */
  structure?: {
    tree: Loadable<MimeNode>;
    load: () => void;
    saving: ReadonlyMap<string, 'saving' | ShownError>;
    onSave: (node: MimeNode) => void;
  };
  /** Attached messages. */
  attached?: Loadable<MessageModel> | null;
  onOpenAttached?: (index: number) => void;
  onCloseAttached?: () => void;
  /** Reply, reply all, forward (inline or as an attachment). */
  onAnswer?: (kind: AnswerKind) => void;
  /** Open with the system's application, Save all, and the Source tab. */
  files?: AttachmentFilesState;
}

export function ReadingPane(props: ReadingPaneProps) {
  return (
    <section className="pane reading-pane" aria-label="Message" data-testid="reading-pane" tabIndex={-1}>
      <Content {...props} />
    </section>
  );
}

function Content(props: ReadingPaneProps) {
  const { message } = props;
  if (message.error) return <ErrorState title="This message could not be opened" error={message.error} onRetry={props.onRetry} testId="message-error" />;
  if (message.loading) return <LoadingState label="Opening message…" testId="message-loading" />;
  const view = message.data;
  if (!view) return <EmptyState title="No message selected" icon={<MailIcon size={40} />} testId="message-none" />;
  return <MessageContent key={view.id} {...props} view={view} />;
}

type Tab = 'message' | 'structure' | 'source';

function MessageContent(props: ReadingPaneProps & { view: MessageView }) {
  const { view } = props;
  const [tab, setTab] = useState<Tab>('message');
  const files = props.files;
  const structure = props.structure;
  const attachedIndexes = useMemo(
    () => (structure?.tree.data ? attachedMessageIndexes(structure.tree.data, view.attachments) : new Map<string, number>()),
    [structure?.tree.data, view.attachments],
  );
  const showTab = (t: Tab) => {
    setTab(t);
    if (t === 'structure') structure?.load();
    if (t === 'source') files?.loadSource();
  };

  // Images the HTML shows inline are part of the body, not attachments to save.
  const shownInline = new Set(view.html_rendered ? cidReferences(view.html_rendered) : []);
  const listed = view.attachments
    .map((info, index) => ({ index, info }))
    .filter(({ info }) => !(info.inline && info.content_id && shownInline.has(normaliseCid(info.content_id))));

  return (
    <article className="message" data-testid="message-view" data-message-id={view.id}>
      <header className="message-header">
        <h1 className="message-title" data-testid="message-subject-heading">
          {subjectLabel(view.subject)}
        </h1>
        <div className="message-meta">
          <div className="message-from">
            <span className="avatar" aria-hidden="true">
              {initial(view.from[0])}
            </span>
            <div>
              <div className="from-line" data-testid="message-from">
                <strong>{view.from[0] ? personLabel(view.from[0]) : '(no sender)'}</strong>
                {view.from[0] && view.from[0].name.trim() && <span className="from-address">&lt;{view.from[0].address}&gt;</span>}
              </div>
              <AddressLine label="To" list={view.to} testId="message-to" />
              {view.cc.length > 0 && <AddressLine label="Cc" list={view.cc} testId="message-cc" />}
            </div>
          </div>
          <time className="message-full-date" dateTime={view.date_iso ?? undefined} data-testid="message-date">
            {fullDate(view.date_iso)}
          </time>
        </div>
        {props.onAnswer && <AnswerBar onAnswer={props.onAnswer} />}
        {structure && (
          <div className="message-tabs" role="tablist" aria-label="Show">
            <button type="button" role="tab" aria-selected={tab === 'message'} className={`message-tab${tab === 'message' ? ' is-on' : ''}`} onClick={() => showTab('message')} data-testid="tab-message">
              Message
            </button>
            <button type="button" role="tab" aria-selected={tab === 'structure'} className={`message-tab${tab === 'structure' ? ' is-on' : ''}`} onClick={() => showTab('structure')} data-testid="tab-structure">
              Structure
            </button>
            {files && (
              <button type="button" role="tab" aria-selected={tab === 'source'} className={`message-tab${tab === 'source' ? ' is-on' : ''}`} onClick={() => showTab('source')} data-testid="tab-source">
                Source
              </button>
            )}
          </div>
        )}
      </header>
      {tab === 'source' && files ? (
        <SourceView source={files.source} onRetry={files.loadSource} />
      ) : tab === 'structure' && structure ? (
        <StructureView
          tree={structure.tree}
          saving={structure.saving}
          onSave={structure.onSave}
          attachedIndexes={attachedIndexes}
          onOpenAttached={(i) => props.onOpenAttached?.(i)}
          onRetry={structure.load}
        />
      ) : (
        <>
          <MessageNotes notes={view.notes} />
          <AttachmentList
            items={listed}
            saving={props.saving}
            onSave={props.onSave}
            onOpen={props.onOpenAttached ? (index) => props.onOpenAttached?.(index) : undefined}
            onOpenFile={files?.open}
            opening={files?.opening}
            onSaveAll={files?.startSaveAll}
            saveAll={files?.saveAll}
          />
          <MessageBody
            html={view.html_rendered}
            text={view.text}
            inlineImages={props.inlineImages}
            subject={view.subject}
            remote={
              props.onAllowSender
                ? {
                    allowedForSender: view.remote_content_allowed,
                    sender: view.from[0]?.address ?? null,
                    onAllowSender: (allow) => {
                      const a = view.from[0]?.address;
                      if (a) props.onAllowSender?.(a, allow);
                    },
                    busy: props.remoteBusy ?? false,
                    error: props.remoteError ?? null,
                  }
                : undefined
            }
          />
        </>
      )}
      {props.attached && props.onCloseAttached && <AttachedMessageView message={props.attached} onClose={props.onCloseAttached} />}
    </article>
  );
}

function initial(a: Address | undefined): string {
  const s = a ? personLabel(a) : '?';
  return (s.match(/[\p{L}\p{N}]/u)?.[0] ?? '?').toUpperCase();
}

function AddressLine(props: { label: string; list: ReadonlyArray<Address>; testId: string }) {
  return (
    <div className="address-line" data-testid={props.testId}>
      <span className="address-label">{props.label}</span>{' '}
      {props.list.length === 0 ? <span className="muted">(none)</span> : props.list.map(fullAddress).join(', ')}
    </div>
  );
}

/** Reply (r), Reply all (a), Forward (f), Forward as attachment (Shift+F). */
export function AnswerBar(props: { onAnswer: (kind: AnswerKind) => void }) {
  const b = (kind: AnswerKind, label: string, keyHint: string, icon: ReactNode, testId: string) => (
    <button type="button" className="button button-quiet button-small" onClick={() => props.onAnswer(kind)} title={`${label} (${keyHint})`} data-testid={testId}>
      {icon} {label}
    </button>
  );
  return (
    <div className="answer-bar" role="group" aria-label="Answer">
      {b('reply', 'Reply', 'R', <ReplyIcon size={16} />, 'answer-reply')}
      {b('reply-all', 'Reply all', 'A', <ReplyAllIcon size={16} />, 'answer-reply-all')}
      {b('forward', 'Forward', 'F', <ForwardIcon size={16} />, 'answer-forward')}
      {b('forward-attachment', 'Forward as attachment', 'Shift+F', <ForwardIcon size={16} />, 'answer-forward-attachment')}
    </div>
  );
}
