/**
 * Folders that are not on a server: the unified inbox (mail:unified.list,
 * every account's INBOX), and saved searches (mail:savedSearches.*; their
 * results come from mail:search like the search box's).
 */
import { useCallback, useEffect, useState } from 'react';
import type { MessageSummary, SavedSearch } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import { NOT_LOADED, type Loadable } from '../lib/loadable.ts';
import { useClient } from './client-context.tsx';

const UNIFIED_SHOWN = 1000;

export interface UnifiedInboxState {
  messages: Loadable<MessageSummary[]>;
  reload: () => void;
  /** Show these flags on a row now. */
  setFlags: (id: number, flags: string[]) => void;
  removeIds: (ids: ReadonlySet<number>) => void;
}

export function useUnifiedInbox(active: boolean): UnifiedInboxState {
  const client = useClient();
  const [messages, setMessages] = useState<Loadable<MessageSummary[]>>(NOT_LOADED);
  const [attempt, setAttempt] = useState(0);
  useEffect(() => {
    if (!active) {
      setMessages(NOT_LOADED);
      return;
    }
    let live = true;
    setMessages((prev) => ({ ...prev, loading: true, error: null }));
    client.call('mail:unified.list', { role: 'inbox', limit: UNIFIED_SHOWN, offset: 0 }).then(
      (data) => {
        if (live) setMessages({ data, loading: false, error: null });
      },
      (err: unknown) => {
        if (live) setMessages((prev) => ({ ...prev, loading: false, error: toIpcError(err) }));
      },
    );
    return () => {
      live = false;
    };
  }, [client, active, attempt]);
  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const setFlags = useCallback((id: number, flags: string[]) => {
    setMessages((prev) => (prev.data ? { ...prev, data: prev.data.map((m) => (m.id === id ? { ...m, flags } : m)) } : prev));
  }, []);
  const removeIds = useCallback((ids: ReadonlySet<number>) => {
    setMessages((prev) => (prev.data ? { ...prev, data: prev.data.filter((m) => !ids.has(m.id)) } : prev));
  }, []);
  return { messages, reload, setFlags, removeIds };
}

export interface SavedSearchesState {
  searches: Loadable<SavedSearch[]>;
  /** Rejects with the IpcError. */
  save: (name: string, query: string) => Promise<SavedSearch>;
  remove: (id: number) => Promise<void>;
}

export function useSavedSearches(): SavedSearchesState {
  const client = useClient();
  const [searches, setSearches] = useState<Loadable<SavedSearch[]>>(NOT_LOADED);
  useEffect(() => {
    let live = true;
    client.call('mail:savedSearches.list', {}).then(
      (data) => {
        if (live) setSearches({ data, loading: false, error: null });
      },
      (err: unknown) => {
        if (live) setSearches({ data: undefined, loading: false, error: toIpcError(err) });
      },
    );
    return () => {
      live = false;
    };
  }, [client]);
  const save = useCallback(
    async (name: string, query: string) => {
      const s = await client.call('mail:savedSearches.save', { name, query });
      setSearches((prev) => ({ data: [...(prev.data ?? []).filter((x) => x.id !== s.id), s], loading: false, error: null }));
      return s;
    },
    [client],
  );
  const remove = useCallback(
    async (id: number) => {
      await client.call('mail:savedSearches.delete', { id });
      setSearches((prev) => ({ ...prev, data: (prev.data ?? []).filter((x) => x.id !== id) }));
    },
    [client],
  );
  return { searches, save, remove };
}

/** mail:undo: takes back the last move, archive or delete-to-Trash. Rejects with the IpcError. */
export function useUndoAction(): () => Promise<{ undone: number; what: string | null }> {
  const client = useClient();
  return useCallback(() => client.call('mail:undo', {}), [client]);
}
