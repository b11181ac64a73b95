/**
 * Puts a stored message's words into the local search index: its text body
 * (or the HTML's text when it has no plain part) and attachment names. The
 * words come from the index-only extractor (mime/index-text.ts), not the
 * display parser: indexing never needs the message model.
 */
import { LIMITS } from '../common/limits.ts';
import type { Logger } from '../common/log.ts';
import { extractIndexText, type IndexText } from '../mime/index-text.ts';
import type { MailStore } from '../store/mail-store.ts';
import type { BlobStore } from '../store/blob-store.ts';

export function htmlToIndexText(html: string): string {
  return html
    .replace(/<(script|style)[^>]*>[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&nbsp;/g, ' ').replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'")
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Copies a batch's byte bodies (views of its raw messages, see IndexBody)
 * back to back into one buffer of their own, so they outlive the memory the
 * messages were read into, and the store's writer can take that buffer
 * whole and free it once the batch is written (store-writer.ts
 * wordBuffers; a view posted alone would carry all of its buffer).
 */
export function packIndexBodies<T extends { body: string | Uint8Array }>(texts: T[]): T[] {
  let bytes = 0;
  for (const t of texts) if (typeof t.body !== 'string') bytes += t.body.length;
  const pack = Buffer.allocUnsafeSlow(bytes);
  let at = 0;
  return texts.map((t) => {
    if (typeof t.body === 'string') return t;
    pack.set(t.body, at);
    at += t.body.length;
    return { ...t, body: pack.subarray(at - t.body.length, at) };
  });
}

/** The message's words; one the extractor cannot read stays findable by its headers. */
export function indexTextOf(raw: Buffer): IndexText {
  try {
    return extractIndexText(raw);
  } catch {
    return { body: '', attachmentNames: [], hasAttachments: false };
  }
}

/**
 * Points a row at its stored copy (already durable) and indexes its words in
 * the same transaction: a crash cannot leave a stored message out of the
 * body index. A caller's outer transaction takes this one in.
 */
export function recordStoredMessage(store: MailStore, id: number, sha256: string, raw: Buffer): void {
  const text = indexTextOf(raw);
  store.transaction(() => {
    store.setBlob(id, sha256, text.hasAttachments);
    store.indexBody(id, text.body, text.attachmentNames);
  });
}

/**
 * Indexes stored messages that are not in the body index (an older version
 * could leave some so), a batch at a time, yielding between batches.
 * A message whose stored copy cannot be read is left for the next run.
 * Returns how many it indexed.
 */
export async function indexPending(store: MailStore, blobs: BlobStore, options: { signal?: AbortSignal; logger?: Logger } = {}): Promise<number> {
  let count = 0;
  let after = 0;
  for (;;) {
    const batch = store.messagesNotIndexed(after, LIMITS.bodyIndexRepairBatch);
    if (batch.length === 0) return count;
    const texts: { id: number; text: IndexText }[] = [];
    for (const m of batch) {
      options.signal?.throwIfAborted();
      after = m.id;
      try {
        texts.push({ id: m.id, text: indexTextOf(await blobs.get(m.blob_sha256)) });
      } catch (err) {
        options.logger?.warn('a stored message could not be read for the search index', { id: m.id, err });
      }
    }
    options.signal?.throwIfAborted();
    store.transaction(() => {
      for (const { id, text } of texts) {
        store.indexBody(id, text.body, text.attachmentNames);
        store.setHasAttachments(id, text.hasAttachments);
      }
    });
    count += texts.length;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}
