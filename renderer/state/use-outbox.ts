/**
 * The outbox: what waits to be sent (undo window, send later, server not
 * reachable) or was refused, per account. Loaded once, then kept current by
 * mail:outbox events; retry and cancel go to the engine.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { CallOutput, OutboxItem } from '../../src-protocol/contract/index.ts';
import { useClient } from './client-context.tsx';

/** States that keep a message in the Outbox view (sent and cancelled ones leave it). */
const WAITING: ReadonlySet<OutboxItem['state']> = new Set(['queued', 'sending', 'submitted', 'failed']);

export type CancelledDraft = CallOutput<'mail:outbox.cancel'>['draft'];

export interface OutboxState {
  /** Waiting or failed messages, oldest first, by account. */
  byAccount: ReadonlyMap<string, ReadonlyArray<OutboxItem>>;
  /** Listens to every change of outgoing messages (sent, failed, waiting with an error). */
  subscribe: (fn: (item: OutboxItem) => void) => () => void;
  /** Sends now; rejects with the IpcError. */
  retry: (id: number) => Promise<void>;
  /** Takes the message back; resolves with what goes back into the composer. Rejects with the IpcError. */
  cancel: (id: number) => Promise<CancelledDraft>;
}

export function useOutbox(): OutboxState {
  const client = useClient();
  const [items, setItems] = useState<ReadonlyMap<number, OutboxItem>>(new Map());
  const listeners = useRef(new Set<(item: OutboxItem) => void>());

  const apply = useCallback((item: OutboxItem) => {
    setItems((prev) => {
      const next = new Map(prev);
      if (WAITING.has(item.state)) next.set(item.id, item);
      else next.delete(item.id);
      return next;
    });
  }, []);

  useEffect(() => {
    const ac = new AbortController();
    const off = client.on('mail:outbox', (item) => {
      apply(item);
      for (const fn of listeners.current) fn(item);
    });
    client.call('mail:outbox.list', { include_sent: false }, { signal: ac.signal }).then(
      (list) => {
        if (ac.signal.aborted) return;
        // Events that arrived meanwhile are newer than the list; keep them.
        setItems((prev) => {
          const next = new Map(list.filter((i) => WAITING.has(i.state)).map((i) => [i.id, i]));
          for (const [id, item] of prev) {
            if (WAITING.has(item.state)) next.set(id, item);
          }
          return next;
        });
      },
      () => {
        // No outbox shown until the next event; sending itself still reports.
      },
    );
    return () => {
      ac.abort();
      off();
    };
  }, [client, apply]);

  const byAccount = useMemo(() => {
    const map = new Map<string, OutboxItem[]>();
    for (const item of [...items.values()].sort((a, b) => a.id - b.id)) {
      const list = map.get(item.account_id) ?? [];
      list.push(item);
      map.set(item.account_id, list);
    }
    return map;
  }, [items]);

  const subscribe = useCallback((fn: (item: OutboxItem) => void) => {
    listeners.current.add(fn);
    return () => {
      listeners.current.delete(fn);
    };
  }, []);

  const retry = useCallback(
    async (id: number) => {
      await client.call('mail:outbox.retry', { id });
    },
    [client],
  );

  const cancel = useCallback(
    async (id: number) => {
      const r = await client.call('mail:outbox.cancel', { id });
      setItems((prev) => {
        const next = new Map(prev);
        next.delete(id);
        return next;
      });
      return r.draft;
    },
    [client],
  );

  return { byAccount, subscribe, retry, cancel };
}
