/**
 * One opened message: fetched with mail:messages.get (which marks it read),
 * its cid: images fetched from the local store as data: URLs, and saving an
 * attachment to disk through the browser's download.
 */
import { useCallback, useEffect, useState } from 'react';
import type { MessageView } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import { base64ToBytes, downloadBytes } from '../lib/bytes.ts';
import { LOADING, NOT_LOADED, type Loadable, type ShownError } from '../lib/loadable.ts';
import { cidReferences, normaliseCid } from '../lib/mail-html.ts';
import { useClient } from './client-context.tsx';

export interface OpenedMessage {
  message: Loadable<MessageView>;
  /** Normalised Content-ID -> data: URL; null while they are being fetched. */
  inlineImages: ReadonlyMap<string, string> | null;
  reload: () => void;
  save: (index: number) => Promise<void>;
  /** Per attachment index: saving, or the error of the last try. */
  saving: ReadonlyMap<number, 'saving' | ShownError>;
  /** "Always for this sender" (or blocked again): mail:remoteContent.allowSender. */
  allowSender: (address: string, allow: boolean) => void;
  remoteBusy: boolean;
  remoteError: ShownError | null;
}

export function useMessage(id: number | null, onOpened: (view: MessageView) => void): OpenedMessage {
  const client = useClient();
  const [message, setMessage] = useState<Loadable<MessageView>>(NOT_LOADED);
  const [inlineImages, setInlineImages] = useState<ReadonlyMap<string, string> | null>(null);
  const [saving, setSaving] = useState<ReadonlyMap<number, 'saving' | ShownError>>(new Map());
  const [attempt, setAttempt] = useState(0);
  const [remoteBusy, setRemoteBusy] = useState(false);
  const [remoteError, setRemoteError] = useState<ShownError | null>(null);
  const [onOpenedRef] = useState(() => ({ current: onOpened }));
  onOpenedRef.current = onOpened;

  useEffect(() => {
    setSaving(new Map());
    setInlineImages(null);
    setRemoteError(null);
    if (id === null) {
      setMessage(NOT_LOADED);
      return;
    }
    const ac = new AbortController();
    const { signal } = ac;
    setMessage(LOADING);
    void (async () => {
      let view: MessageView;
      try {
        view = await client.call('mail:messages.get', { id }, { signal });
      } catch (err) {
        if (!signal.aborted) setMessage({ data: undefined, loading: false, error: toIpcError(err) });
        return;
      }
      if (signal.aborted) return;
      setMessage({ data: view, loading: false, error: null });
      onOpenedRef.current(view);

      // Only the parts the HTML actually refers to are fetched.
      const wanted = new Set(view.html_rendered ? cidReferences(view.html_rendered) : []);
      const images = new Map<string, string>();
      await Promise.all(
        view.attachments.map(async (a, index) => {
          if (!a.content_id) return;
          const cid = normaliseCid(a.content_id);
          if (!wanted.has(cid) || !a.content_type.toLowerCase().startsWith('image/')) return;
          try {
            const content = await client.call('mail:attachments.get', { id, index }, { signal });
            images.set(cid, `data:${a.content_type};base64,${content.data_base64}`);
          } catch {
            // A missing inline image leaves a gap; the message still shows.
          }
        }),
      );
      if (!signal.aborted) setInlineImages(images);
    })();
    return () => ac.abort();
  }, [client, id, attempt, onOpenedRef]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);

  const save = useCallback(
    async (index: number) => {
      const view = message.data;
      const info = view?.attachments[index];
      if (!view || !info) return;
      setSaving((prev) => new Map(prev).set(index, 'saving'));
      try {
        const content = await client.call('mail:attachments.get', { id: view.id, index });
        downloadBytes(base64ToBytes(content.data_base64), info.save_as || content.filename, content.content_type);
        setSaving((prev) => {
          const next = new Map(prev);
          next.delete(index);
          return next;
        });
      } catch (err) {
        setSaving((prev) => new Map(prev).set(index, toIpcError(err)));
      }
    },
    [client, message.data],
  );

  const allowSender = useCallback(
    (address: string, allow: boolean) => {
      setRemoteBusy(true);
      setRemoteError(null);
      client.call('mail:remoteContent.allowSender', { address, allow }).then(
        (r) => {
          // Every message from this sender shows it now; the open one at once.
          setMessage((m) => (m.data ? { ...m, data: { ...m.data, remote_content_allowed: r.allowed } } : m));
        },
        (err: unknown) => setRemoteError(toIpcError(err)),
      ).finally(() => setRemoteBusy(false));
    },
    [client],
  );

  return { message, inlineImages, reload, save, saving, allowSender, remoteBusy, remoteError };
}
