/**
 * Where a header sync's batches are written: inline (this thread), or a
 * thread of their own with its own connection to the same database file.
 *
 * Writing a header row (the row and its indexes, the search index, the
 * thread, the contact) costs about as much CPU as reading it from the
 * server; on one thread the two add up. With a writer thread, batch N is
 * written while batch N+1 is read, on the other core. SQLite in WAL mode
 * lets the engine's own connection read (and, after a short wait, write)
 * meanwhile; each batch is still one transaction, and a batch counts as
 * written only when the writer says it committed.
 *
 * The thread is started by the engine's thread and on Linux inherits its
 * lowered priority (nice is per thread there; see engine-worker.ts).
 *
 * Every write resolves in the order it was asked for, with the ids of the
 * rows new to the store. `close()` waits for the writes already asked for
 * and ends the thread; nothing is written after it resolves.
 */
import { Worker } from 'node:worker_threads';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { isErrorCode } from '../common/error-codes.ts';
import type { HeaderInput, MailStore } from './mail-store.ts';

export interface HeaderSink {
  /** 'thread' when a writer thread does the writing (tests check the path taken). */
  readonly kind: 'inline' | 'thread';
  /** Writes one batch in one transaction; resolves with the ids of rows new to the store. */
  write(folderId: number, headers: HeaderInput[]): Promise<number[]>;
  /** Waits for the writes asked for so far, then lets go of the thread. */
  close(): Promise<void>;
}

/** What crosses to the writer thread and back. */
export type HeaderWriterRequest = { type: 'write'; seq: number; folderId: number; headers: HeaderInput[] } | { type: 'close' };
export type HeaderWriterReply = { seq: number; ids: number[] } | { seq: number; error: { code: string; message: string } };
export interface HeaderWriterInit {
  file: string;
}

/**
 * A writer thread for `count` new headers when that pays (a database on
 * disk, enough rows), else this thread. `minForThread` is for tests.
 */
export function openHeaderSink(store: MailStore, count: number, minForThread: number = LIMITS.headerWriterThreadMin): HeaderSink {
  const file = store.db.location();
  if (file === null || count < minForThread) return inlineSink(store);
  return new ThreadSink(file);
}

function inlineSink(store: MailStore): HeaderSink {
  return {
    kind: 'inline',
    write: async (folderId, headers) => store.insertHeaders(folderId, headers),
    close: async () => {},
  };
}

/**
 * The worker's file, beside the module that starts it: compiled (.cjs)
 * when that module is a bundle (the app's engine-worker.cjs), the source
 * (.ts) otherwise. electron/build.mjs writes the .cjs.
 */
export function headerWriterEntry(moduleUrl: string = import.meta.url): URL {
  return new URL(moduleUrl.endsWith('.cjs') ? './header-writer-worker.cjs' : './header-writer-worker.ts', moduleUrl);
}

class ThreadSink implements HeaderSink {
  readonly kind = 'thread';
  readonly #worker: Worker;
  readonly #waiting = new Map<number, { resolve: (ids: number[]) => void; reject: (err: Error) => void }>();
  #seq = 0;
  /** Set once the thread is gone: every write after that fails with it. */
  #failure: Error | null = null;
  readonly #exited: Promise<void>;

  constructor(file: string) {
    const workerData: HeaderWriterInit = { file };
    this.#worker = new Worker(headerWriterEntry(), {
      workerData,
      resourceLimits: { maxYoungGenerationSizeMb: LIMITS.headerWriterYoungGenerationMb },
    });
    this.#worker.on('message', (reply: HeaderWriterReply) => this.#settle(reply));
    this.#worker.on('error', (err) => this.#fail(new PosternError('STORAGE', `Storing headers failed: ${err.message}`, { cause: err })));
    this.#exited = new Promise((resolve) => {
      this.#worker.once('exit', (code) => {
        this.#fail(new PosternError('STORAGE', `The header writer stopped (exit code ${code}).`));
        resolve();
      });
    });
  }

  write(folderId: number, headers: HeaderInput[]): Promise<number[]> {
    if (this.#failure) return Promise.reject(this.#failure);
    const seq = ++this.#seq;
    return new Promise((resolve, reject) => {
      this.#waiting.set(seq, { resolve, reject });
      this.#worker.postMessage({ type: 'write', seq, folderId, headers } satisfies HeaderWriterRequest);
    });
  }

  async close(): Promise<void> {
    // Messages are handled in order: the writes asked for before this are done first.
    if (!this.#failure) this.#worker.postMessage({ type: 'close' } satisfies HeaderWriterRequest);
    await this.#exited;
  }

  #settle(reply: HeaderWriterReply): void {
    const waiting = this.#waiting.get(reply.seq);
    if (!waiting) return;
    this.#waiting.delete(reply.seq);
    if ('ids' in reply) waiting.resolve(reply.ids);
    else waiting.reject(new PosternError(isErrorCode(reply.error.code) ? reply.error.code : 'STORAGE', `Storing headers failed: ${reply.error.message}`));
  }

  #fail(err: Error): void {
    this.#failure ??= err;
    for (const waiting of this.#waiting.values()) waiting.reject(this.#failure);
    this.#waiting.clear();
  }
}
