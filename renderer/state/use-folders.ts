/**
 * Folders of every account. Each account shows what the engine has stored
 * at once, then asks the server for the current list (refresh: true); a
 * failed refresh keeps the stored list and shows the error beside it.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AccountSummary, Folder } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import type { Loadable } from '../lib/loadable.ts';
import { useClient } from './client-context.tsx';

export type FoldersByAccount = ReadonlyMap<string, Loadable<Folder[]>>;

export interface FoldersState {
  folders: FoldersByAccount;
  /** Reloads one account's folders; `refresh` asks the server, otherwise the stored list (fresh counts). */
  reload: (accountId: string, refresh: boolean) => Promise<void>;
  /** Moves a folder's unread count at once, before the engine confirms. */
  adjustUnread: (accountId: string, path: string, delta: number) => void;
}

export function useFolders(accounts: ReadonlyArray<AccountSummary> | undefined): FoldersState {
  const client = useClient();
  const [folders, setFolders] = useState<FoldersByAccount>(new Map());
  const controllers = useRef(new Map<string, AbortController>());
  const started = useRef(new Set<string>());

  const update = useCallback((accountId: string, fn: (prev: Loadable<Folder[]>) => Loadable<Folder[]>) => {
    setFolders((prev) => {
      const next = new Map(prev);
      next.set(accountId, fn(prev.get(accountId) ?? { data: undefined, loading: false, error: null }));
      return next;
    });
  }, []);

  const load = useCallback(
    async (accountId: string, refresh: boolean, signal: AbortSignal) => {
      update(accountId, (p) => ({ ...p, loading: true, error: null }));
      try {
        const data = await client.call('mail:folders.list', { account_id: accountId, refresh }, { signal });
        if (!signal.aborted) update(accountId, () => ({ data, loading: false, error: null }));
      } catch (err) {
        if (!signal.aborted) update(accountId, (p) => ({ ...p, loading: false, error: toIpcError(err) }));
      }
    },
    [client, update],
  );

  // A server refresh (refresh: true) answers with fresh counts too, so it
  // replaces whatever is in flight; a stored-list reload (for counts) waits
  // for a running refresh instead of cutting it off, which would leave the
  // list as it was before the server was asked.
  const refreshing = useRef(new Map<string, Promise<void>>());

  const reload = useCallback(
    async (accountId: string, refresh: boolean): Promise<void> => {
      started.current.add(accountId);
      const running = refreshing.current.get(accountId);
      if (!refresh && running) {
        await running;
        if (refreshing.current.get(accountId)) return; // another refresh began meanwhile; it brings the counts
      }
      controllers.current.get(accountId)?.abort();
      const ac = new AbortController();
      controllers.current.set(accountId, ac);
      const done = load(accountId, refresh, ac.signal);
      if (refresh) {
        refreshing.current.set(accountId, done);
        void done.finally(() => {
          if (refreshing.current.get(accountId) === done) refreshing.current.delete(accountId);
        });
      }
      return done;
    },
    [load],
  );

  useEffect(() => {
    for (const account of accounts ?? []) {
      if (started.current.has(account.id)) continue;
      started.current.add(account.id);
      const ac = new AbortController();
      controllers.current.set(account.id, ac);
      // Stored list first (instant), then the server's.
      const done = load(account.id, false, ac.signal).then(() => {
        if (!ac.signal.aborted) return load(account.id, true, ac.signal);
      });
      refreshing.current.set(account.id, done);
      void done.finally(() => {
        if (refreshing.current.get(account.id) === done) refreshing.current.delete(account.id);
      });
    }
  }, [accounts, load]);

  useEffect(() => {
    const owned = controllers.current;
    const seen = started.current;
    const inFlight = refreshing.current;
    return () => {
      inFlight.clear();
      for (const ac of owned.values()) ac.abort();
      owned.clear();
      seen.clear();
    };
  }, []);

  const adjustUnread = useCallback(
    (accountId: string, path: string, delta: number) => {
      update(accountId, (p) => ({
        ...p,
        data: p.data?.map((f) => (f.path === path ? { ...f, unread: Math.max(0, f.unread + delta) } : f)),
      }));
    },
    [update],
  );

  return { folders, reload, adjustUnread };
}
