/**
 * Brings one folder's headers in the store up to date with the server:
 * UIDVALIDITY check, then UID+FLAGS diff (new, gone, changed), then headers
 * of new mail newest first in batches so the list fills in while it runs.
 * (CONDSTORE/QRESYNC come with the full sync engine; see ARCHITECTURE.md.)
 */
import type { ImapFlow } from 'imapflow';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { fetchHeaders, fetchUidFlags } from '../imap/imap-headers.ts';
import type { MailStore } from '../store/mail-store.ts';

export interface FolderSyncProgress {
  phase: 'flags' | 'headers' | 'done';
  done: number;
  total: number | null;
}

export interface FolderSyncResult {
  total: number;
  added: number;
  removed: number;
  flags_changed: number;
  uidvalidity_reset: boolean;
}

export async function syncFolderHeaders(
  client: ImapFlow,
  store: MailStore,
  accountId: string,
  path: string,
  onProgress: (p: FolderSyncProgress) => void = () => {},
  signal?: AbortSignal,
): Promise<FolderSyncResult> {
  const lock = await client.getMailboxLock(path, { readOnly: true });
  try {
    const mailbox = client.mailbox;
    if (!mailbox) throw new PosternError('PROTOCOL', `The folder ${path} could not be opened.`);
    const folder = store.folder(accountId, path) ?? store.ensureFolder(accountId, {
      path, name: path.split(mailbox.delimiter || '/').at(-1) ?? path, delimiter: mailbox.delimiter || null,
      special_use: path.toUpperCase() === 'INBOX' ? 'inbox' : null,
    });
    const uidvalidity = Number(mailbox.uidValidity);
    const reset = store.resetFolderIfUidValidityChanged(folder, uidvalidity);

    onProgress({ phase: 'flags', done: 0, total: mailbox.exists });
    const server = await fetchUidFlags(client);
    signal?.throwIfAborted();
    const local = store.knownUids(folder.id);

    const removed = [...local.keys()].filter((uid) => !server.has(uid));
    const changed: { uid: number; flags: string[] }[] = [];
    const fresh: number[] = [];
    for (const [uid, flags] of server) {
      const known = local.get(uid);
      if (known === undefined) fresh.push(uid);
      else if (known !== JSON.stringify(flags)) changed.push({ uid, flags });
    }
    store.removeUids(folder.id, removed);
    store.updateFlagsByUid(folder.id, changed);

    // Newest first: higher UIDs arrived later.
    fresh.sort((a, b) => b - a);
    let done = 0;
    onProgress({ phase: 'headers', done, total: fresh.length });
    for (let i = 0; i < fresh.length; i += LIMITS.headerFetchBatch) {
      signal?.throwIfAborted();
      const batch = fresh.slice(i, i + LIMITS.headerFetchBatch);
      const headers = await fetchHeaders(client, batch);
      store.insertHeaders(folder.id, headers);
      done += batch.length;
      onProgress({ phase: 'headers', done, total: fresh.length });
    }
    store.setUidNext(folder.id, mailbox.uidNext ?? null);
    const counts = store.localCounts(folder.id);
    store.setServerCounts(folder.id, counts.total, counts.unread);
    onProgress({ phase: 'done', done: fresh.length, total: fresh.length });
    return { total: server.size, added: fresh.length, removed: removed.length, flags_changed: changed.length, uidvalidity_reset: reset };
  } finally {
    lock.release();
  }
}
