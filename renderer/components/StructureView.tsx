/**
 * The Structure tab: the message's MIME tree as the engine reads it (part
 * number, type, charset, size, disposition, transfer encoding, file name),
 * with Save on every part that stands alone (decoded: transfer encoding
 * undone) and Open on attached messages.
 */
import type { MimeNode } from '../../src-protocol/contract/index.ts';
import { humanSize } from '../lib/format.ts';
import type { Loadable, ShownError } from '../lib/loadable.ts';
import { isAttachedMessage, isSavable } from '../lib/mime-tree.ts';
import { DownloadIcon, MailIcon } from './Icons.tsx';
import { ErrorState, LoadingState } from './PaneState.tsx';

export interface StructureViewProps {
  tree: Loadable<MimeNode>;
  saving: ReadonlyMap<string, 'saving' | ShownError>;
  onSave: (node: MimeNode) => void;
  /** Part number -> attachment index, for the attached messages that can be opened. */
  attachedIndexes: ReadonlyMap<string, number>;
  onOpenAttached: (index: number) => void;
  onRetry: () => void;
}

export function StructureView(props: StructureViewProps) {
  const { tree } = props;
  if (tree.error) return <ErrorState title="The structure could not be read" error={tree.error} onRetry={props.onRetry} testId="structure-error" />;
  if (!tree.data) return <LoadingState label="Reading the structure…" testId="structure-loading" />;
  const notes = tree.data.notes ?? [];
  return (
    <div className="structure" data-testid="structure-view">
      {notes.length > 0 && (
        <ul className="message-notes" aria-label="Notes about the structure">
          {notes.map((n, i) => (
            <li key={i}>{n}</li>
          ))}
        </ul>
      )}
      <ul className="mime-tree" role="tree" aria-label="MIME parts">
        <MimeNodeRow node={tree.data} depth={0} {...props} />
      </ul>
    </div>
  );
}

function MimeNodeRow(props: StructureViewProps & { node: MimeNode; depth: number }) {
  const { node } = props;
  const state = props.saving.get(node.part_number);
  const attachedIndex = props.attachedIndexes.get(node.part_number);
  const savable = isSavable(node) && node.part_number !== '';
  const details = [
    node.charset ? `charset ${node.charset}` : null,
    node.disposition,
    node.encoding,
  ].filter((x): x is string => x !== null && x !== '');
  return (
    <li role="treeitem" aria-expanded={node.children.length > 0 ? true : undefined} className="mime-node" data-testid="mime-node" data-part={node.part_number} data-type={node.content_type}>
      <div className="mime-node-line">
        <span className="mime-part-number" title="Part number">{node.part_number || '(top)'}</span>
        <span className="mime-type" data-testid="mime-type">{node.content_type}</span>
        {node.filename && <span className="mime-filename" data-testid="mime-filename">{node.filename}</span>}
        {node.children.length === 0 && <span className="mime-size muted">{humanSize(node.size)}</span>}
        {details.length > 0 && <span className="mime-details muted">{details.join(' · ')}</span>}
        <span className="mime-actions">
          {attachedIndex !== undefined && isAttachedMessage(node.content_type) && (
            <button type="button" className="button button-small button-quiet" onClick={() => props.onOpenAttached(attachedIndex)} data-testid="mime-open">
              <MailIcon size={14} /> Open
            </button>
          )}
          {savable && (
            <button
              type="button"
              className="button button-small"
              disabled={state === 'saving'}
              onClick={() => props.onSave(node)}
              aria-label={`Save part ${node.part_number}`}
              data-testid="mime-save"
            >
              <DownloadIcon size={14} /> {state === 'saving' ? 'Saving…' : 'Save'}
            </button>
          )}
        </span>
      </div>
      {state && state !== 'saving' && (
        <span className="field-error" role="alert">
          {state.message}
        </span>
      )}
      {node.children.length > 0 && (
        <ul role="group" className="mime-children">
          {node.children.map((c) => (
            <MimeNodeRow key={c.part_number} {...props} node={c} depth={props.depth + 1} />
          ))}
        </ul>
      )}
    </li>
  );
}
