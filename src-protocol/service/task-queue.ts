/**
 * Owns the sending of persisted actions: flushes an account's due tasks over
 * one connection, schedules the next attempt after a failure (the timer is
 * owned here and cleared on close), and reports every outcome as an event.
 */
import type { ImapFlow } from 'imapflow';
import type { TaskStore, TaskRow } from '../store/task-store.ts';
import type { MailStore } from '../store/mail-store.ts';
import type { BlobStore } from '../store/blob-store.ts';
import { runDueTasks } from '../sync/task-runner.ts';
import type { TaskInfo } from '../contract/schemas.ts';
import type { Logger } from '../common/log.ts';
import { settleWithin } from '../common/settle-within.ts';

export interface TaskQueueOptions {
  tasks: TaskStore;
  store: MailStore;
  blobs: BlobStore;
  /** Runs `fn` on a connected client of the account, closing it afterwards. */
  withClient: <T>(accountId: string, fn: (client: ImapFlow) => Promise<T>) => Promise<T>;
  onTask: (info: TaskInfo) => void;
  logger: Logger;
}

export function taskInfo(t: TaskRow, state: TaskInfo['state'] = t.state, error: string | null = t.last_error): TaskInfo {
  return { id: t.id, account_id: t.account_id, kind: t.kind, state, attempts: t.attempts, last_error: error, created_iso: new Date(t.created_ms).toISOString() };
}

export class TaskQueue {
  readonly #o: TaskQueueOptions;
  readonly #running = new Map<string, Promise<void>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  #closed = false;

  constructor(options: TaskQueueOptions) {
    this.#o = options;
  }

  /** Starts sending the account's due tasks in the background. */
  kick(accountId: string): void {
    if (this.#closed || this.#running.has(accountId)) return;
    const run = this.flush(accountId).catch((err: unknown) => {
      this.#o.logger.info('tasks wait for the server', { account: accountId, err });
    }).finally(() => this.#running.delete(accountId));
    this.#running.set(accountId, run);
  }

  /** Sends due tasks now; throws if the server could not be reached (they stay pending). */
  async flush(accountId: string): Promise<void> {
    const pending = this.#running.get(accountId);
    if (pending) await pending;
    if (this.#o.tasks.due(accountId).length === 0) return;
    this.#clearTimer(accountId);
    let connected = false;
    try {
      await this.#o.withClient(accountId, (client) => {
        connected = true;
        return runDueTasks(client, this.#o.tasks, this.#o.store, accountId, (o) => this.#o.onTask(taskInfo(o.task, o.state, o.error)), this.#o.blobs);
      });
    } catch (err) {
      if (!connected) {
        // The server was not reached at all: every due task waits, and says why.
        const message = err instanceof Error ? err.message : String(err);
        for (const t of this.#o.tasks.due(accountId)) {
          this.#o.tasks.retryLater(t.id, message);
          this.#o.onTask(taskInfo({ ...t, attempts: t.attempts + 1 }, 'pending', message));
        }
      }
      this.#scheduleRetry(accountId);
      throw err;
    }
  }

  /** Waits for background sends to finish (bounded), then stops every timer. */
  async close(timeoutMs = 10_000): Promise<void> {
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await settleWithin(this.#running.values(), timeoutMs);
  }

  #scheduleRetry(accountId: string): void {
    if (this.#closed) return;
    const next = this.#o.tasks.list(accountId, ['pending']).reduce((min, t) => Math.min(min, t.next_attempt_ms), Infinity);
    if (!Number.isFinite(next)) return;
    this.#clearTimer(accountId);
    const timer = setTimeout(() => {
      this.#timers.delete(accountId);
      this.kick(accountId);
    }, Math.max(0, next - Date.now()));
    timer.unref();
    this.#timers.set(accountId, timer);
  }

  #clearTimer(accountId: string): void {
    const t = this.#timers.get(accountId);
    if (t) clearTimeout(t);
    this.#timers.delete(accountId);
  }
}
