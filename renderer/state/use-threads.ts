/**
 * Conversation view: the threads with a message in the folder
 * (mail:threads.list), and one opened thread (mail:threads.get) with the
 * messages the person expanded (mail:messages.get; the newest is expanded
 * when it opens).
 */
import { useCallback, useEffect, useState } from 'react';
import type { MessageSummary, MessageView, ThreadSummary } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import { LOADING, NOT_LOADED, type Loadable } from '../lib/loadable.ts';
import { cidReferences, normaliseCid } from '../lib/mail-html.ts';
import { useClient } from './client-context.tsx';

const THREADS_SHOWN = 500;

export interface ThreadListState {
  threads: Loadable<ThreadSummary[]>;
  reload: () => void;
}

/** `folder` null: nothing is listed (the message list is on screen). */
export function useThreadList(folder: { account_id: string; folder: string } | null, version: number): ThreadListState {
  const client = useClient();
  const [threads, setThreads] = useState<Loadable<ThreadSummary[]>>(NOT_LOADED);
  const [attempt, setAttempt] = useState(0);
  const accountId = folder?.account_id ?? null;
  const path = folder?.folder ?? null;
  useEffect(() => {
    if (accountId === null || path === null) {
      setThreads(NOT_LOADED);
      return;
    }
    let live = true;
    setThreads((prev) => ({ ...prev, loading: true, error: null }));
    client.call('mail:threads.list', { account_id: accountId, folder: path, limit: THREADS_SHOWN }).then(
      (data) => {
        if (live) setThreads({ data, loading: false, error: null });
      },
      (err: unknown) => {
        if (live) setThreads((prev) => ({ ...prev, loading: false, error: toIpcError(err) }));
      },
    );
    return () => {
      live = false;
    };
  }, [client, accountId, path, version, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  return { threads, reload };
}

export interface OpenThread {
  messages: Loadable<MessageSummary[]>;
  /** Expanded messages, by id. */
  views: ReadonlyMap<number, Loadable<MessageView>>;
  /** Per expanded message, its cid: images as data: URLs (absent while they load). */
  images: ReadonlyMap<number, ReadonlyMap<string, string>>;
  toggle: (id: number) => void;
}

export function useThread(threadId: number | null, onOpened: (view: MessageView) => void): OpenThread {
  const client = useClient();
  const [messages, setMessages] = useState<Loadable<MessageSummary[]>>(NOT_LOADED);
  const [views, setViews] = useState<ReadonlyMap<number, Loadable<MessageView>>>(new Map());
  const [images, setImages] = useState<ReadonlyMap<number, ReadonlyMap<string, string>>>(new Map());
  const [onOpenedRef] = useState(() => ({ current: onOpened }));
  onOpenedRef.current = onOpened;

  const load = useCallback(
    (id: number, isLive: () => boolean) => {
      setViews((m) => new Map(m).set(id, LOADING));
      client.call('mail:messages.get', { id, mark_read: true }).then(
        (view) => {
          if (!isLive()) return;
          setViews((m) => (m.has(id) ? new Map(m).set(id, { data: view, loading: false, error: null }) : m));
          onOpenedRef.current(view);
          // As in the reading pane: only the images the HTML refers to.
          const wanted = new Set(view.html_rendered ? cidReferences(view.html_rendered) : []);
          const found = new Map<string, string>();
          void Promise.all(
            view.attachments.map(async (a, index) => {
              if (!a.content_id || !a.content_type.toLowerCase().startsWith('image/')) return;
              const cid = normaliseCid(a.content_id);
              if (!wanted.has(cid)) return;
              try {
                const content = await client.call('mail:attachments.get', { id, index });
                found.set(cid, `data:${a.content_type};base64,${content.data_base64}`);
              } catch {
                // A missing inline image leaves a gap; the message still shows.
              }
            }),
          ).then(() => {
            if (isLive()) setImages((m) => new Map(m).set(id, found));
          });
        },
        (err: unknown) => {
          if (isLive()) setViews((m) => (m.has(id) ? new Map(m).set(id, { data: undefined, loading: false, error: toIpcError(err) }) : m));
        },
      );
    },
    [client, onOpenedRef],
  );

  const [liveToken] = useState(() => ({ thread: 0 }));
  useEffect(() => {
    const token = ++liveToken.thread;
    const isLive = () => liveToken.thread === token;
    setViews(new Map());
    setImages(new Map());
    if (threadId === null) {
      setMessages(NOT_LOADED);
      return;
    }
    setMessages(LOADING);
    client.call('mail:threads.get', { thread_id: threadId }).then(
      (data) => {
        if (!isLive()) return;
        setMessages({ data, loading: false, error: null });
        const newest = data[data.length - 1];
        if (newest) load(newest.id, isLive);
      },
      (err: unknown) => {
        if (isLive()) setMessages({ data: undefined, loading: false, error: toIpcError(err) });
      },
    );
    return () => {
      liveToken.thread++;
    };
  }, [client, threadId, load, liveToken]);

  const toggle = useCallback(
    (id: number) => {
      if (views.has(id)) {
        setViews((m) => {
          const next = new Map(m);
          next.delete(id);
          return next;
        });
        return;
      }
      const token = liveToken.thread;
      load(id, () => liveToken.thread === token);
    },
    [views, load, liveToken],
  );

  return { messages, views, images, toggle };
}
