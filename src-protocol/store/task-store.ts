/**
 * Persisted user actions (flag, move, delete). A task is written in the same
 * transaction as the local change it mirrors, so after a crash either both
 * exist or neither; the runner sends it to the server later and marks it
 * done. Retries back off; a refusal by the server ends it as failed.
 */
import type { DatabaseSync } from 'node:sqlite';

export type TaskPayload =
  | { kind: 'flags'; folder: string; uid: number; add: string[]; remove: string[]; message_id?: number }
  | { kind: 'move'; folder: string; uid: number; to: string; message_id: number }
  | { kind: 'expunge'; folder: string; uid: number }
  /** Saves a draft version (the blob) to the Drafts folder and removes every older version. */
  | { kind: 'draft-put'; folder: string; draft_key: string; blob_sha256: string }
  /** Removes every version of a draft from the Drafts folder (sent or discarded). */
  | { kind: 'draft-remove'; folder: string; draft_key: string };

export interface TaskRow {
  id: number;
  account_id: string;
  kind: TaskPayload['kind'];
  payload: TaskPayload;
  state: 'pending' | 'done' | 'failed';
  attempts: number;
  next_attempt_ms: number;
  last_error: string | null;
  created_ms: number;
}

interface RawTaskRow extends Omit<TaskRow, 'payload'> {
  payload_json: string;
}

const MAX_BACKOFF_MS = 5 * 60_000;

export class TaskStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  /** Call inside the transaction that applies the change locally. */
  add(accountId: string, payload: TaskPayload, now = Date.now()): number {
    const row = this.#db.prepare('INSERT INTO tasks (account_id, kind, payload_json, created_ms) VALUES (?, ?, ?, ?) RETURNING id')
      .get(accountId, payload.kind, JSON.stringify(payload), now) as { id: number };
    return row.id;
  }

  /** Pending tasks of an account that are due, oldest first (order matters: flag then move). */
  due(accountId: string, now = Date.now()): TaskRow[] {
    const rows = this.#db.prepare(`SELECT * FROM tasks WHERE account_id = ? AND state = 'pending' AND next_attempt_ms <= ? ORDER BY id`)
      .all(accountId, now) as unknown as RawTaskRow[];
    return rows.map(decode);
  }

  list(accountId: string | undefined, states: TaskRow['state'][]): TaskRow[] {
    const placeholders = states.map(() => '?').join(', ');
    const rows = (accountId === undefined
      ? this.#db.prepare(`SELECT * FROM tasks WHERE state IN (${placeholders}) ORDER BY id`).all(...states)
      : this.#db.prepare(`SELECT * FROM tasks WHERE account_id = ? AND state IN (${placeholders}) ORDER BY id`).all(accountId, ...states)) as unknown as RawTaskRow[];
    return rows.map(decode);
  }

  /** A newer version of a draft makes pending saves of older ones pointless. */
  dropPendingDraftPuts(accountId: string, draftKey: string): void {
    for (const t of this.list(accountId, ['pending'])) {
      if (t.payload.kind === 'draft-put' && t.payload.draft_key === draftKey) this.#db.prepare('DELETE FROM tasks WHERE id = ?').run(t.id);
    }
  }

  /**
   * UIDs of a folder with an action not yet on the server. A sync must not
   * undo what the person just did: for these the local state wins until
   * the task is done.
   */
  pendingUids(accountId: string, folder: string, sinceMs = Infinity): Set<number> {
    const uids = new Set<number>();
    // Also tasks made since the sync began: one already done may have reached
    // the server after the sync read it, so what the sync read is stale.
    const rows = (this.#db.prepare(`SELECT * FROM tasks WHERE account_id = ? AND (state = 'pending' OR created_ms >= ?) ORDER BY id`)
      .all(accountId, Number.isFinite(sinceMs) ? sinceMs : Number.MAX_SAFE_INTEGER) as unknown as RawTaskRow[]).map(decode);
    for (const t of rows) {
      const p = t.payload;
      if ((p.kind === 'flags' || p.kind === 'move' || p.kind === 'expunge') && p.folder === folder) uids.add(p.uid);
    }
    return uids;
  }

  /** The pending move of a message, if its move has not reached the server yet. */
  pendingMoveOf(messageId: number): TaskRow | undefined {
    return this.list(undefined, ['pending']).find((t) => t.payload.kind === 'move' && t.payload.message_id === messageId);
  }

  isPending(id: number): boolean {
    return this.#db.prepare(`SELECT 1 FROM tasks WHERE id = ? AND state = 'pending'`).get(id) !== undefined;
  }

  remove(id: number): void {
    this.#db.prepare('DELETE FROM tasks WHERE id = ?').run(id);
  }

  pendingCount(accountId: string): number {
    return (this.#db.prepare(`SELECT count(*) AS n FROM tasks WHERE account_id = ? AND state = 'pending'`).get(accountId) as { n: number }).n;
  }

  /** Forgets tasks finished and created before `beforeMs`; answers how many. */
  forgetDone(beforeMs: number): number {
    return Number(this.#db.prepare(`DELETE FROM tasks WHERE state = 'done' AND created_ms < ?`).run(beforeMs).changes);
  }

  done(id: number): void {
    this.#db.prepare(`UPDATE tasks SET state = 'done', last_error = NULL WHERE id = ?`).run(id);
  }

  failed(id: number, error: string): void {
    this.#db.prepare(`UPDATE tasks SET state = 'failed', last_error = ? WHERE id = ?`).run(error, id);
  }

  /** A passing failure (offline, timeout): try again later, waiting longer each time. */
  retryLater(id: number, error: string, now = Date.now()): number {
    const row = this.#db.prepare('SELECT attempts FROM tasks WHERE id = ?').get(id) as { attempts: number } | undefined;
    const attempts = (row?.attempts ?? 0) + 1;
    const delay = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** Math.min(attempts, 20));
    this.#db.prepare('UPDATE tasks SET attempts = ?, next_attempt_ms = ?, last_error = ? WHERE id = ?').run(attempts, now + delay, error, id);
    return delay;
  }

  /** "Retry now": make every pending task of the account due. */
  makeDue(accountId: string): void {
    this.#db.prepare(`UPDATE tasks SET next_attempt_ms = 0 WHERE account_id = ? AND state = 'pending'`).run(accountId);
  }
}

function decode(r: RawTaskRow): TaskRow {
  const { payload_json, ...rest } = r;
  return { ...rest, payload: JSON.parse(payload_json) as TaskPayload };
}
