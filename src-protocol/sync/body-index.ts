/**
 * Puts a stored message's words into the local search index: its text body
 * (or the HTML's text when it has no plain part) and attachment names. The
 * words come from the index-only extractor (mime/index-text.ts), not the
 * display parser: indexing never needs the message model.
 */
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

export async function indexStoredMessage(store: MailStore, raw: Buffer, id: number, _fallbackDateMs: number | null): Promise<void> {
  const text = indexTextOf(raw);
  store.transaction(() => {
    store.indexBody(id, text.body, text.attachmentNames);
    store.setHasAttachments(id, text.hasAttachments);
  });
}

/** Indexes stored messages that missed the index (a crash between store and index). */
export async function indexPending(store: MailStore, blobs: BlobStore, signal?: AbortSignal): Promise<number> {
  let count = 0;
  for (;;) {
    const batch = store.messagesNotIndexed(200);
    if (batch.length === 0) return count;
    const texts: { id: number; text: IndexText }[] = [];
    for (const m of batch) {
      signal?.throwIfAborted();
      texts.push({ id: m.id, text: indexTextOf(await blobs.get(m.blob_sha256)) });
    }
    store.transaction(() => {
      for (const { id, text } of texts) {
        store.indexBody(id, text.body, text.attachmentNames);
        store.setHasAttachments(id, text.hasAttachments);
      }
    });
    count += texts.length;
  }
}
