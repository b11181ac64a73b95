/**
 * Syncs a whole account over one connection: the folder list, then each
 * folder's headers (INBOX first), then — when asked — the bodies, newest
 * first, so that everything can be read and searched offline.
 */
import type { ImapFlow } from 'imapflow';
import { listServerFolders, type ServerFolder } from '../imap/imap-folders.ts';
import type { FolderRow, MailStore } from '../store/mail-store.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { sinkStartedEarly, syncFolderHeaders, type FolderSyncResult, type OpenHeaderSink } from './folder-sync.ts';
import { prefetchBodies } from './body-prefetch.ts';

export interface AccountSyncOptions {
  /** Every selectable folder, or only INBOX. */
  allFolders: boolean;
  bodies: boolean;
  /** Prefetch only mail newer than this (null: all). */
  bodiesSinceMs: number | null;
  signal?: AbortSignal;
  /** UIDs of a folder with actions not yet on the server (see syncFolderHeaders). */
  pendingUids?: (folder: string) => Set<number>;
  onProgress?: (p: { folder: string | null; phase: string; done: number; total: number | null }) => void;
}

export interface AccountSyncResult {
  folders: (FolderSyncResult & { folder: string })[];
  bodies_downloaded: number;
  bytes_downloaded: number;
}

export async function syncAccount(client: ImapFlow, store: MailStore, blobs: BlobStore, accountId: string, options: AccountSyncOptions): Promise<AccountSyncResult> {
  const report = options.onProgress ?? (() => {});
  report({ folder: null, phase: 'folders', done: 0, total: null });
  // INBOX comes first; never synced, its writer thread starts while the folders are listed.
  const inboxSink = sinkStartedEarly(store, accountId, 'INBOX');
  try {
    return await syncFolders(client, store, blobs, accountId, options, report, inboxSink.openSink);
  } finally {
    await inboxSink.release();
  }
}

async function syncFolders(
  client: ImapFlow, store: MailStore, blobs: BlobStore, accountId: string, options: AccountSyncOptions,
  report: NonNullable<AccountSyncOptions['onProgress']>, inboxSink: OpenHeaderSink,
): Promise<AccountSyncResult> {
  const serverFolders = await listServerFolders(client);
  store.replaceFolders(accountId, serverFolders);
  const paths = serverFolders
    .map((f) => f.path)
    .filter((p) => options.allFolders || p.toUpperCase() === 'INBOX')
    .sort((a, b) => (a.toUpperCase() === 'INBOX' ? -1 : b.toUpperCase() === 'INBOX' ? 1 : a.localeCompare(b)));

  const byPath = new Map(serverFolders.map((f) => [f.path, f]));
  const folders: AccountSyncResult['folders'] = [];
  for (const [i, path] of paths.entries()) {
    options.signal?.throwIfAborted();
    report({ folder: path, phase: 'folders', done: i, total: paths.length });
    // STATUS (from the LIST above) says nothing changed: no SELECT, no FETCH.
    const stored = store.folder(accountId, path);
    const status = byPath.get(path);
    if (stored && status && unchanged(stored, status, store.localCounts(stored.id).total)) {
      folders.push({ folder: path, total: status.total, added: 0, removed: 0, flags_changed: 0, uidvalidity_reset: false, mode: 'unchanged', new_ids: [] });
      continue;
    }
    const r = await syncFolderHeaders(client, store, accountId, path, (p) => report({ folder: path, phase: p.phase, done: p.done, total: p.total }), options.signal,
      () => options.pendingUids?.(path) ?? new Set(), path.toUpperCase() === 'INBOX' ? inboxSink : undefined);
    folders.push({ ...r, folder: path });
  }
  let bodies = 0;
  let bytes = 0;
  if (options.bodies) {
    for (const path of paths) {
      const folder = store.folder(accountId, path);
      if (!folder) continue;
      const p = await prefetchBodies(client, store, blobs, folder.id, path, {
        sinceMs: options.bodiesSinceMs,
        onProgress: (x) => report({ folder: path, phase: 'bodies', done: x.done, total: x.total }),
        ...(options.signal ? { signal: options.signal } : {}),
      });
      bodies += p.done;
      bytes += p.bytes;
    }
  }
  return { folders, bodies_downloaded: bodies, bytes_downloaded: bytes };
}

function unchanged(stored: FolderRow, status: ServerFolder, localTotal: number): boolean {
  return stored.highestmodseq !== null && status.highestmodseq !== null && stored.highestmodseq === status.highestmodseq
    && stored.uidnext !== null && stored.uidnext === status.uidnext && stored.uidvalidity === status.uidvalidity
    && localTotal === status.total;
}
