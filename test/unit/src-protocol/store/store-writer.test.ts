// The store writer thread against real SQLite on disk: it writes what
// the engine's own connection then reads (rows, search index, threads,
// stored bodies),
// answers in order with the new rows' ids, reports a refused batch without
// losing the next, and writes nothing after close. A batch's words as bytes
// move to the thread and are freed once written; a buffer with other bytes
// in it (Node's pool, a slab) is never taken from its owner.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../../../src-protocol/store/database.ts';
import { MailStore, type HeaderInput, type StoredBody } from '../../../../src-protocol/store/mail-store.ts';
import { storeWriterEntry, openStoreSink, wordBuffers } from '../../../../src-protocol/store/store-writer.ts';
import { packIndexBodies } from '../../../../src-protocol/sync/body-index.ts';

let dir: string;
let store: MailStore;
let folderId: number;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-store-writer-'));
  store = new MailStore(openDatabase(join(dir, 'mail.sqlite')));
  folderId = store.ensureFolder('acct', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id;
});

afterEach(async () => {
  if (store.db.isOpen) store.db.close();
  await rm(dir, { recursive: true, force: true });
});

function header(uid: number, over: Partial<HeaderInput> = {}): HeaderInput {
  return {
    uid, subject: `Message ${uid} about zebras`, from: [{ name: `Sender ${uid % 3}`, address: `s${uid % 3}@example.test` }],
    date_ms: Date.UTC(2024, 0, 1) + uid * 60_000, flags: uid % 2 ? ['\\Seen'] : [], size: 100 + uid, has_attachments: false,
    message_id: `<m${uid}@example.test>`, refs: uid > 1 ? [`<m${uid - 1}@example.test>`] : [], ...over,
  };
}

const uids = (from: number, to: number): number[] => Array.from({ length: from - to + 1 }, (_, i) => from - i);

describe('the store writer, header batches', () => {
  it('writes on its own thread what this connection then reads', async () => {
    const sink = openStoreSink(store, 3000, 2000);
    expect(sink.kind).toBe('thread');
    const first = sink.insertHeaders(folderId, uids(300, 201).map((u) => header(u)));
    const second = sink.insertHeaders(folderId, uids(200, 1).map((u) => header(u)));
    const [a, b] = await Promise.all([first, second]);
    await sink.close();
    expect(a).toHaveLength(100);
    expect(b).toHaveLength(200);
    // Ids in the batch's order, the next batch's after them.
    expect(store.idsForUids(folderId, uids(300, 1))).toEqual([...a, ...b]);
    expect(store.localCounts(folderId)).toMatchObject({ total: 300, unread: 150 });
    expect(store.search('zebras', { limit: 1000 }).length).toBe(300);
    // Threads joined across the two batches: each message refers to the one before it.
    const threads = new Set(store.db.prepare('SELECT thread_id FROM messages').all().map((r) => (r as { thread_id: number }).thread_id));
    expect(threads.size).toBe(1);
  });

  it('gives only new rows ids; a row held already keeps its id and takes the new flags', async () => {
    const [held] = store.insertHeaders(folderId, [header(5)]);
    const sink = openStoreSink(store, 3000, 2000);
    const ids = await sink.insertHeaders(folderId, [header(6), header(5, { flags: ['\\Flagged'] })]);
    await sink.close();
    expect(ids).toHaveLength(1);
    expect(ids).not.toContain(held);
    expect(JSON.parse(store.message(held as number)?.flags_json ?? '[]')).toEqual(['\\Flagged']);
  });

  it('reports a refused batch and goes on with the next', async () => {
    const sink = openStoreSink(store, 3000, 2000);
    const refused = sink.insertHeaders(folderId + 99, [header(1)]);
    const next = sink.insertHeaders(folderId, [header(2)]);
    await expect(refused).rejects.toMatchObject({ code: 'STORAGE' });
    expect(await next).toHaveLength(1);
    await sink.close();
    expect(store.localCounts(folderId).total).toBe(1);
  });

  it('finishes the writes asked for before close, and refuses writes after it', async () => {
    const sink = openStoreSink(store, 3000, 2000);
    const pending = sink.insertHeaders(folderId, uids(500, 1).map((u) => header(u)));
    await sink.close();
    expect(await pending).toHaveLength(500);
    await expect(sink.insertHeaders(folderId, [header(501)])).rejects.toMatchObject({ code: 'STORAGE' });
    expect(store.localCounts(folderId).total).toBe(500);
  });

  it('writes inline for a small folder or a database in memory', async () => {
    expect(openStoreSink(store, 1999, 2000).kind).toBe('inline');
    const memory = new MailStore(openDatabase(':memory:'));
    const id = memory.ensureFolder('acct', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id;
    const sink = openStoreSink(memory, 10_000, 2000);
    expect(sink.kind).toBe('inline');
    expect(await sink.insertHeaders(id, [header(1)])).toHaveLength(1);
    memory.db.close();
  });

  it('starts the compiled worker beside a bundle and the source beside a source module', () => {
    expect(storeWriterEntry('file:///app/dist/electron/engine-worker.cjs').href).toBe('file:///app/dist/electron/store-writer-worker.cjs');
    expect(storeWriterEntry('file:///src/store/store-writer.ts').href).toBe('file:///src/store/store-writer-worker.ts');
  });
});

describe('the store writer, body batches', () => {
  it('points rows at their files, records packed ones and indexes their words, in order with header batches', async () => {
    const sink = openStoreSink(store, 3000, 2000);
    const ids = await sink.insertHeaders(folderId, uids(3, 1).map((u) => header(u)));
    const recorded = sink.storeBodies(ids.map((id, i) => ({
      id, sha256: String(i).repeat(64), packed: i === 1 ? { pack: `${'d'.repeat(24)}.pack`, offset: 100, length: 50 } : null, index: { body: `platypus number ${i}`, attachmentNames: ['plan.pdf'], hasAttachments: i === 0 },
    })));
    await recorded;
    await sink.close();
    expect(store.messagesWithoutBody(folderId, null, 10)).toEqual([]);
    expect(store.messagesNotIndexed(0, 10)).toEqual([]);
    expect(store.search('platypus', { limit: 10 }).map((m) => m.id).sort()).toEqual([...ids].sort());
    expect(store.search('plan.pdf', { limit: 10 })).toHaveLength(3);
    expect(store.message(ids[0] as number)).toMatchObject({ blob_sha256: '0'.repeat(64), has_attachments: 1 });
    expect(store.packedAt('1'.repeat(64))).toEqual({ pack: `${'d'.repeat(24)}.pack`, offset: 100, length: 50 });
    expect(store.packedAt('0'.repeat(64))).toBeNull();
  });
});

describe('the store writer, words as bytes', () => {
  /** Three rows, two with words packed as the body download packs them, one with a string. */
  function batch(): { bodies: StoredBody[]; pack: Uint8Array } {
    const ids = store.insertHeaders(folderId, uids(3, 1).map((u) => header(u)));
    const slab = Buffer.from('ocelot tundra|wombat savanna');
    const words = packIndexBodies([
      { body: slab.subarray(0, 13), attachmentNames: [], hasAttachments: false },
      { body: slab.subarray(14), attachmentNames: [], hasAttachments: false },
      { body: 'narwhal fjord', attachmentNames: [], hasAttachments: false },
    ]);
    const bodies = ids.map((id, i) => ({ id, sha256: String(i).repeat(64), packed: null, index: words[i] ?? null }));
    return { bodies, pack: words[0]?.body as Uint8Array };
  }
  const found = (q: string) => store.search(q, { limit: 10 }).map((m) => m.subject);

  it('the thread takes the packed words (this side\'s views go empty) and indexes them', async () => {
    const { bodies, pack } = batch();
    const sink = openStoreSink(store, 3000, 2000);
    expect(sink.kind).toBe('thread');
    try {
      await sink.storeBodies(bodies);
    } finally {
      await sink.close();
    }
    expect(pack.byteLength).toBe(0);
    expect(found('ocelot')).toEqual(['Message 3 about zebras']);
    expect(found('savanna')).toEqual(['Message 2 about zebras']);
    expect(found('narwhal')).toEqual(['Message 1 about zebras']);
  });

  it('inline, the packed words are freed once written', async () => {
    const { bodies, pack } = batch();
    const sink = openStoreSink(store, 10, 2000);
    expect(sink.kind).toBe('inline');
    await sink.storeBodies(bodies);
    expect(pack.byteLength).toBe(0);
    expect(found('tundra')).toEqual(['Message 3 about zebras']);
    expect(found('wombat')).toEqual(['Message 2 about zebras']);
  });

  it('never takes a buffer that holds other bytes too', () => {
    const pooled = Buffer.from('pooled words');
    expect(pooled.buffer.byteLength).toBeGreaterThan(pooled.length);
    const slab = Buffer.allocUnsafeSlow(64).fill(0x61);
    const bodies: StoredBody[] = [
      { id: 1, sha256: 'a'.repeat(64), packed: null, index: { body: pooled, attachmentNames: [], hasAttachments: false } },
      { id: 2, sha256: 'b'.repeat(64), packed: null, index: { body: slab.subarray(0, 10), attachmentNames: [], hasAttachments: false } },
    ];
    expect(wordBuffers(bodies)).toEqual([]);
    expect(wordBuffers([{ ...bodies[1] as StoredBody, index: { body: slab, attachmentNames: [], hasAttachments: false } }])).toEqual([slab.buffer]);
  });
});
