/**
 * Local search as the person types: the query waits ~150 ms of quiet, then
 * mail:search runs and the previous call (if still running) is cancelled.
 * Results stay on screen while the next ones load, so typing does not flash.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { MessageSummary } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import { NOT_LOADED, type Loadable } from '../lib/loadable.ts';
import { useClient } from './client-context.tsx';

export const SEARCH_DEBOUNCE_MS = 150;
export const SEARCH_LIMIT = 500;

export interface SearchState {
  query: string;
  setQuery: (q: string) => void;
  clear: () => void;
  /** Whether a search is what the list shows (the query is not blank). */
  active: boolean;
  results: Loadable<MessageSummary[]>;
  /** Runs the same query again now (after an action changed the store). */
  rerun: () => void;
  /** Replaces one result's flags at once, before the engine answers. */
  setFlags: (id: number, flags: string[]) => void;
}

export function useSearch(): SearchState {
  const client = useClient();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Loadable<MessageSummary[]>>(NOT_LOADED);
  const [generation, setGeneration] = useState(0);
  const controller = useRef<AbortController | null>(null);
  /** Set by rerun(): the next run starts at once, without waiting for quiet. */
  const immediate = useRef(false);
  const trimmed = query.trim();

  useEffect(() => {
    if (!trimmed) {
      controller.current?.abort();
      controller.current = null;
      setResults(NOT_LOADED);
      return;
    }
    const delay = immediate.current ? 0 : SEARCH_DEBOUNCE_MS;
    immediate.current = false;
    const timer = setTimeout(() => {
      controller.current?.abort();
      const ac = new AbortController();
      controller.current = ac;
      setResults((prev) => ({ ...prev, loading: true }));
      client.call('mail:search', { query: trimmed, limit: SEARCH_LIMIT }, { signal: ac.signal }).then(
        (data) => {
          if (!ac.signal.aborted) setResults({ data, loading: false, error: null });
        },
        (err: unknown) => {
          // A bad query keeps the last good results visible under the error.
          if (!ac.signal.aborted) setResults((prev) => ({ ...prev, loading: false, error: toIpcError(err) }));
        },
      );
    }, delay);
    return () => clearTimeout(timer);
  }, [client, trimmed, generation]);

  useEffect(() => () => controller.current?.abort(), []);

  const clear = useCallback(() => setQuery(''), []);
  const rerun = useCallback(() => {
    immediate.current = true;
    setGeneration((g) => g + 1);
  }, []);
  const setFlags = useCallback((id: number, flags: string[]) => {
    setResults((prev) => ({ ...prev, data: prev.data?.map((m) => (m.id === id ? { ...m, flags } : m)) }));
  }, []);

  return { query, setQuery, clear, active: trimmed.length > 0, results, rerun, setFlags };
}
