/**
 * Puts a stored message's words into the local search index: its text body
 * (or the HTML's text when it has no plain part) and attachment names.
 */
import { parseMessage } from '../mime/parse.ts';
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

export async function indexStoredMessage(store: MailStore, raw: Buffer, id: number, fallbackDateMs: number | null): Promise<void> {
  try {
    const model = await parseMessage(raw, fallbackDateMs === null ? {} : { fallbackDate: new Date(fallbackDateMs) });
    const body = model.text ?? (model.html_rendered ? htmlToIndexText(model.html_rendered) : '');
    store.indexBody(id, body, model.attachments.map((a) => a.filename ?? a.save_as));
    store.setHasAttachments(id, model.attachments.length > 0);
  } catch {
    // A message the parser refuses stays findable by its headers.
    store.indexBody(id, '', []);
  }
}

/** Indexes stored messages that missed the index (a crash between store and index). */
export async function indexPending(store: MailStore, blobs: BlobStore, signal?: AbortSignal): Promise<number> {
  let count = 0;
  for (;;) {
    const batch = store.messagesNotIndexed(200);
    if (batch.length === 0) return count;
    for (const m of batch) {
      signal?.throwIfAborted();
      await indexStoredMessage(store, await blobs.get(m.blob_sha256), m.id, m.date_ms);
      count++;
    }
  }
}
