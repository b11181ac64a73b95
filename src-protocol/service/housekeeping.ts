/**
 * The running engine's upkeep, a minute after it starts and then every few
 * hours: the space of stored messages nothing refers to any more is given
 * back (store/blob-reclaim.ts), and finished tasks older than
 * LIMITS.doneTasksKeepMs are forgotten (every sync reads the task list).
 * Owns its timer and the run under way; close() ends both.
 */
import { LIMITS } from '../common/limits.ts';
import type { Logger } from '../common/log.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { MailStore } from '../store/mail-store.ts';
import { reclaimBlobs } from '../store/blob-reclaim.ts';
import type { TaskStore } from '../store/task-store.ts';

export class Housekeeping {
  readonly #store: MailStore;
  readonly #blobs: BlobStore;
  readonly #tasks: TaskStore;
  readonly #logger: Logger;
  readonly #stop = new AbortController();
  readonly #everyMs: number;
  #timer: NodeJS.Timeout | null = null;
  #running: Promise<void> | null = null;
  /** Runs so far (tests watch it). */
  runs = 0;

  constructor(options: { store: MailStore; blobs: BlobStore; tasks: TaskStore; logger: Logger; firstDelayMs?: number; everyMs?: number }) {
    this.#store = options.store;
    this.#blobs = options.blobs;
    this.#tasks = options.tasks;
    this.#logger = options.logger;
    this.#everyMs = options.everyMs ?? LIMITS.housekeepingEveryMs;
    this.#next(options.firstDelayMs ?? LIMITS.housekeepingFirstDelayMs);
  }

  async close(): Promise<void> {
    this.#stop.abort();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    await this.#running;
  }

  #next(delayMs: number): void {
    if (this.#stop.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#running = this.#run().finally(() => {
        this.#running = null;
        this.runs++;
        this.#next(this.#everyMs);
      });
    }, delayMs);
    // A short CLI command does not wait for it.
    this.#timer.unref();
  }

  async #run(): Promise<void> {
    try {
      const forgotten = this.#tasks.forgetDone(Date.now() - LIMITS.doneTasksKeepMs);
      if (forgotten > 0) this.#logger.info('finished tasks forgotten', { count: forgotten });
    } catch (err) {
      this.#logger.warn('finished tasks could not be forgotten', { err });
    }
    try {
      const report = await reclaimBlobs({ store: this.#store, blobs: this.#blobs, signal: this.#stop.signal });
      if (report.unreadable > 0) this.#logger.warn('stored message packs that could not be read were left as they are', { ...report });
      else if (report.marked > 0 || report.deleted > 0 || report.repacked > 0) this.#logger.info('space of messages nothing refers to any more', { ...report });
    } catch (err) {
      // Nothing is lost: what was not deleted is found again next time.
      if (!this.#stop.signal.aborted) this.#logger.warn('stored messages nothing refers to could not be reclaimed', { err });
    }
  }
}
