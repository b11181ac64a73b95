/**
 * The attachments of the open message: each with Save (through the
 * browser's download) and Open (with the system's application), and Save all.
 */
import type { AttachmentInfo } from '../../src-protocol/contract/index.ts';
import { humanSize } from '../lib/format.ts';
import { isAttachedMessage } from '../lib/mime-tree.ts';
import type { ShownError } from '../lib/loadable.ts';
import type { SaveAllState } from '../lib/attachment-files.ts';
import { DownloadIcon, FileIcon } from './Icons.tsx';

export interface AttachmentListProps {
  /** With their index in the message's attachment list (what mail:attachments.get takes). */
  items: ReadonlyArray<{ index: number; info: AttachmentInfo }>;
  saving: ReadonlyMap<number, 'saving' | ShownError>;
  onSave: (index: number) => void;
  /** Opens an attached message (message/rfc822) as a message of its own. */
  onOpen?: ((index: number) => void) | undefined;
  /** Opens an attachment with the system's application. */
  onOpenFile?: ((index: number) => void) | undefined;
  opening?: ReadonlyMap<number, 'opening' | ShownError>;
  /** Saves every attachment into the downloads folder. */
  onSaveAll?: (() => void) | undefined;
  saveAll?: SaveAllState;
}

export function AttachmentList(props: AttachmentListProps) {
  if (props.items.length === 0) return null;
  return (
    <section className="attachments" aria-label="Attachments" data-testid="attachments">
      <div className="attachments-head">
        <h2 className="attachments-heading">
          {props.items.length} {props.items.length === 1 ? 'attachment' : 'attachments'}
        </h2>
        {props.onSaveAll && props.items.length > 1 && (
          <button type="button" className="button button-small button-quiet" onClick={props.onSaveAll} disabled={props.saveAll?.kind === 'saving'} data-testid="attachments-save-all">
            <DownloadIcon size={15} /> {props.saveAll?.kind === 'saving' ? 'Saving…' : 'Save all'}
          </button>
        )}
        <SaveAllStatus state={props.saveAll} />
      </div>
      <ul className="attachment-list">
        {props.items.map(({ index, info }) => {
          const state = props.saving.get(index);
          const opening = props.opening?.get(index);
          const problem = state && state !== 'saving' ? state : opening && opening !== 'opening' ? opening : null;
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
                {problem && (
                  <span className="field-error" role="alert" data-testid="attachment-error">
                    {problem.message}
                  </span>
                )}
              </div>
              {props.onOpen && isAttachedMessage(info.content_type) && (
                <button type="button" className="button button-small button-quiet" onClick={() => props.onOpen?.(index)} data-testid="attachment-open">
                  Open
                </button>
              )}
              {props.onOpenFile && !isAttachedMessage(info.content_type) && (
                <button
                  type="button"
                  className="button button-small button-quiet"
                  onClick={() => props.onOpenFile?.(index)}
                  disabled={opening === 'opening'}
                  aria-label={`Open ${info.save_as} with its application`}
                  data-testid="attachment-open-file"
                >
                  {opening === 'opening' ? 'Opening…' : 'Open'}
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

function SaveAllStatus(props: { state: SaveAllState | undefined }) {
  const s = props.state;
  if (!s || s.kind === 'idle' || s.kind === 'saving') return null;
  if (s.kind === 'error') {
    return <span className="field-error" role="alert" data-testid="attachments-save-all-status">{s.error.message}</span>;
  }
  return (
    <span className="muted" role="status" data-testid="attachments-save-all-status">
      Saved {s.count} {s.count === 1 ? 'file' : 'files'} in {s.dir}
    </span>
  );
}
