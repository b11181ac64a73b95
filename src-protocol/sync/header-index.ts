/**
 * Links the rows a header sync stored into conversations and contacts
 * (MailStore.linkPendingHeaders), then writes their search-index entries,
 * after the sync has answered (see MailStore.indexPendingHeaders): the list is ready
 * first, its words follow in batches a few ms long, with the engine free to
 * answer other calls in between, and 'index' progress as they go. A search
 * meanwhile writes what is left itself before it looks (MailStore.search),
 * so it never misses a stored message.
 *
 * Run on the engine's own connection, between other work: a batch is one
 * short transaction, and SQLite's lock orders it with the store writer's.
 */
import { LIMITS } from '../common/limits.ts';
import type { Logger } from '../common/log.ts';
import type { MailStore } from '../store/mail-store.ts';

export interface HeaderIndexProgress {
  accountId: string;
  /**
   * 'linking' while new rows join their conversations (it comes first and
   * is not held off), then 'indexing' while they get their search entries.
   */
  step: 'linking' | 'indexing';
  done: number;
  total: number;
  /**
   * Set on the last report of a run that ended before `total`: 'held' when
   * the account's bodies started downloading (they bring the entries),
   * 'failed' when a batch could not be written (a search writes the rest).
   * Without it a progress display would show the run as still going.
   */
  stopped?: 'held' | 'failed';
}

export class HeaderIndexer {
  readonly #store: MailStore;
  readonly #logger: Logger;
  readonly #onProgress: (p: HeaderIndexProgress) => void;
  readonly #holdOff: (accountId: string) => boolean;
  /** Accounts asked for and not yet taken up, with who waits for each. */
  readonly #asked = new Map<string, (() => void)[]>();
  #running: Promise<void> | null = null;
  #closed = false;

  /**
   * `holdOff`: true while the account's bodies are being downloaded. Each
   * body brings its row's whole entry; a header entry written first would
   * only be replaced (FTS5 tokenizes the old text again to remove it). The
   * indexer stops then, and whoever downloads the bodies schedules it again
   * when done.
   */
  constructor(options: { store: MailStore; logger: Logger; onProgress?: (p: HeaderIndexProgress) => void; holdOff?: (accountId: string) => boolean }) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#onProgress = options.onProgress ?? (() => {});
    this.#holdOff = options.holdOff ?? (() => false);
  }

  /** Indexes the account's waiting rows soon; resolves when that is done (or held off, given up, or closed). */
  schedule(accountId: string): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.#asked.set(accountId, [...(this.#asked.get(accountId) ?? []), resolve]);
      this.#start();
    });
  }

  /** Stops after the batch under way; what is left waits for a search or the next sync. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#running;
  }

  #start(): void {
    if (this.#running) return;
    this.#running = this.#run().finally(() => {
      this.#running = null;
      // Asked for between the last look and now.
      if (this.#asked.size > 0) this.#start();
    });
  }

  async #run(): Promise<void> {
    for (let next = first(this.#asked.keys()); next !== undefined; next = first(this.#asked.keys())) {
      const waiting = this.#asked.get(next) ?? [];
      this.#asked.delete(next);
      if (!this.#closed) {
        try {
          await this.#index(next);
        } catch (err) {
          // A full disk or a lock held too long: the rows keep waiting, and a search writes them.
          this.#logger.warn('the search index of new headers could not be written; a search will', { account: next, err });
        }
      }
      for (const resolve of waiting) resolve();
    }
  }

  async #index(accountId: string): Promise<void> {
    // Counting the waiting rows reads an index of them: the sync's answer goes out before that.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.#closed) return;
    await this.#link(accountId);
    if (this.#closed || this.#holdOff(accountId)) return;
    const total = this.#store.pendingHeaderIndex(accountId);
    if (total === 0) return;
    let done = 0;
    this.#onProgress({ accountId, step: 'indexing', done, total });
    while (!this.#closed) {
      // Yield first: whatever answer the engine was about to send goes out before the index.
      await new Promise<void>((resolve) => setImmediate(resolve));
      if (this.#holdOff(accountId)) {
        this.#onProgress({ accountId, step: 'indexing', done, total: Math.max(total, done), stopped: 'held' });
        return;
      }
      let n: number;
      try {
        n = this.#store.indexPendingHeaders(LIMITS.headerIndexBatch, accountId);
      } catch (err) {
        this.#onProgress({ accountId, step: 'indexing', done, total: Math.max(total, done), stopped: 'failed' });
        throw err;
      }
      if (n === 0) break;
      done += n;
      // Rows a sync added meanwhile count too.
      this.#onProgress({ accountId, step: 'indexing', done, total: Math.max(total, done) });
    }
  }

  /**
   * Links the rows a header sync stored into their conversations and notes
   * their senders (MailStore.linkPendingHeaders), a batch at a time with the
   * engine free in between: 13-21 ms per 1,000 rows, with 'linking'
   * progress. Bodies downloading do not hold this back (they bring
   * neither). Rows left here are linked by whoever reads conversations or
   * contacts next.
   */
  async #link(accountId: string): Promise<void> {
    const total = this.#store.pendingLinks(accountId);
    if (total === 0) return;
    let done = 0;
    // At 100k new rows this is a second or two: the status bar says what the engine is doing.
    this.#onProgress({ accountId, step: 'linking', done, total });
    while (!this.#closed) {
      let n: number;
      try {
        n = this.#store.linkPendingHeaders(LIMITS.headerIndexBatch, accountId);
      } catch (err) {
        this.#logger.warn('new mail could not be linked into conversations yet', { account: accountId, err });
        this.#onProgress({ accountId, step: 'linking', done, total: Math.max(total, done), stopped: 'failed' });
        return;
      }
      if (n === 0) return;
      done += n;
      this.#onProgress({ accountId, step: 'linking', done, total: Math.max(total, done) });
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  }
}

function first<T>(items: Iterable<T>): T | undefined {
  for (const v of items) return v;
  return undefined;
}
