/**
 * The message body. HTML goes into a sandboxed iframe (no scripts, no
 * same-origin: an opaque origin that can reach nothing of ours) whose
 * document carries its own CSP; plain text is shown as wrapped text.
 * Remote images stay blocked (not even requested) until the person loads
 * them for this message or always for the sender; a bar says how many were
 * blocked and how many look like trackers.
 */
import { useMemo, useState } from 'react';
import type { ShownError } from '../lib/loadable.ts';
import { buildMailDocument, remoteSummary } from '../lib/mail-html.ts';
import { ShieldIcon } from './Icons.tsx';

export interface RemoteContentControl {
  /** The person allowed remote content for this sender (mail:remoteContent.allowSender). */
  allowedForSender: boolean;
  /** The sender's address; null when the message has none (no "always" then). */
  sender: string | null;
  onAllowSender: (allow: boolean) => void;
  busy: boolean;
  error: ShownError | null;
}

export interface MessageBodyProps {
  html: string | null;
  text: string | null;
  /** cid -> data: URL; null while inline images are still being fetched. */
  inlineImages: ReadonlyMap<string, string> | null;
  subject: string;
  /** Without it, remote content stays blocked and only "Load for this message" is offered. */
  remote?: RemoteContentControl | undefined;
}

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);

function blockedText(total: number, trackers: number): string {
  const head = `${total} remote ${plural(total, 'image', 'images')} blocked`;
  if (trackers === 0) return `${head}.`;
  return `${head} (${trackers} ${plural(trackers, 'looks like a tracker', 'look like trackers')}).`;
}

export function MessageBody(props: MessageBodyProps) {
  const { html, text, remote } = props;
  const [mode, setMode] = useState<'html' | 'text'>('html');
  const [loadHere, setLoadHere] = useState(false);
  const showHtml = html !== null && (mode === 'html' || text === null);
  const summary = useMemo(() => (html !== null ? remoteSummary(html) : { total: 0, trackers: 0 }), [html]);
  const allowRemote = loadHere || (remote?.allowedForSender ?? false);
  const toggle = html !== null && text !== null;
  const showBar = showHtml && summary.total > 0;
  return (
    <div className="message-body">
      {(toggle || showBar) && (
        <div className="body-bar">
          {showBar && !allowRemote ? (
            <div className="remote-note" data-testid="remote-blocked">
              <ShieldIcon size={15} />
              <span data-testid="remote-blocked-text">{blockedText(summary.total, summary.trackers)}</span>
              <button type="button" className="link-button" onClick={() => setLoadHere(true)} data-testid="remote-load">
                Load for this message
              </button>
              {remote?.sender && (
                <button type="button" className="link-button" disabled={remote.busy} onClick={() => remote.onAllowSender(true)} data-testid="remote-always">
                  Always for {remote.sender}
                </button>
              )}
              {remote?.error && <span className="field-error">{remote.error.message}</span>}
            </div>
          ) : showBar ? (
            <div className="remote-note remote-note-allowed" data-testid="remote-allowed">
              <ShieldIcon size={15} />
              <span>
                Remote images are shown {remote?.allowedForSender && remote.sender ? `for every message from ${remote.sender}` : 'for this message'}.
              </span>
              {remote?.allowedForSender && remote.sender && (
                <button type="button" className="link-button" disabled={remote.busy} onClick={() => {
                  setLoadHere(false);
                  remote.onAllowSender(false);
                }} data-testid="remote-block-sender">
                  Block again
                </button>
              )}
              {remote?.error && <span className="field-error">{remote.error.message}</span>}
            </div>
          ) : (
            <span />
          )}
          {toggle && (
            <div className="body-toggle" role="group" aria-label="Show the message as">
              <button
                type="button"
                className={`toggle${showHtml ? ' is-on' : ''}`}
                aria-pressed={showHtml}
                onClick={() => setMode('html')}
                data-testid="show-html"
              >
                HTML
              </button>
              <button
                type="button"
                className={`toggle${!showHtml ? ' is-on' : ''}`}
                aria-pressed={!showHtml}
                onClick={() => setMode('text')}
                data-testid="show-text"
              >
                Plain text
              </button>
            </div>
          )}
        </div>
      )}
      {showHtml ? (
        <HtmlBody html={html} inlineImages={props.inlineImages} subject={props.subject} allowRemote={allowRemote} />
      ) : (
        <TextBody text={text ?? ''} />
      )}
    </div>
  );
}

function HtmlBody(props: { html: string; inlineImages: ReadonlyMap<string, string> | null; subject: string; allowRemote: boolean }) {
  const { html, inlineImages, allowRemote } = props;
  const srcDoc = useMemo(() => (inlineImages ? buildMailDocument(html, inlineImages, { allowRemote }) : null), [html, inlineImages, allowRemote]);
  if (srcDoc === null) return <div className="html-frame html-frame-pending" aria-busy="true" />;
  return (
    <iframe
      className="html-frame"
      // Empty sandbox: no scripts, no same-origin, no forms, no popups, no navigation of the app.
      sandbox=""
      srcDoc={srcDoc}
      title={`Message: ${props.subject}`}
      referrerPolicy="no-referrer"
      data-testid="message-html"
      data-remote={allowRemote ? 'allowed' : 'blocked'}
    />
  );
}

function TextBody(props: { text: string }) {
  if (props.text.trim() === '') return <p className="text-body text-body-empty">This message has no text.</p>;
  return (
    <div className="text-body" data-testid="message-text" tabIndex={0}>
      {props.text}
    </div>
  );
}
