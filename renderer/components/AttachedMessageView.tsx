/**
 * An attached message (message/rfc822) opened as a message of its own, in a
 * dialog over the one it came in: headers, notes, body (remote content
 * blocked; its inline images are not resolved), and what it carries.
 */
import type { MessageModel } from '../../src-protocol/contract/index.ts';
import { fullAddress, fullDate, humanSize, subjectLabel } from '../lib/format.ts';
import type { Loadable } from '../lib/loadable.ts';
import { MessageBody } from './MessageBody.tsx';
import { MessageNotes } from './MessageNotes.tsx';
import { Modal } from './Modal.tsx';
import { ErrorState, LoadingState } from './PaneState.tsx';

const NO_IMAGES: ReadonlyMap<string, string> = new Map();

export function AttachedMessageView(props: { message: Loadable<MessageModel>; onClose: () => void }) {
  const m = props.message.data;
  return (
    <Modal title={m ? subjectLabel(m.subject) : 'Attached message'} onClose={props.onClose} className="modal-attached" testId="attached-message">
      {props.message.error && <ErrorState title="The attached message could not be opened" error={props.message.error} />}
      {!m && !props.message.error && <LoadingState label="Opening the attached message…" />}
      {m && (
        <article className="message attached-message">
          <header className="message-header">
            <div className="address-line" data-testid="attached-from">
              <span className="address-label">From</span> {m.from.map(fullAddress).join(', ') || '(no sender)'}
            </div>
            <div className="address-line">
              <span className="address-label">To</span> {m.to.map(fullAddress).join(', ') || '(none)'}
            </div>
            {m.cc.length > 0 && (
              <div className="address-line">
                <span className="address-label">Cc</span> {m.cc.map(fullAddress).join(', ')}
              </div>
            )}
            <div className="address-line">
              <span className="address-label">Date</span> {fullDate(m.date_iso) || '(none)'}
            </div>
          </header>
          <MessageNotes notes={m.notes} />
          {m.attachments.length > 0 && (
            <ul className="attached-attachments" aria-label="Attachments">
              {m.attachments.map((a, i) => (
                <li key={i} className="muted">
                  {a.save_as} · {a.content_type} · {humanSize(a.size)}
                </li>
              ))}
            </ul>
          )}
          <MessageBody html={m.html_rendered} text={m.text} inlineImages={NO_IMAGES} subject={m.subject} />
        </article>
      )}
    </Modal>
  );
}
