/**
 * Downloads the bodies of a folder's messages that are not stored yet, newest
 * first, so the account can be read and searched offline. Each body is
 * written durably (blob store: fsync + rename) before the database says we
 * have it; parsing for the index happens after each FETCH batch, never
 * inside the fetch loop.
 */
import type { ImapFlow } from 'imapflow';
import { LIMITS } from '../common/limits.ts';
import type { MailStore } from '../store/mail-store.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { indexStoredMessage } from './body-index.ts';

export interface PrefetchProgress {
  done: number;
  total: number;
  bytes: number;
}

export async function prefetchBodies(
  client: ImapFlow,
  store: MailStore,
  blobs: BlobStore,
  folderId: number,
  path: string,
  options: { sinceMs: number | null; onProgress?: (p: PrefetchProgress) => void; signal?: AbortSignal },
): Promise<PrefetchProgress> {
  const missing = store.messagesWithoutBody(folderId, options.sinceMs, Number.MAX_SAFE_INTEGER);
  const progress: PrefetchProgress = { done: 0, total: missing.length, bytes: 0 };
  if (missing.length === 0) return progress;
  const idByUid = new Map(missing.map((m) => [m.uid, m.id]));
  const lock = await client.getMailboxLock(path, { readOnly: true });
  try {
    for (const batch of batches(missing)) {
      options.signal?.throwIfAborted();
      const uids = batch.map((m) => m.uid);
      const fetched: { id: number; raw: Buffer }[] = [];
      for await (const msg of client.fetch(uids.join(','), { uid: true, source: true }, { uid: true })) {
        const id = idByUid.get(msg.uid);
        if (id === undefined || !msg.source) continue;
        fetched.push({ id, raw: msg.source });
      }
      // The batch's files are written and fsynced side by side (fsync is the
      // slow part, and the disk can do several at once); each row points at
      // its file only once that file is durable.
      const shas = await Promise.all(fetched.map(({ raw }) => blobs.put(raw)));
      store.transaction(() => fetched.forEach(({ id }, i) => store.setBlob(id, shas[i] as string)));
      for (const { id, raw } of fetched) {
        await indexStoredMessage(store, raw, id, store.message(id)?.date_ms ?? null);
        progress.done++;
        progress.bytes += raw.length;
      }
      options.onProgress?.({ ...progress });
    }
  } finally {
    lock.release();
  }
  return progress;
}

/** Splits by count and by advertised size, so one batch never holds too much in memory. */
function* batches<T extends { size: number }>(items: T[]): Generator<T[]> {
  let batch: T[] = [];
  let bytes = 0;
  for (const item of items) {
    if (batch.length > 0 && (batch.length >= LIMITS.bodyFetchBatch || bytes + item.size > LIMITS.bodyFetchBatchBytes)) {
      yield batch;
      batch = [];
      bytes = 0;
    }
    batch.push(item);
    bytes += item.size;
  }
  if (batch.length) yield batch;
}
