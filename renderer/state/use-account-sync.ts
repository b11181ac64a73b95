/**
 * Whole-account sync (mail:sync.account, every folder): once per account
 * when the app starts, and again on Refresh. Headers first, so new mail is
 * listed within moments; then, in the background, the bodies, so the whole
 * account can be read and searched offline. A Refresh cancels a running
 * body download (what is stored stays stored) and starts over; Stop (in the
 * status bar) cancels both steps until the next Refresh.
 */
import { useCallback, useEffect, useRef } from 'react';
import type { AccountSummary } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import type { ShownError } from '../lib/loadable.ts';
import { useClient } from './client-context.tsx';

export interface AccountSyncState {
  /** Headers of every folder; resolves when they are stored, rejects with an IpcError. */
  syncAccount: (accountId: string, signal?: AbortSignal) => Promise<void>;
  /** Stops the account's running sync (headers and bodies); false when none was running. */
  stopSync: (accountId: string) => boolean;
}

export interface AccountSyncCallbacks {
  /** New headers or bodies are in the store: reload folders and the list. */
  onSynced: (accountId: string) => void;
  /** A sync call returned (done, failed or cancelled): its progress is over. */
  onSettled: (accountId: string) => void;
  /** The sync at start-up (not one the person asked for) failed. */
  onBackgroundError: (accountId: string, error: ShownError) => void;
}

export function useAccountSync(accounts: ReadonlyArray<AccountSummary> | undefined, callbacks: AccountSyncCallbacks): AccountSyncState {
  const client = useClient();
  const cb = useRef(callbacks);
  cb.current = callbacks;
  /** The background body download of each account. */
  const bodies = useRef(new Map<string, AbortController>());
  /** The header syncs of each account (start-up and a Refresh may overlap; Stop ends them all). */
  const headers = useRef(new Map<string, Set<AbortController>>());
  const started = useRef(new Set<string>());

  const startBodies = useCallback(
    (accountId: string) => {
      bodies.current.get(accountId)?.abort();
      const ac = new AbortController();
      bodies.current.set(accountId, ac);
      client.call('mail:sync.account', { account_id: accountId, all_folders: true, bodies: true }, { signal: ac.signal }).then(
        (r) => {
          if (!ac.signal.aborted && r.bodies_downloaded > 0) cb.current.onSynced(accountId);
        },
        (err: unknown) => {
          if (!ac.signal.aborted) cb.current.onBackgroundError(accountId, toIpcError(err));
        },
      ).finally(() => {
        if (bodies.current.get(accountId) === ac) bodies.current.delete(accountId);
        if (!ac.signal.aborted) cb.current.onSettled(accountId);
      });
    },
    [client],
  );

  const syncAccount = useCallback(
    async (accountId: string, signal?: AbortSignal) => {
      bodies.current.get(accountId)?.abort();
      // Our own controller, so that Stop can end it too; the caller's signal still counts.
      const ac = new AbortController();
      const follow = () => ac.abort();
      signal?.addEventListener('abort', follow, { once: true });
      if (signal?.aborted) ac.abort();
      const running = headers.current.get(accountId) ?? new Set<AbortController>();
      running.add(ac);
      headers.current.set(accountId, running);
      try {
        await client.call('mail:sync.account', { account_id: accountId, all_folders: true, bodies: false }, { signal: ac.signal });
      } finally {
        signal?.removeEventListener('abort', follow);
        running.delete(ac);
        if (running.size === 0 && headers.current.get(accountId) === running) headers.current.delete(accountId);
        cb.current.onSettled(accountId);
      }
      if (ac.signal.aborted) return;
      cb.current.onSynced(accountId);
      startBodies(accountId);
    },
    [client, startBodies],
  );

  useEffect(() => {
    for (const account of accounts ?? []) {
      if (started.current.has(account.id)) continue;
      started.current.add(account.id);
      syncAccount(account.id).catch((err: unknown) => {
        const e = toIpcError(err);
        if (e.code !== 'CANCELLED') cb.current.onBackgroundError(account.id, e);
      });
    }
  }, [accounts, syncAccount]);

  const stopSync = useCallback((accountId: string) => {
    let stopped = false;
    const syncs = headers.current.get(accountId);
    headers.current.delete(accountId);
    for (const ac of syncs ?? []) {
      ac.abort();
      stopped = true;
    }
    const download = bodies.current.get(accountId);
    bodies.current.delete(accountId);
    if (download) {
      download.abort();
      stopped = true;
    }
    // An aborted body download does not settle by itself (a Refresh replaces it); a stop ends it.
    if (stopped) cb.current.onSettled(accountId);
    return stopped;
  }, []);

  useEffect(() => {
    const downloads = bodies.current;
    const syncs = headers.current;
    return () => {
      for (const ac of downloads.values()) ac.abort();
      for (const set of syncs.values()) for (const ac of set) ac.abort();
      downloads.clear();
      syncs.clear();
    };
  }, []);

  return { syncAccount, stopSync };
}
