/**
 * The open message's attachments as files on the person's machine (Open
 * with the system's application, Save all into the downloads folder) and
 * its raw source (the Source tab, loaded when first shown).
 */
import { useCallback, useEffect, useState } from 'react';
import { toIpcError } from '../ipc/client.ts';
import type { AttachmentFilesState, MessageSource, SaveAllState } from '../lib/attachment-files.ts';
import { LOADING, NOT_LOADED, type Loadable, type ShownError } from '../lib/loadable.ts';
import { useClient } from './client-context.tsx';

export function useAttachmentFiles(id: number | null): AttachmentFilesState {
  const client = useClient();
  const [opening, setOpening] = useState<ReadonlyMap<number, 'opening' | ShownError>>(new Map());
  const [saveAll, setSaveAll] = useState<SaveAllState>({ kind: 'idle' });
  const [source, setSource] = useState<Loadable<MessageSource>>(NOT_LOADED);
  const [sourceWanted, setSourceWanted] = useState(0);

  useEffect(() => {
    setOpening(new Map());
    setSaveAll({ kind: 'idle' });
    setSource(NOT_LOADED);
    setSourceWanted(0);
  }, [id]);

  useEffect(() => {
    if (id === null || sourceWanted === 0) return;
    const ac = new AbortController();
    setSource(LOADING);
    client.call('mail:messages.source', { id }, { signal: ac.signal }).then(
      (data) => {
        if (!ac.signal.aborted) setSource({ data, loading: false, error: null });
      },
      (err: unknown) => {
        if (!ac.signal.aborted) setSource({ data: undefined, loading: false, error: toIpcError(err) });
      },
    );
    return () => ac.abort();
  }, [client, id, sourceWanted]);

  const open = useCallback(
    (index: number) => {
      if (id === null) return;
      setOpening((prev) => new Map(prev).set(index, 'opening'));
      client.call('mail:attachments.open', { id, index }).then(
        () =>
          setOpening((prev) => {
            const next = new Map(prev);
            next.delete(index);
            return next;
          }),
        (err: unknown) => setOpening((prev) => new Map(prev).set(index, toIpcError(err))),
      );
    },
    [client, id],
  );

  const startSaveAll = useCallback(() => {
    if (id === null) return;
    setSaveAll({ kind: 'saving' });
    client.call('mail:attachments.saveAll', { id }).then(
      (r) => setSaveAll({ kind: 'saved', dir: r.dir, count: r.files.length }),
      (err: unknown) => setSaveAll({ kind: 'error', error: toIpcError(err) }),
    );
  }, [client, id]);

  const loadSource = useCallback(() => setSourceWanted((n) => (source.data ? n : n + 1)), [source.data]);

  return { opening, open, saveAll, startSaveAll, source, loadSource };
}
