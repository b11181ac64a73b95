/**
 * Downloads the bodies of a folder's messages that are not stored yet, newest
 * first, so the account can be read and searched offline.
 *
 * A pipeline of three stages: while batch N+2 is being fetched, batch N+1 is
 * written durably (blob store: one pack file for the batch, fsynced, renamed,
 * its folder fsynced) and its words are extracted for the index, and batch N
 * is recorded: one transaction points the rows at their bytes (recording
 * where packed ones are) and puts the words in the search index. For a
 * large folder that last stage, the costliest, runs on a writer thread
 * (store/store-writer.ts), on the other core. Up to
 * LIMITS.bodyBatchesPreparing batches are in the middle stage, so a batch
 * waiting for its fsync does not hold up the next one's words. A row points
 * at its bytes only once they are durable; the raw bytes of the batch being
 * fetched and of those being prepared are in memory, the words of at most
 * LIMITS.bodyBatchesInFlight. Those raw bytes are copies in slabs used again
 * batch after batch (common/slabs.ts), so that they do not pile up in malloc
 * until a full GC.
 * No command is sent inside a fetch loop: the next FETCH starts only when
 * the previous one has ended.
 */
import type { ImapFlow } from 'imapflow';
import { LIMITS } from '../common/limits.ts';
import type { MailStore, StoredBody } from '../store/mail-store.ts';
import type { BlobStore, PutResult } from '../store/blob-store.ts';
import { openStoreSink, type StoreSink } from '../store/store-writer.ts';
import { indexTextOf, packIndexBodies } from './body-index.ts';
import { uidSet } from '../imap/imap-headers.ts';
import { GarbageReleaser } from '../common/garbage.ts';
import { InFlight } from '../common/in-flight.ts';
import { SlabFill, SlabPool, detach, ownsItsBuffer } from '../common/slabs.ts';

export interface PrefetchProgress {
  done: number;
  total: number;
  bytes: number;
}

/** Opens where a folder's body batches are recorded (tests watch the choice). */
export type OpenBodySink = (store: MailStore, count: number) => StoreSink;

export async function prefetchBodies(
  client: ImapFlow,
  store: MailStore,
  blobs: BlobStore,
  folderId: number,
  path: string,
  options: { sinceMs: number | null; onProgress?: (p: PrefetchProgress) => void; signal?: AbortSignal; openSink?: OpenBodySink },
): Promise<PrefetchProgress> {
  const missing = store.messagesWithoutBody(folderId, options.sinceMs, Number.MAX_SAFE_INTEGER);
  const progress: PrefetchProgress = { done: 0, total: missing.length, bytes: 0 };
  if (missing.length === 0) return progress;
  const idByUid = new Map(missing.map((m) => [m.uid, m.id]));
  const garbage = new GarbageReleaser(LIMITS.bodyGarbageBytes);
  const openSink = options.openSink ?? ((s, count) => openStoreSink(s, count, LIMITS.bodyWriterThreadMin));

  /** Makes the batch's files durable and extracts its words; resolves with the batch ready to record. */
  const prepareBatch = async (fetched: { id: number; raw: Buffer }[]): Promise<{ bodies: StoredBody[]; bytes: number }> => {
    // The files are written by the thread pool while this thread extracts the words.
    const durable = blobs.putMany(fetched.map((f) => f.raw));
    durable.catch(() => {});
    // The loop sends the next FETCH first (this yields to it): the server
    // reads and sends the next batch while this thread extracts the words.
    await new Promise<void>((resolve) => setImmediate(resolve));
    // The words' bytes are views of the slab until packed into a buffer of their own.
    const words = packIndexBodies(fetched.map((f) => indexTextOf(f.raw)));
    const stored = await durable;
    let bytes = 0;
    for (const f of fetched) bytes += f.raw.length;
    garbage.released(bytes);
    return { bodies: fetched.map((f, i) => ({ ...(stored[i] as PutResult), id: f.id, index: words[i] ?? null })), bytes };
  };

  const sink = openSink(store, missing.length);
  let lock: { release(): void };
  try {
    lock = await client.getMailboxLock(path, { readOnly: true });
  } catch (err) {
    await sink.close();
    throw err;
  }
  /** Batches whose files are being made durable and words read, oldest first. */
  const preparing = new InFlight();
  /** Batches handed to the sink, oldest first. */
  const recording = new InFlight();
  /** One slab for the batch being fetched, one for each batch being prepared. */
  const slabs = new SlabPool(LIMITS.bodyBatchesPreparing + 1, LIMITS.bodySlabKeepBytes);
  try {
    for (const batch of batches(missing)) {
      options.signal?.throwIfAborted();
      const fetched: { id: number; raw: Buffer }[] = [];
      // Messages too big to pack keep their own buffer (and get a file of their own).
      const small = batch.reduce((n, m) => n + (m.size <= LIMITS.readWholeMessageBytes ? m.size : 0), 0);
      const slab = small > 0 ? slabs.take(small) : null;
      const fill = slab ? new SlabFill(slab) : null;
      for await (const msg of client.fetch(uidSet(batch.map((m) => m.uid)), { uid: true, source: true }, { uid: true })) {
        const id = idByUid.get(msg.uid);
        if (id === undefined || !msg.source) continue;
        const raw = fill && msg.source.length <= LIMITS.readWholeMessageBytes ? fill.hold(msg.source) : msg.source;
        fetched.push({ id, raw });
        // Copied: imapflow's buffer (its own, made for this message) is freed now, not at the next GC.
        if (raw !== msg.source && ownsItsBuffer(msg.source)) detach(msg.source.buffer as ArrayBuffer);
      }
      // While the oldest batch waits for its fsync, this one's words are read.
      await preparing.below(LIMITS.bodyBatchesPreparing);
      await recording.below(LIMITS.bodyBatchesInFlight);
      preparing.add(prepareBatch(fetched).then(({ bodies, bytes }) => {
        // The batch is durable and its words are read: nothing holds a view of the slab now.
        // (A batch that failed keeps its slab: a write may still be reading from it.)
        if (slab) slabs.give(slab);
        const recorded = sink.storeBodies(bodies).then(() => {
          // Progress counts what is recorded: a body it counts can be opened and found.
          progress.done += bodies.length;
          progress.bytes += bytes;
          options.onProgress?.({ ...progress });
        });
        recording.add(recorded);
      }));
    }
    await preparing.all();
    await recording.all();
  } finally {
    // Whatever happened, no write is left running when this returns.
    await preparing.settle();
    await recording.settle();
    await sink.close();
    lock.release();
    slabs.clear();
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
