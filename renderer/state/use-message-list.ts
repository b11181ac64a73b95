/**
 * The message list of one folder: what is stored shows at once, then the
 * folder is synced with the server and listed again. `refresh()` does the
 * sync-then-list again on demand. Newest first, a page at a time: the list
 * asks for more as the person scrolls towards the end.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageSummary } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import { LOADING, NOT_LOADED, type Loadable } from '../lib/loadable.ts';
import { DEFAULT_SORT, type SortOrder } from '../lib/sort.ts';
import { useClient } from './client-context.tsx';

export interface FolderRef {
  account_id: string;
  folder: string;
}

/** Rows per request; later pages come as the list scrolls near its end. */
export const PAGE_SIZE = 1000;
const MAX_LIMIT = 100_000;

export interface MessageListState {
  messages: Loadable<MessageSummary[]>;
  /** Whether the engine may have older messages than those loaded. */
  hasMore: boolean;
  loadMore: () => void;
  /** True while the folder is being synced with the server. */
  syncing: boolean;
  /** Syncs with the server (the whole account when the app gave a way to), then lists again. */
  refresh: () => void;
  /** Lists again from the local store only (after a local action). */
  relist: () => void;
  /** Replaces one row's flags (e.g. \Seen after opening). */
  setFlags: (id: number, flags: string[]) => void;
  /** Takes rows out at once (moved or deleted here, before the engine answers). */
  removeIds: (ids: ReadonlySet<number>) => void;
  /** The order the engine lists the folder in (the whole folder is sorted there, page by page); lists again from the top. */
  setOrder: (order: SortOrder) => void;
}

export function useMessageList(
  folder: FolderRef | null,
  onSynced: (ref: FolderRef) => void,
  /** What Refresh runs: a whole-account sync (all folders). Without it, only this folder is synced. */
  syncAccount?: (accountId: string, signal: AbortSignal) => Promise<void>,
): MessageListState {
  const client = useClient();
  const [messages, setMessages] = useState<Loadable<MessageSummary[]>>(NOT_LOADED);
  const [syncing, setSyncing] = useState(false);
  const [hasMore, setHasMore] = useState(false);
  const controller = useRef<AbortController | null>(null);
  const moreController = useRef<AbortController | null>(null);
  /** How many rows are loaded, so a refresh keeps the pages already shown. */
  const loaded = useRef(0);
  const onSyncedRef = useRef(onSynced);
  onSyncedRef.current = onSynced;
  const syncAccountRef = useRef(syncAccount);
  syncAccountRef.current = syncAccount;

  /** The folder's order, sent with every page asked for. */
  const order = useRef<SortOrder>(DEFAULT_SORT);
  const sorted = () => ({ sort: order.current.key, descending: order.current.descending });

  const accountId = folder?.account_id ?? null;
  const path = folder?.folder ?? null;

  const run = useCallback(
    async (ref: FolderRef, listFirst: boolean, how: 'folder' | 'account' = 'folder') => {
      controller.current?.abort();
      moreController.current?.abort();
      const ac = new AbortController();
      controller.current = ac;
      const { signal } = ac;
      const list = async () => {
        const limit = Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, loaded.current));
        const data = await client.call('mail:messages.list', { ...ref, limit, offset: 0, ...sorted() }, { signal });
        if (signal.aborted) return;
        loaded.current = data.length;
        setHasMore(data.length === limit && limit < MAX_LIMIT);
        setMessages({ data, loading: true, error: null });
      };
      setMessages((prev) => ({ ...prev, loading: true, error: null }));
      try {
        if (listFirst) await list();
        setSyncing(true);
        const whole = syncAccountRef.current;
        if (how === 'account' && whole) await whole(ref.account_id, signal);
        else await client.call('mail:sync.folder', ref, { signal });
        if (signal.aborted) return;
        onSyncedRef.current(ref);
        await list();
        if (!signal.aborted) setMessages((prev) => ({ ...prev, loading: false }));
      } catch (err) {
        if (signal.aborted) return;
        const e = toIpcError(err);
        if (e.code === 'CANCELLED') {
          // Stopped by the person: what is stored is shown, without an error.
          await list().catch(() => undefined);
          if (!signal.aborted) setMessages((prev) => ({ ...prev, loading: false }));
        } else {
          setMessages((prev) => ({ ...prev, loading: false, error: e }));
        }
      } finally {
        if (!signal.aborted) setSyncing(false);
      }
    },
    [client],
  );

  useEffect(() => {
    loaded.current = 0;
    setHasMore(false);
    if (!accountId || !path) {
      setMessages(NOT_LOADED);
      return;
    }
    setMessages(LOADING);
    void run({ account_id: accountId, folder: path }, true);
    return () => {
      controller.current?.abort();
      moreController.current?.abort();
      setSyncing(false);
    };
  }, [accountId, path, run]);

  const refresh = useCallback(() => {
    if (accountId && path) void run({ account_id: accountId, folder: path }, false, 'account');
  }, [accountId, path, run]);

  // Its own controller: a relist must not cut off a sync that is running.
  const relistController = useRef<AbortController | null>(null);
  const relist = useCallback(() => {
    if (!accountId || !path) return;
    relistController.current?.abort();
    const ac = new AbortController();
    relistController.current = ac;
    const limit = Math.min(MAX_LIMIT, Math.max(PAGE_SIZE, loaded.current));
    client.call('mail:messages.list', { account_id: accountId, folder: path, limit, offset: 0, ...sorted() }, { signal: ac.signal }).then(
      (data) => {
        if (ac.signal.aborted) return;
        loaded.current = data.length;
        setHasMore(data.length === limit && limit < MAX_LIMIT);
        setMessages((prev) => ({ ...prev, data }));
      },
      (err: unknown) => {
        if (!ac.signal.aborted) setMessages((prev) => ({ ...prev, error: toIpcError(err) }));
      },
    );
  }, [client, accountId, path]);
  useEffect(() => () => relistController.current?.abort(), [accountId, path]);

  const loadMore = useCallback(() => {
    if (!accountId || !path || !hasMore || moreController.current) return;
    const ac = new AbortController();
    moreController.current = ac;
    const offset = loaded.current;
    void client.call('mail:messages.list', { account_id: accountId, folder: path, limit: PAGE_SIZE, offset, ...sorted() }, { signal: ac.signal }).then(
      (page) => {
        if (ac.signal.aborted) return;
        loaded.current = offset + page.length;
        setHasMore(page.length === PAGE_SIZE && loaded.current < MAX_LIMIT);
        setMessages((prev) => {
          const seen = new Set((prev.data ?? []).map((m) => m.id));
          return { ...prev, data: [...(prev.data ?? []), ...page.filter((m) => !seen.has(m.id))] };
        });
      },
      (err: unknown) => {
        if (!ac.signal.aborted) setMessages((prev) => ({ ...prev, error: toIpcError(err) }));
      },
    ).finally(() => {
      if (moreController.current === ac) moreController.current = null;
    });
  }, [client, accountId, path, hasMore]);

  const setFlags = useCallback((id: number, flags: string[]) => {
    setMessages((prev) => ({ ...prev, data: prev.data?.map((m) => (m.id === id ? { ...m, flags } : m)) }));
  }, []);

  const removeIds = useCallback((ids: ReadonlySet<number>) => {
    setMessages((prev) => ({ ...prev, data: prev.data?.filter((m) => !ids.has(m.id)) }));
  }, []);

  const setOrder = useCallback(
    (next: SortOrder) => {
      if (next.key === order.current.key && next.descending === order.current.descending) return;
      order.current = next;
      // A new order starts from its first page.
      moreController.current?.abort();
      moreController.current = null;
      loaded.current = 0;
      relist();
    },
    [relist],
  );

  return { messages, hasMore, loadMore, syncing, refresh, relist, setFlags, removeIds, setOrder };
}
