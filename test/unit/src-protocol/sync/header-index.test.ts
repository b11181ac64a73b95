// The search index of synced headers, written after the sync answers
// (real SQLite on disk): everything waiting gets its entry, progress climbs
// to the total, several accounts asked for at once are each done, closing
// stops it with the rest still waiting (a search writes that), and a run
// that stops early says so in its last report.
import { describe, expect, it } from 'vitest';
import { useTempStore } from '../../../helpers/temp-store.ts';
import type { MailStore, HeaderInput } from '../../../../src-protocol/store/mail-store.ts';
import { HeaderIndexer, type HeaderIndexProgress } from '../../../../src-protocol/sync/header-index.ts';
import { createLogger } from '../../../../src-protocol/common/log.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';

let store: MailStore;
const logger = createLogger({ component: 'test' }, () => {}, 'error');
useTempStore('postern-header-index-', (s) => {
  store = s;
});

function headers(from: number, count: number, word: string): HeaderInput[] {
  return Array.from({ length: count }, (_, i) => ({
    uid: from + i, subject: `${word} ${from + i}`, from: [{ name: 'Ann', address: 'ann@example.test' }], date_ms: Date.UTC(2025, 0, 1) + i,
    flags: [], size: 10, has_attachments: false, message_id: `<${word}${from + i}@example.test>`,
  }));
}

const entries = (): number => (store.db.prepare('SELECT count(*) AS n FROM messages_fts').get() as { n: number }).n;

describe('HeaderIndexer', () => {
  it('gives every waiting row of the asked accounts its entry, in batches, with progress up to the total', async () => {
    const count = LIMITS.headerIndexBatch * 2 + 7;
    store.insertHeaders(store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id, headers(1, count, 'aardvark'));
    store.insertHeaders(store.ensureFolder('home', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id, headers(1, 5, 'bandicoot'));
    const seen: HeaderIndexProgress[] = [];
    const indexer = new HeaderIndexer({ store, logger, onProgress: (p) => seen.push(p) });
    await Promise.all([indexer.schedule('work'), indexer.schedule('home')]);
    expect(store.pendingHeaderIndex()).toBe(0);
    expect(entries()).toBe(count + 5);
    // Rows stored linked at once have no linking step.
    expect(seen.some((p) => p.step === 'linking')).toBe(false);
    const work = seen.filter((p) => p.accountId === 'work');
    expect(work.map((p) => p.done)).toEqual([0, LIMITS.headerIndexBatch, LIMITS.headerIndexBatch * 2, count]);
    expect(work.every((p) => p.total === count)).toBe(true);
    expect(seen.filter((p) => p.accountId === 'home').at(-1)).toEqual({ accountId: 'home', step: 'indexing', done: 5, total: 5 });
    await indexer.close();
  });

  it('closing stops after the batch under way; the rest waits, and a search still finds it', async () => {
    store.insertHeaders(store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id, headers(1, LIMITS.headerIndexBatch * 3, 'capybara'));
    const indexer = new HeaderIndexer({ store, logger });
    const done = indexer.schedule('work');
    await indexer.close();
    await done;
    expect(store.pendingHeaderIndex()).toBeGreaterThan(0);
    await expect(indexer.schedule('work')).resolves.toBeUndefined();
    expect(store.search('capybara', { limit: 5000 })).toHaveLength(LIMITS.headerIndexBatch * 3);
  });

  it('holds off while the account\'s bodies are downloading (each brings its whole entry), and indexes once asked again after', async () => {
    store.insertHeaders(store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id, headers(1, 30, 'dingo'));
    let downloading = true;
    const indexer = new HeaderIndexer({ store, logger, holdOff: (account) => account === 'work' && downloading });
    await indexer.schedule('work');
    expect(store.pendingHeaderIndex('work')).toBe(30);
    downloading = false;
    await indexer.schedule('work');
    expect(store.pendingHeaderIndex('work')).toBe(0);
    await indexer.close();
  });

  it('links a header sync\'s rows into conversations and contacts first, also while bodies download', async () => {
    const folder = store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id;
    const rows = headers(1, LIMITS.headerIndexBatch + 3, 'emu');
    // The last one answers the first: linked, they are one conversation.
    (rows.at(-1) as HeaderInput).refs = [rows[0]?.message_id as string];
    store.insertHeaders(folder, rows, { linkLater: true });
    const seen: HeaderIndexProgress[] = [];
    const indexer = new HeaderIndexer({ store, logger, holdOff: () => true, onProgress: (p) => seen.push(p) });
    await indexer.schedule('work');
    expect(store.pendingLinks()).toBe(0);
    // Linking says how far it has come, a batch at a time, up to every row.
    expect(seen.map((p) => [p.step, p.done, p.total])).toEqual([
      ['linking', 0, rows.length], ['linking', LIMITS.headerIndexBatch, rows.length], ['linking', rows.length, rows.length],
    ]);
    // Held off: the search entries wait for the bodies; the links did not.
    expect(store.pendingHeaderIndex('work')).toBe(rows.length);
    const thread = store.db.prepare('SELECT count(DISTINCT thread_id) AS n FROM messages WHERE uid IN (?, ?)').get(1, rows.length) as { n: number };
    expect(thread.n).toBe(1);
    expect(store.contacts.search('ann', 5).map((c) => c.address)).toEqual(['ann@example.test']);
    await indexer.close();
  });

  it('linking that cannot write ends its progress saying so; the rows keep waiting', async () => {
    const folder = store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id;
    store.insertHeaders(folder, headers(1, LIMITS.headerIndexBatch * 2, 'fossa'), { linkLater: true });
    const seen: HeaderIndexProgress[] = [];
    let closeAt: number = LIMITS.headerIndexBatch;
    const indexer = new HeaderIndexer({ store, logger, onProgress: (p) => {
      seen.push(p);
      // A database that cannot be written after the first batch, as with a full disk.
      if (p.done === closeAt) store.db.exec('PRAGMA query_only = ON');
    } });
    await indexer.schedule('work');
    expect(seen.filter((p) => p.step === 'linking').at(-1)).toMatchObject({ done: LIMITS.headerIndexBatch, stopped: 'failed' });
    expect(store.pendingLinks('work')).toBe(LIMITS.headerIndexBatch);
    // Writable again, the next run links the rest.
    store.db.exec('PRAGMA query_only = OFF');
    closeAt = -1;
    await indexer.schedule('work');
    expect(store.pendingLinks('work')).toBe(0);
    await indexer.close();
  });

  it('a run held off midway, or one that cannot write, ends its progress saying so', async () => {
    const count = LIMITS.headerIndexBatch * 3;
    store.insertHeaders(store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id, headers(1, count, 'echidna'));
    let downloading = false;
    const seen: HeaderIndexProgress[] = [];
    // Bodies start downloading once the first batch is written.
    const indexer = new HeaderIndexer({ store, logger, holdOff: () => downloading, onProgress: (p) => {
      seen.push(p);
      if (p.done > 0) downloading = true;
    } });
    await indexer.schedule('work');
    expect(seen.at(-1)).toEqual({ accountId: 'work', step: 'indexing', done: LIMITS.headerIndexBatch, total: count, stopped: 'held' });
    expect(store.pendingHeaderIndex('work')).toBe(count - LIMITS.headerIndexBatch);

    // The next run cannot write (the database is gone under it): its last report says it failed.
    downloading = false;
    seen.length = 0;
    const failing = new HeaderIndexer({ store, logger, onProgress: (p) => {
      seen.push(p);
      if (p.done > 0 && store.db.isOpen) store.db.close();
    } });
    await failing.schedule('work');
    expect(seen.at(-1)).toMatchObject({ accountId: 'work', done: LIMITS.headerIndexBatch, stopped: 'failed' });
    await indexer.close();
    await failing.close();
  });
});
