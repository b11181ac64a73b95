/** The attachments of the open message, each with a Save button. */
import type { AttachmentInfo } from '../../src-protocol/contract/index.ts';
import { humanSize } from '../lib/format.ts';
import { isAttachedMessage } from '../lib/mime-tree.ts';
import type { ShownError } from '../lib/loadable.ts';
import { DownloadIcon, FileIcon } from './Icons.tsx';

export interface AttachmentListProps {
  /** With their index in the message's attachment list (what mail:attachments.get takes). */
  items: ReadonlyArray<{ index: number; info: AttachmentInfo }>;
  saving: ReadonlyMap<number, 'saving' | ShownError>;
  onSave: (index: number) => void;
  /** Opens an attached message (message/rfc822) as a message of its own. */
  onOpen?: ((index: number) => void) | undefined;
}

export function AttachmentList(props: AttachmentListProps) {
  if (props.items.length === 0) return null;
  return (
    <section className="attachments" aria-label="Attachments" data-testid="attachments">
      <h2 className="attachments-heading">
        {props.items.length} {props.items.length === 1 ? 'attachment' : 'attachments'}
      </h2>
      <ul className="attachment-list">
        {props.items.map(({ index, info }) => {
          const state = props.saving.get(index);
          return (
            <li
              key={index}
              className="attachment"
              data-testid="attachment-row"
              data-attachment-index={index}
              data-filename={info.save_as}
            >
              <FileIcon size={22} className="icon attachment-icon" />
              <div className="attachment-text">
                <span className="attachment-name" data-testid="attachment-name" title={info.save_as}>
                  {info.save_as}
                </span>
                <span className="attachment-meta">
                  <span data-testid="attachment-type">{info.content_type}</span> ·{' '}
                  <span data-testid="attachment-size">{humanSize(info.size)}</span>
                </span>
                {state && state !== 'saving' && (
                  <span className="field-error" role="alert">
                    {state.message}
                  </span>
                )}
              </div>
              {props.onOpen && isAttachedMessage(info.content_type) && (
                <button type="button" className="button button-small button-quiet" onClick={() => props.onOpen?.(index)} data-testid="attachment-open">
                  Open
                </button>
              )}
              <button
                type="button"
                className="button button-small"
                onClick={() => props.onSave(index)}
                disabled={state === 'saving'}
                aria-label={`Save ${info.save_as}`}
                data-testid="attachment-save"
              >
                <DownloadIcon size={15} /> {state === 'saving' ? 'Saving…' : 'Save'}
              </button>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
