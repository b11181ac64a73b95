/** What the reading pane is told about attachments as files and the raw source (state/use-attachment-files.ts keeps it). */
import type { CallOutput } from '../../src-protocol/contract/index.ts';
import type { Loadable, ShownError } from './loadable.ts';

export type MessageSource = CallOutput<'mail:messages.source'>;
export type SaveAllState = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved'; dir: string; count: number } | { kind: 'error'; error: ShownError };

export interface AttachmentFilesState {
  /** Per attachment index: being opened, or the error of the last try. */
  opening: ReadonlyMap<number, 'opening' | ShownError>;
  open: (index: number) => void;
  saveAll: SaveAllState;
  startSaveAll: () => void;
  source: Loadable<MessageSource>;
  loadSource: () => void;
}
