/**
 * Push from the engine: mail:changed says the store changed because the
 * server did (IDLE, or a periodic check). The app reloads counts and, when it
 * is the folder on screen, the list. Opening a folder asks the engine to keep
 * that folder current too (mail:watch.folder; INBOX always is).
 */
import { useEffect, useRef } from 'react';
import type { EventPayload } from '../../src-protocol/contract/index.ts';
import { useClient } from './client-context.tsx';

export type MailChange = EventPayload<'mail:changed'>;

export function useMailChanged(onChanged: (change: MailChange) => void): void {
  const client = useClient();
  const cb = useRef(onChanged);
  cb.current = onChanged;
  useEffect(() => client.on('mail:changed', (change) => cb.current(change)), [client]);
}

/** Asks the engine to watch the folder on screen; a refusal (POP3, offline) changes nothing shown. */
export function useWatchFolder(folder: { account_id: string; folder: string } | null): void {
  const client = useClient();
  const accountId = folder?.account_id ?? null;
  const path = folder?.folder ?? null;
  useEffect(() => {
    if (!accountId || !path) return;
    const ac = new AbortController();
    client.call('mail:watch.folder', { account_id: accountId, folder: path }, { signal: ac.signal }).catch(() => {
      // Push is a convenience: the list still syncs when opened and on Refresh.
    });
    return () => ac.abort();
  }, [client, accountId, path]);
}
