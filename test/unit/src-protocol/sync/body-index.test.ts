import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexPending, packIndexBodies } from '../../../../src-protocol/sync/body-index.ts';
import { BlobStore } from '../../../../src-protocol/store/blob-store.ts';
import type { MailStore } from '../../../../src-protocol/store/mail-store.ts';
import { useTempStore } from '../../../helpers/temp-store.ts';

let store: MailStore;
useTempStore('postern-body-index-', (s) => {
  store = s;
});

const raw = (subject: string, text: string) => Buffer.from(`From: a@example.test\r\nSubject: ${subject}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n${text}\r\n`);

describe('packIndexBodies', () => {
  it('copies byte bodies into one buffer of their own, so the memory they were read from can be used again', () => {
    const slab = Buffer.from('first words|second words|third');
    const texts = [
      { body: slab.subarray(0, 11), attachmentNames: [] },
      { body: 'a decoded string', attachmentNames: ['a.pdf'] },
      { body: slab.subarray(12, 24), attachmentNames: [] },
      { body: new Uint8Array(0), attachmentNames: [] },
    ];
    const packed = packIndexBodies(texts);
    slab.fill(0x78);
    const text = (b: string | Uint8Array) => (typeof b === 'string' ? b : Buffer.from(b).toString('utf8'));
    expect(packed.map((t) => text(t.body))).toEqual(['first words', 'a decoded string', 'second words', '']);
    expect(packed[1]).toBe(texts[1]);
    // One buffer, exactly the words: a batch posted to the writer thread carries no more than that.
    const first = packed[0]?.body as Uint8Array;
    const third = packed[2]?.body as Uint8Array;
    expect(first.buffer).toBe(third.buffer);
    expect(first.buffer.byteLength).toBe(23);
  });
});

describe('indexPending', () => {
  it('gives stored messages that missed the body index their words; one that cannot be read is skipped, not looped on', async () => {
    const blobs = new BlobStore(join(dirname(store.db.location() as string), 'messages'), store);
    const folder = store.ensureFolder('work', { path: 'Sent', name: 'Sent', delimiter: '/', special_use: 'sent' });
    const head = (uid: number, subject: string) => ({ uid, subject, from: [], date_ms: Date.UTC(2025, 0, uid), flags: [], size: 10, has_attachments: false, message_id: null });
    const [a, b, c] = store.insertHeaders(folder.id, [head(1, 'Itinerary'), head(2, 'Packing'), head(3, 'Lost')]) as [number, number, number];
    // As an older version left them: stored, but only the headers in the index.
    store.setBlob(a, await blobs.put(raw('Itinerary', 'Ferry to the island of quokkas')));
    store.setBlob(b, await blobs.put(raw('Packing', 'Bring a numbat guidebook')));
    store.setBlob(c, 'ee'.repeat(32)); // its file is gone
    store.indexPendingHeaders(100);
    expect(store.search('quokkas', { limit: 10 })).toEqual([]);

    expect(await indexPending(store, blobs)).toBe(2);
    expect(store.search('quokkas', { limit: 10 }).map((m) => m.id)).toEqual([a]);
    expect(store.search('numbat', { limit: 10 }).map((m) => m.id)).toEqual([b]);
    expect(await indexPending(store, blobs)).toBe(0);

    const stop = new AbortController();
    stop.abort();
    store.db.prepare('UPDATE messages SET indexed = 0 WHERE id = ?').run(a);
    await expect(indexPending(store, blobs, { signal: stop.signal })).rejects.toThrow();
  });
});
