/**
 * Brings one folder's headers in the store up to date with the server.
 *
 * 1. UIDVALIDITY changed: the cache of that folder is discarded.
 * 2. QRESYNC, when the server has it and we synced before: the folder is
 *    opened with our UIDVALIDITY and mod-sequence, and the server says in
 *    the same exchange which messages vanished and whose flags changed; new
 *    UIDs come from our UIDNEXT. No UID SEARCH of the whole folder.
 * 3. CONDSTORE otherwise: nothing to do if HIGHESTMODSEQ, UIDNEXT and the
 *    count are unchanged (no FETCH at all); otherwise only flags changed
 *    since our mod-sequence, new UIDs from our UIDNEXT, and (when the count
 *    says so) one UID SEARCH to find expunges.
 * 4. Otherwise a full UID+FLAGS diff.
 * New headers are fetched newest first in batches, so the list fills in
 * while the sync runs. No command is sent inside a fetch loop.
 */
import type { ImapFlow } from 'imapflow';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { fetchFlagsChangedSince, fetchUidFlags, searchAllUids, searchUidsFrom, storedFlags, streamHeaders, type ServerHeader } from '../imap/imap-headers.ts';
import type { FolderRow, MailStore } from '../store/mail-store.ts';
import { openStoreSink, type StoreSink } from '../store/store-writer.ts';
import { InFlight } from '../common/in-flight.ts';

/** Opens where a folder's new header batches are written (tests watch the choice). */
export type OpenHeaderSink = (store: MailStore, count: number) => StoreSink;

export interface FolderSyncProgress {
  phase: 'checking' | 'flags' | 'headers' | 'done';
  done: number;
  total: number | null;
}

export interface FolderSyncResult {
  total: number;
  added: number;
  removed: number;
  flags_changed: number;
  uidvalidity_reset: boolean;
  /** 'unchanged': nothing changed; 'qresync' or 'condstore': incremental; 'full': UID+FLAGS diff. */
  mode: 'unchanged' | 'qresync' | 'condstore' | 'full';
  /** Ids of messages new to the store, newest first. */
  new_ids: number[];
}

interface Diff {
  fresh: number[];
  removed: number[];
  changed: { uid: number; flags: string[] }[];
  mode: FolderSyncResult['mode'];
}

/**
 * Where a folder's header batches go, with the writer thread started now,
 * before connecting, when this store has never synced the folder: a first
 * sync is the one that brings a whole folder, and the thread's start (50-110
 * ms from the app's bundle) then overlaps signing in and SELECT instead of
 * holding up the first batch. A folder that turns out small gets its sink
 * as before, and `release()` ends the unused thread.
 */
export function sinkStartedEarly(store: MailStore, accountId: string, path: string): { openSink: OpenHeaderSink; release: () => Promise<void> } {
  const open: OpenHeaderSink = (s, count) => openStoreSink(s, count, LIMITS.headerWriterThreadMin);
  const known = store.folder(accountId, path);
  if (known && known.uidnext !== null) return { openSink: open, release: async () => {} };
  const early = openStoreSink(store, Number.MAX_SAFE_INTEGER, LIMITS.headerWriterThreadMin);
  let taken = false;
  return {
    openSink: (s, count) => {
      if (taken || count < LIMITS.headerWriterThreadMin) return open(s, count);
      taken = true;
      return early;
    },
    release: async () => {
      if (taken) return;
      taken = true;
      await early.close();
    },
  };
}

export async function syncFolderHeaders(
  client: ImapFlow,
  store: MailStore,
  accountId: string,
  path: string,
  onProgress: (p: FolderSyncProgress) => void = () => {},
  signal?: AbortSignal,
  /** UIDs with an action not yet on the server: asked right before each write, so the local state wins. */
  pendingUids: () => Set<number> = () => new Set(),
  /** Where new header batches are written (tests watch the choice). */
  openSink: OpenHeaderSink = (s, count) => openStoreSink(s, count, LIMITS.headerWriterThreadMin),
): Promise<FolderSyncResult> {
  const known = store.folder(accountId, path);
  const resync = known ? qresyncFrom(client, known) : undefined;
  // What the server reports while the folder opens (QRESYNC): vanished UIDs and changed flags.
  const reported: QresyncReport = { vanished: new Set(), flags: new Map() };
  const onExpunge = (e: { path: string; uid?: number; vanished?: boolean }) => {
    if (e.path === path && e.vanished && e.uid !== undefined) reported.vanished.add(e.uid);
  };
  const onFlags = (e: { path: string; uid?: number; flags: Set<string> }) => {
    if (e.path === path && e.uid !== undefined) reported.flags.set(e.uid, storedFlags(e.flags));
  };
  if (resync) {
    client.on('expunge', onExpunge);
    client.on('flags', onFlags);
  }
  let lock;
  try {
    lock = await client.getMailboxLock(path, { readOnly: true, ...(resync ?? {}) });
  } finally {
    client.off('expunge', onExpunge);
    client.off('flags', onFlags);
  }
  try {
    const mailbox = client.mailbox;
    if (!mailbox) throw new PosternError('PROTOCOL', `The folder ${path} could not be opened.`);
    const folder = store.folder(accountId, path) ?? store.ensureFolder(accountId, {
      path, name: path.split(mailbox.delimiter || '/').at(-1) ?? path, delimiter: mailbox.delimiter || null,
      special_use: path.toUpperCase() === 'INBOX' ? 'inbox' : null,
    });
    const reset = store.resetFolderIfUidValidityChanged(folder, Number(mailbox.uidValidity));
    const current = store.folder(accountId, path) as FolderRow;
    onProgress({ phase: 'checking', done: 0, total: mailbox.exists });

    // Opened before the diff when the counts already say many messages are new: a writer
    // thread takes ~100 ms to start, which then passes while the diff and the first FETCH run.
    const expected = mailbox.exists - store.serverUidCount(current.id);
    let sink = expected > 0 ? openSink(store, expected) : null;
    let newIds: number[];
    let fresh: number[];
    let diff: Diff;
    try {
      diff = resync && !reset && (mailbox as { qresync?: boolean }).qresync === true
        ? await qresyncDiff(client, store, current, reported)
        : await diffWithServer(client, store, current, signal);
      // No await between asking and writing: an action added meanwhile cannot slip through.
      const pending = pendingUids();
      store.removeUids(current.id, diff.removed.filter((u) => !pending.has(u)));
      store.updateFlagsByUid(current.id, diff.changed.filter((c) => !pending.has(c.uid)));

      // Newest first: higher UIDs arrived later.
      fresh = [...diff.fresh].sort((a, b) => b - a);
      if (fresh.length > 0) sink ??= openSink(store, fresh.length);
      newIds = sink ? await fetchNewHeaders(client, store, current.id, fresh, onProgress, pendingUids, signal, sink) : [];
    } finally {
      // Whatever happened, no write is left running when this returns.
      await sink?.close();
    }
    const modseq = mailbox.highestModseq;
    store.setSyncState(current.id, { uidnext: mailbox.uidNext ?? null, highestmodseq: modseq === undefined ? null : String(modseq) });
    const counts = store.localCounts(current.id);
    store.setServerCounts(current.id, counts.total, counts.unread);
    onProgress({ phase: 'done', done: fresh.length, total: fresh.length });
    return {
      total: counts.total, added: fresh.length, removed: diff.removed.length, flags_changed: diff.changed.length,
      uidvalidity_reset: reset, mode: diff.mode, new_ids: newIds,
    };
  } finally {
    lock.release();
  }
}

/**
 * Fetches and stores new headers, newest first: the first FETCH asks for
 * the newest LIMITS.headerFetchBatch, each later one for up to
 * LIMITS.headerFetchCommand. Each is read as it arrives, and every
 * LIMITS.headerFetchBatch rows go to the writer (a thread of its own for a
 * large folder, see store-writer.ts) while the server sends the rest.
 * Progress counts written batches, so the list can show what the progress
 * says. The rows' conversations and contacts follow after the sync
 * (MailStore.linkPendingHeaders). Returns the ids of the new rows.
 */
async function fetchNewHeaders(
  client: ImapFlow, store: MailStore, folderId: number, fresh: number[],
  onProgress: (p: FolderSyncProgress) => void, pendingUids: () => Set<number>, signal: AbortSignal | undefined,
  sink: StoreSink,
): Promise<number[]> {
  if (fresh.length === 0) return [];
  const newIds: number[] = [];
  let done = 0;
  onProgress({ phase: 'headers', done, total: fresh.length });
  const writing = new InFlight();
  let batch: ServerHeader[] = [];
  const write = (): void => {
    if (batch.length === 0) return;
    const read = batch.length;
    // A message the person just moved away still shows here until the server has moved it.
    // The rows are new, so no action can name them between this check and their write.
    const leaving = pendingUids();
    // Newest first within the batch too (the server answers in UID order), so the ids come newest first.
    const rows = batch.filter((h) => !leaving.has(h.uid)).sort((a, b) => b.uid - a.uid);
    batch = [];
    writing.add(sink.insertHeaders(folderId, rows, { linkLater: true }).then((ids) => {
      newIds.push(...ids);
      done += read;
      onProgress({ phase: 'headers', done, total: fresh.length });
    }));
  };
  try {
    // The server answers a FETCH in UID order, oldest first, whatever order we ask in. The first
    // FETCH asks for one batch, the newest, so the top of the list is stored first; the later
    // ones are larger, and their rows come oldest first within each.
    for (let i = 0, size: number = LIMITS.headerFetchBatch; i < fresh.length; i += size, size = LIMITS.headerFetchCommand) {
      signal?.throwIfAborted();
      const late = new Map<number, string[]>();
      await streamHeaders(client, fresh.slice(i, i + size), (h, update) => {
        if (update) {
          late.set(h.uid, h.flags);
          return;
        }
        batch.push(h);
        if (batch.length >= LIMITS.headerFetchBatch) write();
      });
      write();
      if (late.size > 0) {
        // Flags another session changed while ours came: applied once the rows are stored (rare).
        await writing.all();
        const pending = pendingUids();
        store.updateFlagsByUid(folderId, [...late].filter(([uid]) => !pending.has(uid)).map(([uid, flags]) => ({ uid, flags })));
      }
      await writing.below(LIMITS.headerBatchesInFlight);
    }
    await writing.all();
  } finally {
    // Whatever happened, no write is left running when this returns (the caller closes the sink).
    await writing.settle();
  }
  return newIds;
}

async function diffWithServer(client: ImapFlow, store: MailStore, folder: FolderRow, signal?: AbortSignal): Promise<Diff> {
  const mailbox = client.mailbox;
  if (!mailbox) throw new PosternError('PROTOCOL', 'No folder is open.');
  const serverModseq = mailbox.highestModseq;
  const canIncrement = serverModseq !== undefined && folder.highestmodseq !== null && folder.uidnext !== null;

  if (canIncrement) {
    const knownModseq = BigInt(folder.highestmodseq as string);
    const uidnext = folder.uidnext as number;
    // Nothing changed: decided from a count, without loading every UID we hold.
    if (serverModseq === knownModseq && mailbox.uidNext === uidnext && mailbox.exists === store.serverUidCount(folder.id)) {
      return { fresh: [], removed: [], changed: [], mode: 'unchanged' };
    }
    const local = store.knownUids(folder.id);
    const changedFlags = serverModseq === knownModseq ? new Map<number, string[]>() : await fetchFlagsChangedSince(client, knownModseq);
    signal?.throwIfAborted();
    const fresh = mailbox.uidNext === uidnext ? [] : (await searchUidsFrom(client, uidnext)).filter((u) => !local.has(u));
    const changed: Diff['changed'] = [];
    for (const [uid, flags] of changedFlags) {
      const known = local.get(uid);
      if (known !== undefined && known !== JSON.stringify(flags)) changed.push({ uid, flags });
    }
    // The count tells whether anything we hold was expunged.
    let removed: number[] = [];
    if (local.size + fresh.length !== mailbox.exists) {
      const all = await searchAllUids(client);
      removed = [...local.keys()].filter((uid) => !all.has(uid));
    }
    return { fresh, removed, changed, mode: 'condstore' };
  }

  if (store.serverUidCount(folder.id) === 0) {
    // Nothing held yet: one UID SEARCH says what to fetch (the flags come with the headers),
    // instead of a FETCH of every UID and its flags.
    return { fresh: [...await searchAllUids(client)], removed: [], changed: [], mode: 'full' };
  }
  const server = await fetchUidFlags(client);
  signal?.throwIfAborted();
  const local = store.knownUids(folder.id);
  const removed = [...local.keys()].filter((uid) => !server.has(uid));
  const changed: Diff['changed'] = [];
  const fresh: number[] = [];
  for (const [uid, flags] of server) {
    const known = local.get(uid);
    if (known === undefined) fresh.push(uid);
    else if (known !== JSON.stringify(flags)) changed.push({ uid, flags });
  }
  return { fresh, removed, changed, mode: 'full' };
}

interface QresyncReport {
  vanished: Set<number>;
  flags: Map<number, string[]>;
}

/** The SELECT options that ask for QRESYNC, when the connection has it enabled and we hold a state to resume from. */
function qresyncFrom(client: ImapFlow, folder: FolderRow): { changedSince: bigint; uidValidity: bigint } | undefined {
  if (!client.enabled.has('QRESYNC') || folder.highestmodseq === null || folder.uidvalidity === null || folder.uidnext === null) return undefined;
  return { changedSince: BigInt(folder.highestmodseq), uidValidity: BigInt(folder.uidvalidity) };
}

/**
 * The changes the server reported as the folder opened (RFC 7162 3.2.5):
 * VANISHED (EARLIER) for expunges, FETCH for changed flags. New mail is what
 * lies at or above our UIDNEXT; its flags come with its headers.
 */
async function qresyncDiff(client: ImapFlow, store: MailStore, folder: FolderRow, reported: QresyncReport): Promise<Diff> {
  const mailbox = client.mailbox;
  if (!mailbox) throw new PosternError('PROTOCOL', 'No folder is open.');
  const uidnext = folder.uidnext as number;
  if (mailbox.uidNext === uidnext && reported.vanished.size === 0 && reported.flags.size === 0 && mailbox.exists === store.serverUidCount(folder.id)) {
    return { fresh: [], removed: [], changed: [], mode: 'unchanged' };
  }
  const local = store.knownUids(folder.id);
  const fresh = mailbox.uidNext === uidnext ? [] : (await searchUidsFrom(client, uidnext)).filter((u) => !local.has(u));
  let removed = [...reported.vanished].filter((uid) => local.has(uid));
  // The count must agree; if the server's report fell short, one UID SEARCH settles it.
  if (local.size - removed.length + fresh.length !== mailbox.exists) {
    const all = await searchAllUids(client);
    removed = [...local.keys()].filter((uid) => !all.has(uid));
  }
  const changed: Diff['changed'] = [];
  for (const [uid, flags] of reported.flags) {
    const held = local.get(uid);
    if (held !== undefined && held !== JSON.stringify(flags)) changed.push({ uid, flags });
  }
  return { fresh, removed, changed, mode: 'qresync' };
}
