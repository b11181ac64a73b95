/**
 * Where a sync's large writes go: inline (this thread), or a thread of
 * their own with its own connection to the same database file.
 *
 * Two kinds of write use it: header batches (the row and its indexes, the
 * search index, the thread, the contact) and body batches (the file a row
 * points at, and the body's words in the search index). Each costs about
 * as much CPU as reading the same data from the server, and on one thread
 * the two add up; with a writer thread, batch N is written while batch N+1
 * is read, on the other core. SQLite in WAL mode lets the engine's own
 * connection read (and, after a short wait, write) meanwhile; each batch is
 * still one transaction, and counts as written only when the writer says it
 * committed.
 *
 * The thread is started by the engine's thread and on Linux inherits its
 * lowered priority (nice is per thread there; see engine-worker.ts).
 *
 * Every write resolves in the order it was asked for. `close()` waits for
 * the writes already asked for and ends the thread; nothing is written
 * after it resolves.
 */
import { Worker } from 'node:worker_threads';
import { LIMITS } from '../common/limits.ts';
import { detach } from '../common/slabs.ts';
import { PosternError } from '../common/errors.ts';
import { isErrorCode } from '../common/error-codes.ts';
import type { HeaderInput, MailStore, StoredBody } from './mail-store.ts';

export interface StoreSink {
  /** 'thread' when a writer thread does the writing (tests check the path taken). */
  readonly kind: 'inline' | 'thread';
  /** MailStore.insertHeaders in one transaction; resolves with the ids of rows new to the store. */
  insertHeaders(folderId: number, headers: HeaderInput[], options?: { linkLater?: boolean }): Promise<number[]>;
  /** MailStore.storeBodies in one transaction (the files must already be durable). */
  storeBodies(bodies: StoredBody[]): Promise<void>;
  /** Waits for the writes asked for so far, then lets go of the thread. */
  close(): Promise<void>;
}

/** What crosses to the writer thread and back. */
export type StoreWriterRequest =
  | { type: 'headers'; seq: number; folderId: number; headers: HeaderInput[]; linkLater: boolean }
  | { type: 'bodies'; seq: number; bodies: StoredBody[] }
  | { type: 'close' };
export type StoreWriterReply = { seq: number; ids: number[] } | { seq: number; error: { code: string; message: string } };
export interface StoreWriterInit {
  file: string;
}

/**
 * A writer thread for `count` rows to write when that pays (a database on
 * disk, at least `minForThread` rows), else this thread.
 */
export function openStoreSink(store: MailStore, count: number, minForThread: number): StoreSink {
  const file = store.db.location();
  if (file === null || count < minForThread) return inlineSink(store);
  return new ThreadSink(file);
}

function inlineSink(store: MailStore): StoreSink {
  return {
    kind: 'inline',
    insertHeaders: async (folderId, headers, options) => store.insertHeaders(folderId, headers, options),
    storeBodies: async (bodies) => {
      try {
        store.storeBodies(bodies);
      } finally {
        releaseWordBuffers(bodies);
      }
    },
    close: async () => {},
  };
}

/**
 * The buffers that hold nothing but this batch's words as bytes
 * (sync/body-index.ts packs a batch's into one). They go to the writer
 * thread by transfer, not copy, and are freed as soon as the batch is
 * written: held until a GC, they piled up in malloc, and glibc kept that
 * high-water mark (main heap after a 10k sync: 48 MB with the words copied
 * and left to the GC, 24 MB this way; a throwaway smaps dump in the bench).
 * A buffer with other bytes too (Node's shared pool, a slab) is never
 * taken: it is copied as before, and left alone.
 */
export function wordBuffers(bodies: readonly StoredBody[]): ArrayBuffer[] {
  const covered = new Map<ArrayBuffer, number>();
  for (const b of bodies) {
    const body = b.index?.body;
    if (body === undefined || typeof body === 'string' || !(body.buffer instanceof ArrayBuffer)) continue;
    covered.set(body.buffer, (covered.get(body.buffer) ?? 0) + body.byteLength);
  }
  return [...covered].filter(([buffer, bytes]) => bytes === buffer.byteLength && bytes > 0).map(([buffer]) => buffer);
}

/** Frees the batch's word buffers now (detaching them); nothing may read those words after this. */
export function releaseWordBuffers(bodies: readonly StoredBody[]): void {
  for (const buffer of wordBuffers(bodies)) detach(buffer);
}

/**
 * The worker's file, beside the module that starts it: compiled (.cjs)
 * when that module is a bundle (the app's engine-worker.cjs), the source
 * (.ts) otherwise. electron/build.mjs writes the .cjs.
 */
export function storeWriterEntry(moduleUrl: string = import.meta.url): URL {
  return new URL(moduleUrl.endsWith('.cjs') ? './store-writer-worker.cjs' : './store-writer-worker.ts', moduleUrl);
}

class ThreadSink implements StoreSink {
  readonly kind = 'thread';
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (ids: number[]) => void; reject: (err: Error) => void }>();
  #seq = 0;
  /** Set once the thread is gone: every write after that fails with it. */
  #failure: Error | null = null;
  readonly #exited: Promise<void>;

  constructor(file: string) {
    const workerData: StoreWriterInit = { file };
    this.#worker = new Worker(storeWriterEntry(), {
      workerData,
      resourceLimits: { maxYoungGenerationSizeMb: LIMITS.storeWriterYoungGenerationMb },
    });
    this.#worker.on('message', (reply: StoreWriterReply) => this.#settle(reply));
    this.#worker.on('error', (err) => this.#fail(new PosternError('STORAGE', `Writing to the store failed: ${err.message}`, { cause: err })));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#fail(new PosternError('STORAGE', `The header writer stopped (exit code ${code}).`));
        resolve();
      });
    });
  }

  insertHeaders(folderId: number, headers: HeaderInput[], options: { linkLater?: boolean } = {}): Promise<number[]> {
    return this.#ask((seq) => ({ type: 'headers', seq, folderId, headers, linkLater: options.linkLater === true }));
  }

  async storeBodies(bodies: StoredBody[]): Promise<void> {
    // The words' buffers move to the thread (this side's views go empty) and are freed there once written.
    await this.#ask((seq) => ({ type: 'bodies', seq, bodies }), wordBuffers(bodies));
  }

  #ask(request: (seq: number) => StoreWriterRequest, transfer: ArrayBuffer[] = []): Promise<number[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, { resolve, reject });
      this.#worker.postMessage(request(seq), transfer);
    });
  }

  async close(): Promise<void> {
    // Messages are handled in order: the writes asked for before this are done first.
    if (!this.#failure) this.#worker.postMessage({ type: 'close' } satisfies StoreWriterRequest);
    await this.#exited;
  }

  #settle(reply: StoreWriterReply): void {
    const waiting = this.#waiting.get(reply.seq);
    if (!waiting) return;
    this.#waiting.delete(reply.seq);
    if ('ids' in reply) waiting.resolve(reply.ids);
    else waiting.reject(new PosternError(isErrorCode(reply.error.code) ? reply.error.code : 'STORAGE', `Writing to the store failed: ${reply.error.message}`));
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const waiting of this.#waiting.values()) waiting.reject(this.#failure);
    this.#waiting.clear();
  }
}
