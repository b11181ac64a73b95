/**
 * Downloads the bodies of a folder's messages that are not stored yet, newest
 * first, so the account can be read and searched offline.
 *
 * A pipeline of two stages: while batch N+1 is being fetched, batch N is
 * written durably (blob store: fsync + rename + fsync of the folder), its
 * words are extracted for the index, and one transaction records the files
 * and the index rows. A row points at its file only once that file is
 * durable; at most two batches are in memory. No command is sent inside a
 * fetch loop: the next FETCH starts only when the previous one has ended.
 */
import type { ImapFlow } from 'imapflow';
import { LIMITS } from '../common/limits.ts';
import type { MailStore } from '../store/mail-store.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { indexTextOf } from './body-index.ts';
import { uidSet } from '../imap/imap-headers.ts';
import { GarbageReleaser } from '../common/garbage.ts';

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
  const garbage = new GarbageReleaser(LIMITS.bodyGarbageBytes);

  const storeBatch = async (fetched: { id: number; raw: Buffer }[]): Promise<void> => {
    // The files are written by the thread pool while this thread extracts the words.
    const durable = blobs.putMany(fetched.map((f) => f.raw));
    durable.catch(() => {});
    // The loop sends the next FETCH first (this yields to it): the server
    // reads and sends the next batch while this thread extracts the words.
    await new Promise<void>((resolve) => setImmediate(resolve));
    const words = fetched.map((f) => indexTextOf(f.raw));
    const shas = await durable;
    store.storeBodies(fetched.map((f, i) => ({ id: f.id, sha256: shas[i] as string, index: words[i] ?? null })));
    for (const f of fetched) {
      progress.done++;
      progress.bytes += f.raw.length;
      garbage.released(f.raw.length);
    }
    options.onProgress?.({ ...progress });
  };

  const lock = await client.getMailboxLock(path, { readOnly: true });
  let storing: Promise<void> | null = null;
  try {
    for (const batch of batches(missing)) {
      options.signal?.throwIfAborted();
      const fetched: { id: number; raw: Buffer }[] = [];
      for await (const msg of client.fetch(uidSet(batch.map((m) => m.uid)), { uid: true, source: true }, { uid: true })) {
        const id = idByUid.get(msg.uid);
        if (id === undefined || !msg.source) continue;
        fetched.push({ id, raw: msg.source });
      }
      // The previous batch must be stored before this one starts: one write stage at a time.
      if (storing) await storing;
      storing = storeBatch(fetched);
      // Its failure is seen by the await above or below; until then it must not count as unhandled.
      storing.catch(() => {});
    }
    if (storing) await storing;
  } finally {
    // Whatever happened, no write is left running when this returns.
    if (storing) await storing.catch(() => {});
    lock.release();
    garbage.finish();
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
