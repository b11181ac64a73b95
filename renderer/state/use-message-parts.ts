/**
 * The MIME structure of the open message (mail:messages.parts, loaded when
 * the Structure tab is first shown), saving any part decoded
 * (mail:messages.part), and attached messages opened as messages of their
 * own (mail:messages.attached).
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageModel, MimeNode } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import { base64ToBytes, downloadBytes } from '../lib/bytes.ts';
import { LOADING, NOT_LOADED, type Loadable, type ShownError } from '../lib/loadable.ts';
import { partFileName } from '../lib/mime-tree.ts';
import { useClient } from './client-context.tsx';

export interface MessagePartsState {
  tree: Loadable<MimeNode>;
  /** Loads the tree (once per message; again after an error). */
  load: () => void;
  /** Per part number: saving, or the error of the last try. */
  saving: ReadonlyMap<string, 'saving' | ShownError>;
  savePart: (node: MimeNode) => Promise<void>;
  /** The attached message open in its own view, if any. */
  attached: Loadable<MessageModel> | null;
  openAttached: (index: number) => void;
  closeAttached: () => void;
}

export function useMessageParts(id: number | null): MessagePartsState {
  const client = useClient();
  const [tree, setTree] = useState<Loadable<MimeNode>>(NOT_LOADED);
  const [wanted, setWanted] = useState(0);
  const [saving, setSaving] = useState<ReadonlyMap<string, 'saving' | ShownError>>(new Map());
  const [attached, setAttached] = useState<Loadable<MessageModel> | null>(null);
  const [attachedWanted, setAttachedWanted] = useState<number | null>(null);

  useEffect(() => {
    setTree(NOT_LOADED);
    setWanted(0);
    setSaving(new Map());
    setAttached(null);
    setAttachedWanted(null);
  }, [id]);

  useEffect(() => {
    if (id === null || wanted === 0) return;
    const ac = new AbortController();
    setTree(LOADING);
    client.call('mail:messages.parts', { id }, { signal: ac.signal }).then(
      (data) => {
        if (!ac.signal.aborted) setTree({ data, loading: false, error: null });
      },
      (err: unknown) => {
        if (!ac.signal.aborted) setTree({ data: undefined, loading: false, error: toIpcError(err) });
      },
    );
    return () => ac.abort();
  }, [client, id, wanted]);

  useEffect(() => {
    if (id === null || attachedWanted === null) return;
    const ac = new AbortController();
    setAttached(LOADING);
    client.call('mail:messages.attached', { id, index: attachedWanted }, { signal: ac.signal }).then(
      (data) => {
        if (!ac.signal.aborted) setAttached({ data, loading: false, error: null });
      },
      (err: unknown) => {
        if (!ac.signal.aborted) setAttached({ data: undefined, loading: false, error: toIpcError(err) });
      },
    );
    return () => ac.abort();
  }, [client, id, attachedWanted]);

  const treeRef = useRef(tree);
  treeRef.current = tree;
  const load = useCallback(() => {
    const t = treeRef.current;
    if (t.data === undefined && !t.loading) setWanted((n) => n + 1);
  }, []);

  const savePart = useCallback(
    async (node: MimeNode) => {
      if (id === null) return;
      const part = node.part_number;
      setSaving((prev) => new Map(prev).set(part, 'saving'));
      try {
        const content = await client.call('mail:messages.part', { id, part });
        downloadBytes(base64ToBytes(content.data_base64), partFileName(node, content.filename), content.content_type);
        setSaving((prev) => {
          const next = new Map(prev);
          next.delete(part);
          return next;
        });
      } catch (err) {
        setSaving((prev) => new Map(prev).set(part, toIpcError(err)));
      }
    },
    [client, id],
  );

  const openAttached = useCallback((index: number) => setAttachedWanted(index), []);
  const closeAttached = useCallback(() => {
    setAttachedWanted(null);
    setAttached(null);
  }, []);

  return { tree, load, saving, savePart, attached, openAttached, closeAttached };
}
