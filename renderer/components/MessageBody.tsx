/**
 * The message body. HTML goes into a sandboxed iframe (no scripts, no
 * same-origin: an opaque origin that can reach nothing of ours) whose
 * document carries its own CSP; plain text is shown as wrapped text.
 */
import { useMemo, useState } from 'react';
import { buildMailDocument, hasRemoteContent } from '../lib/mail-html.ts';
import { ShieldIcon } from './Icons.tsx';

export interface MessageBodyProps {
  html: string | null;
  text: string | null;
  /** cid -> data: URL; null while inline images are still being fetched. */
  inlineImages: ReadonlyMap<string, string> | null;
  subject: string;
}

export function MessageBody(props: MessageBodyProps) {
  const { html, text } = props;
  const [mode, setMode] = useState<'html' | 'text'>('html');
  const showHtml = html !== null && (mode === 'html' || text === null);
  const remote = useMemo(() => (html !== null ? hasRemoteContent(html) : false), [html]);
  const toggle = html !== null && text !== null;
  return (
    <div className="message-body">
      {(toggle || (showHtml && remote)) && (
        <div className="body-bar">
          {showHtml && remote ? (
            <p className="remote-note" data-testid="remote-blocked">
              <ShieldIcon size={15} /> Remote images and content are blocked to protect your privacy.
            </p>
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
        <HtmlBody html={html} inlineImages={props.inlineImages} subject={props.subject} />
      ) : (
        <TextBody text={text ?? ''} />
      )}
    </div>
  );
}

function HtmlBody(props: { html: string; inlineImages: ReadonlyMap<string, string> | null; subject: string }) {
  const { html, inlineImages } = props;
  const srcDoc = useMemo(() => (inlineImages ? buildMailDocument(html, inlineImages) : null), [html, inlineImages]);
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
