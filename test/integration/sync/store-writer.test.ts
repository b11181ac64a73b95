// A large folder's sync written by the store writer thread (real Dovecot,
// real SQLite and files on disk). Headers: the rows, their flags, the search
// index and the conversations are what the inline path writes; new ids come
// newest first; a message the person moved away meanwhile is not written
// back; a connection cut in the middle leaves only whole batches, completed
// by the next sync without duplicates. Bodies: every body is stored and
// searchable, progress counts what is recorded, and a cut download leaves
// only rows whose files are there, completed by the next download.
import { createHash } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { startTcpProxy } from '../../helpers/tcp-proxy.ts';
import { connectImap, closeImap } from '../../../src-protocol/imap/imap-connection.ts';
import { openDatabase } from '../../../src-protocol/store/database.ts';
import { MailStore } from '../../../src-protocol/store/mail-store.ts';
import { BlobStore } from '../../../src-protocol/store/blob-store.ts';
import { prefetchBodies } from '../../../src-protocol/sync/body-prefetch.ts';
import { openStoreSink, type StoreSink } from '../../../src-protocol/store/store-writer.ts';
import { sinkStartedEarly, syncFolderHeaders, type OpenHeaderSink } from '../../../src-protocol/sync/folder-sync.ts';
import { LIMITS } from '../../../src-protocol/common/limits.ts';

const servers = inject('servers');
const COUNT = 2600;
let user: TestUser;

function message(i: number): string {
  // Every fifth starts a conversation; the four after it reply to it.
  const root = i - (i % 5);
  return [
    `From: "Writer ${i % 11}" <w${i % 11}@example.test>`, `To: ${user.email}`, `Subject: ${i === root ? '' : 'Re: '}Thread ${root} wombat${i}`,
    `Date: ${new Date(Date.UTC(2025, 2, 1) + i * 60_000).toUTCString()}`, `Message-ID: <hw-${i}@example.test>`,
    ...(i === root ? [] : [`In-Reply-To: <hw-${root}@example.test>`, `References: <hw-${root}@example.test>`]),
    'Content-Type: text/plain', '', `Body ${i} koala${i}`, '',
  ].join('\r\n');
}

async function freshStore(): Promise<MailStore> {
  return new MailStore(openDatabase(join(await mkdtemp(join(tmpdir(), 'postern-hw-')), 'mail.sqlite')));
}

/** The blob store beside a store's database file. */
function blobsOf(store: MailStore): BlobStore {
  return new BlobStore(join(dirname(store.db.location() as string), 'messages'), store);
}

/** openStoreSink as the sync uses it for headers, noting which kind it chose. */
function watched(kinds: string[]): OpenHeaderSink {
  return (store, count) => {
    const sink: StoreSink = openStoreSink(store, count, LIMITS.headerWriterThreadMin);
    kinds.push(sink.kind);
    return sink;
  };
}

beforeAll(async () => {
  user = await createUser(servers, 'hwriter');
  await seedMaildir(servers, user.user, 'INBOX', Array.from({ length: COUNT }, (_, i) => ({ raw: message(i), flags: i % 4 === 0 ? ['\\Seen' as const] : [] })));
}, 120_000);

describe('a large folder written by the header writer thread', () => {
  it('stores every header with flags, then its index entry and conversation; new ids newest first', async () => {
    const store = await freshStore();
    const kinds: string[] = [];
    const progress: number[] = [];
    const client = await openImap(servers, user);
    try {
      const result = await syncFolderHeaders(client, store, 'hw', 'INBOX', (p) => { if (p.phase === 'headers') progress.push(p.done); }, undefined, undefined, watched(kinds));
      expect(kinds).toEqual(['thread']);
      expect(result).toMatchObject({ total: COUNT, added: COUNT });
      const folder = store.folder('hw', 'INBOX');
      if (!folder) throw new Error('no folder');
      expect(store.localCounts(folder.id)).toEqual({ total: COUNT, unread: COUNT - COUNT / 4 });
      // Newest first: the ids of the newest UIDs come first, and every row is there once.
      expect(result.new_ids).toHaveLength(COUNT);
      expect(new Set(result.new_ids).size).toBe(COUNT);
      const [newest] = store.listMessages(folder.id, 1, 0);
      expect(newest?.id).toBe(result.new_ids[0]);
      expect(newest?.subject).toBe(`Re: Thread 2595 wombat${COUNT - 1}`);
      // Progress counted written batches, up to all of them.
      expect(progress.at(-1)).toBe(COUNT);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      // The search index and the conversations follow the rows: a search writes what waits, and
      // conversations are linked before they are read.
      expect(store.search('wombat1234', { limit: 10 }).map((m) => m.subject)).toEqual(['Re: Thread 1230 wombat1234']);
      expect(store.pendingLinks()).toBe(COUNT);
      expect(store.listThreads('hw', folder.id, 1).length).toBe(1);
      expect(store.pendingLinks()).toBe(0);
      const thread = store.db.prepare("SELECT count(DISTINCT thread_id) AS n FROM messages WHERE subject LIKE '%Thread 1230 %'").get() as { n: number };
      expect(thread.n).toBe(1);
      expect((store.db.prepare('SELECT count(DISTINCT thread_id) AS n FROM messages').get() as { n: number }).n).toBe(COUNT / 5);
    } finally {
      await closeImap(client);
      store.db.close();
    }
  });

  it('a first sync has its writer thread started before connecting; a later sync or a small folder starts none early', async () => {
    const store = await freshStore();
    const client = await openImap(servers, user);
    try {
      // Never synced: the sink handed to the large folder is the one started before the connection.
      const early = sinkStartedEarly(store, 'hw', 'INBOX');
      const kinds: string[] = [];
      const result = await syncFolderHeaders(client, store, 'hw', 'INBOX', undefined, undefined, undefined, (s, count) => {
        const sink = early.openSink(s, count);
        kinds.push(sink.kind);
        return sink;
      });
      await early.release();
      expect(kinds).toEqual(['thread']);
      expect(result).toMatchObject({ total: COUNT, added: COUNT });
      expect(store.localCounts((store.folder('hw', 'INBOX') as { id: number }).id).total).toBe(COUNT);
      // Synced now: nothing is started early, and a small write goes inline as before.
      const later = sinkStartedEarly(store, 'hw', 'INBOX');
      const small = later.openSink(store, 10);
      expect(small.kind).toBe('inline');
      await small.close();
      await later.release();
      // A folder never synced that turns out small: inline, and the thread started early is ended.
      const fresh = sinkStartedEarly(store, 'hw', 'Empty');
      expect(fresh.openSink(store, 3).kind).toBe('inline');
      await fresh.release();
    } finally {
      await closeImap(client);
      store.db.close();
    }
  });

  it('does not write back a message moved away while its move waits', async () => {
    const store = await freshStore();
    const client = await openImap(servers, user);
    try {
      // UIDs follow the seed order: 1 is the oldest, COUNT the newest.
      await syncFolderHeaders(client, store, 'hw', 'INBOX', undefined, undefined, () => new Set([COUNT, 1]));
      const folder = store.folder('hw', 'INBOX');
      if (!folder) throw new Error('no folder');
      expect(store.localCounts(folder.id).total).toBe(COUNT - 2);
      expect(store.idsForUids(folder.id, [1, 2, COUNT - 1, COUNT])).toHaveLength(2);
    } finally {
      await closeImap(client);
      store.db.close();
    }
  });

  it('a connection cut mid-sync leaves whole batches; the next sync completes them once', async () => {
    const store = await freshStore();
    const proxy = await startTcpProxy(servers.ports.imaps);
    const connect = () => connectImap({ host: 'localhost', port: proxy.port, security: 'tls', user: user.user, password: user.password, caPem: servers.caPem });
    try {
      const client = await connect();
      // Slow enough that the cut lands while a FETCH is still arriving (rows are written as they come).
      proxy.limit(256 * 1024);
      let cut = false;
      const first = syncFolderHeaders(client, store, 'hw', 'INBOX', (p) => {
        if (p.phase === 'headers' && p.done >= 1000 && !cut) { cut = true; void proxy.down(); }
      });
      await expect(first).rejects.toThrow();
      await closeImap(client).catch(() => {});
      await proxy.up();
      proxy.limit(null);
      const folder = store.folder('hw', 'INBOX');
      if (!folder) throw new Error('no folder');
      const partial = store.localCounts(folder.id).total;
      expect(partial).toBeGreaterThanOrEqual(1000);
      expect(partial).toBeLessThan(COUNT);
      expect(partial % 500).toBe(0);
      const again = await connect();
      try {
        const result = await syncFolderHeaders(again, store, 'hw', 'INBOX');
        expect(result.added).toBe(COUNT - partial);
      } finally {
        await closeImap(again);
      }
      expect(store.localCounts(folder.id).total).toBe(COUNT);
      expect((store.db.prepare('SELECT count(DISTINCT uid) AS n FROM messages').get() as { n: number }).n).toBe(COUNT);
    } finally {
      await proxy.close();
      store.db.close();
    }
  });
});

describe('a large folder\'s bodies recorded by the store writer thread', () => {
  it('stores and indexes every body; progress counts recorded bodies', async () => {
    const store = await freshStore();
    const blobs = blobsOf(store);
    const client = await openImap(servers, user);
    try {
      await syncFolderHeaders(client, store, 'hw', 'INBOX');
      const folder = store.folder('hw', 'INBOX');
      if (!folder) throw new Error('no folder');
      const kinds: string[] = [];
      const progress: number[] = [];
      const result = await prefetchBodies(client, store, blobs, folder.id, 'INBOX', {
        sinceMs: null,
        onProgress: (p) => progress.push(p.done),
        openSink: (s, count) => {
          const sink = openStoreSink(s, count, LIMITS.bodyWriterThreadMin);
          kinds.push(sink.kind);
          return sink;
        },
      });
      expect(kinds).toEqual(['thread']);
      expect(result).toMatchObject({ done: COUNT, total: COUNT });
      expect(progress.at(-1)).toBe(COUNT);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(store.messagesWithoutBody(folder.id, null, 10)).toEqual([]);
      expect(store.messagesNotIndexed(0, 10)).toEqual([]);
      // A word only the body has is found, and the stored copy is the message.
      const [hit] = store.search('koala1234', { limit: 5 });
      expect(hit?.subject).toBe('Re: Thread 1230 wombat1234');
      const row = store.message(hit?.id as number);
      expect((await blobs.get(row?.blob_sha256 as string)).toString()).toContain('Body 1234 koala1234');
      // Every stored copy is whole and is the one its row names (batches share reused slabs: none may leak into another).
      const rows = store.db.prepare('SELECT blob_sha256 FROM messages WHERE blob_sha256 IS NOT NULL').all() as { blob_sha256: string }[];
      expect(rows).toHaveLength(COUNT);
      for (const r of rows) expect(createHash('sha256').update(await blobs.get(r.blob_sha256)).digest('hex')).toBe(r.blob_sha256);
    } finally {
      await closeImap(client);
      store.db.close();
    }
  });

  it('a download cut midway leaves rows only with their files; the next one completes the rest once', async () => {
    const store = await freshStore();
    const blobs = blobsOf(store);
    const proxy = await startTcpProxy(servers.ports.imaps);
    const connect = () => connectImap({ host: 'localhost', port: proxy.port, security: 'tls', user: user.user, password: user.password, caPem: servers.caPem });
    try {
      const client = await connect();
      await syncFolderHeaders(client, store, 'hw', 'INBOX');
      const folder = store.folder('hw', 'INBOX');
      if (!folder) throw new Error('no folder');
      let cut = false;
      const first = prefetchBodies(client, store, blobs, folder.id, 'INBOX', {
        sinceMs: null,
        onProgress: (p) => { if (p.done >= 1000 && !cut) { cut = true; void proxy.down(); } },
      });
      await expect(first).rejects.toThrow();
      await closeImap(client).catch(() => {});
      await proxy.up();
      const stored = store.db.prepare('SELECT id, blob_sha256 FROM messages WHERE blob_sha256 IS NOT NULL').all() as { id: number; blob_sha256: string }[];
      expect(stored.length).toBeGreaterThanOrEqual(1000);
      expect(stored.length).toBeLessThan(COUNT);
      // Each row's bytes are there (in a pack, recorded with the row), and are its message.
      for (const r of stored) expect((await blobs.get(r.blob_sha256)).toString()).toMatch(/^From: /);
      const again = await connect();
      try {
        const rest = await prefetchBodies(again, store, blobs, folder.id, 'INBOX', { sinceMs: null });
        expect(rest.done).toBe(COUNT - stored.length);
      } finally {
        await closeImap(again);
      }
      expect(store.messagesWithoutBody(folder.id, null, 10)).toEqual([]);
      expect(store.search('koala999', { limit: 5 }).map((m) => m.subject)).toEqual(['Re: Thread 995 wombat999']);
    } finally {
      await proxy.close();
      store.db.close();
    }
  });
});
