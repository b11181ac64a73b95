/**
 * Live progress from the engine's mail:progress events. Each running task
 * (by task, account and folder) keeps its latest report; finished ones
 * linger briefly so the person sees that they finished.
 */
import { useEffect, useState } from 'react';
import type { Progress } from '../../src-protocol/contract/index.ts';
import { useClient } from './client-context.tsx';

export interface ProgressEntry extends Progress {
  key: string;
  finished: boolean;
}

const LINGER_MS = 2500;

/** A task that reports nothing for this long is no longer shown as running. */
const SILENCE_MS = 20_000;

/** The engine names its phases; these words, or done reaching total, mean the task ended. */
export function isFinished(p: Progress): boolean {
  if (/^(done|finished|complete|completed|sent|failed|error|cancelled)$/i.test(p.phase)) return true;
  return p.total !== null && p.total > 0 && p.done >= p.total;
}

export function useProgress(): ProgressEntry[] {
  const client = useClient();
  const [entries, setEntries] = useState<ReadonlyMap<string, ProgressEntry>>(new Map());

  useEffect(() => {
    const timers = new Map<string, ReturnType<typeof setTimeout>>();
    const off = client.on('mail:progress', (p) => {
      const key = `${p.task}\u0000${p.account_id}\u0000${p.folder ?? ''}`;
      const finished = isFinished(p);
      const existing = timers.get(key);
      if (existing !== undefined) clearTimeout(existing);
      timers.delete(key);
      setEntries((prev) => new Map(prev).set(key, { ...p, key, finished }));
      {
        timers.set(
          key,
          setTimeout(() => {
            timers.delete(key);
            setEntries((prev) => {
              const next = new Map(prev);
              next.delete(key);
              return next;
            });
          }, finished ? LINGER_MS : SILENCE_MS),
        );
      }
    });
    return () => {
      off();
      for (const t of timers.values()) clearTimeout(t);
      timers.clear();
    };
  }, [client]);

  return [...entries.values()];
}
