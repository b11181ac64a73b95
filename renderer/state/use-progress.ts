/**
 * Live progress from the engine's mail:progress events. Each running task
 * (by task, account and folder) keeps its latest report; finished ones
 * linger briefly so the person sees that they finished.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { Progress } from '../../src-protocol/contract/index.ts';
import { useClient } from './client-context.tsx';

export interface ProgressEntry extends Progress {
  key: string;
  finished: boolean;
  /** When its latest report came (ms since the epoch), so the newest step can be shown first. */
  updated: number;
}

const LINGER_MS = 2500;

/** A task that reports nothing for this long is no longer shown as running. */
const SILENCE_MS = 20_000;

/** The engine names its phases; these words, or done reaching total, mean the task ended (or stopped for now). */
export function isFinished(p: Progress): boolean {
  if (/^(done|finished|complete|completed|sent|failed|error|cancelled|paused)$/i.test(p.phase)) return true;
  return p.total !== null && p.total > 0 && p.done >= p.total;
}

export interface ProgressState {
  entries: ProgressEntry[];
  /**
   * A call that reported progress has returned: its entries (this task and
   * account) are finished, whatever their last report said. The engine's
   * last report of a step is not always a "done" one.
   */
  settle: (task: Progress['task'], accountId: string) => void;
}

export function useProgress(): ProgressState {
  const client = useClient();
  const [entries, setEntries] = useState<ReadonlyMap<string, ProgressEntry>>(new Map());
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());

  const expire = useCallback((key: string, afterMs: number) => {
    const owned = timers.current;
    const existing = owned.get(key);
    if (existing !== undefined) clearTimeout(existing);
    owned.set(
      key,
      setTimeout(() => {
        owned.delete(key);
        setEntries((prev) => {
          const next = new Map(prev);
          next.delete(key);
          return next;
        });
      }, afterMs),
    );
  }, []);

  useEffect(() => {
    const owned = timers.current;
    const off = client.on('mail:progress', (p) => {
      const key = `${p.task}\u0000${p.account_id}\u0000${p.folder ?? ''}`;
      const finished = isFinished(p);
      setEntries((prev) => new Map(prev).set(key, { ...p, key, finished, updated: Date.now() }));
      expire(key, finished ? LINGER_MS : SILENCE_MS);
    });
    return () => {
      off();
      for (const t of owned.values()) clearTimeout(t);
      owned.clear();
    };
  }, [client, expire]);

  const settle = useCallback(
    (task: Progress['task'], accountId: string) => {
      setEntries((prev) => {
        const next = new Map(prev);
        for (const [key, e] of prev) {
          if (e.task !== task || e.account_id !== accountId || e.finished) continue;
          next.set(key, { ...e, finished: true });
          expire(key, LINGER_MS);
        }
        return next;
      });
    },
    [expire],
  );

  const list = useMemo(() => [...entries.values()], [entries]);
  return { entries: list, settle };
}
