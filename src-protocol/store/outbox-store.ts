/** The outbox table: every state change of a send is one committed UPDATE. */
import type { DatabaseSync } from 'node:sqlite';
import { isErrorCode, type ErrorCode } from '../common/error-codes.ts';

export type OutboxState = 'queued' | 'sending' | 'submitted' | 'sent' | 'failed' | 'cancelled';

export interface OutboxDraft {
  to: string[];
  cc: string[];
  bcc: string[];
  subject: string;
  text: string;
  /** The message this answers or forwards: flagged \Answered / $Forwarded once sent. */
  reply_of?: number;
  forward_of?: number;
  forward_as_attachment?: boolean;
  html?: string;
  from?: string;
}

export interface OutboxRow {
  id: number;
  account_id: string;
  message_id: string;
  blob_sha256: string;
  envelope: { from: string; to: string[] };
  draft: OutboxDraft;
  state: OutboxState;
  send_at_ms: number;
  attempts: number;
  next_attempt_ms: number;
  last_error: string | null;
  /** Why the last attempt failed, as one of the error codes (null when it did not fail). */
  last_error_code: ErrorCode | null;
  accepted: string[];
  rejected: string[];
  sent_copy: boolean;
  created_ms: number;
}

interface RawRow extends Omit<OutboxRow, 'envelope' | 'draft' | 'accepted' | 'rejected' | 'sent_copy' | 'last_error_code'> {
  last_error_code: string | null;
  envelope_json: string;
  draft_json: string;
  accepted_json: string;
  rejected_json: string;
  sent_copy: number;
}

const MAX_BACKOFF_MS = 30 * 60_000;

export class OutboxStore {
  readonly #db: DatabaseSync;

  constructor(db: DatabaseSync) {
    this.#db = db;
  }

  add(row: { account_id: string; message_id: string; blob_sha256: string; envelope: OutboxRow['envelope']; draft: OutboxDraft; send_at_ms: number }, now = Date.now()): number {
    return (this.#db.prepare(`INSERT INTO outbox (account_id, message_id, blob_sha256, envelope_json, draft_json, state, send_at_ms, created_ms, updated_ms)
      VALUES (?, ?, ?, ?, ?, 'queued', ?, ?, ?) RETURNING id`)
      .get(row.account_id, row.message_id, row.blob_sha256, JSON.stringify(row.envelope), JSON.stringify(row.draft), row.send_at_ms, now, now) as { id: number }).id;
  }

  get(id: number): OutboxRow | undefined {
    const r = this.#db.prepare('SELECT * FROM outbox WHERE id = ?').get(id) as unknown as RawRow | undefined;
    return r ? decode(r) : undefined;
  }

  list(accountId: string | undefined, states: OutboxState[]): OutboxRow[] {
    const marks = states.map(() => '?').join(', ');
    const rows = (accountId === undefined
      ? this.#db.prepare(`SELECT * FROM outbox WHERE state IN (${marks}) ORDER BY id`).all(...states)
      : this.#db.prepare(`SELECT * FROM outbox WHERE account_id = ? AND state IN (${marks}) ORDER BY id`).all(accountId, ...states)) as unknown as RawRow[];
    return rows.map(decode);
  }

  /** What the runner must look at now: due sends, and any left half-way by a crash. */
  work(accountId: string, now = Date.now()): OutboxRow[] {
    const rows = this.#db.prepare(`SELECT * FROM outbox WHERE account_id = ? AND (
        (state = 'queued' AND send_at_ms <= ? AND next_attempt_ms <= ?) OR state IN ('sending', 'submitted'))
      ORDER BY id`).all(accountId, now, now) as unknown as RawRow[];
    return rows.map(decode);
  }

  nextDue(accountId: string): number | null {
    const r = this.#db.prepare(`SELECT min(max(send_at_ms, next_attempt_ms)) AS t FROM outbox WHERE account_id = ? AND state = 'queued'`).get(accountId) as { t: number | null };
    return r.t;
  }

  /** A cleared error (`last_error: null`) clears its code too. */
  setState(id: number, state: OutboxState, extra: { last_error?: string | null; last_error_code?: ErrorCode; accepted?: string[]; rejected?: string[]; sent_copy?: boolean } = {}, now = Date.now()): void {
    const sets = ['state = ?', 'updated_ms = ?'];
    const params: (string | number | null)[] = [state, now];
    if (extra.last_error !== undefined) {
      sets.push('last_error = ?', 'last_error_code = ?');
      params.push(extra.last_error, extra.last_error === null ? null : (extra.last_error_code ?? 'INTERNAL'));
    }
    if (extra.accepted) { sets.push('accepted_json = ?'); params.push(JSON.stringify(extra.accepted)); }
    if (extra.rejected) { sets.push('rejected_json = ?'); params.push(JSON.stringify(extra.rejected)); }
    if (extra.sent_copy !== undefined) { sets.push('sent_copy = ?'); params.push(extra.sent_copy ? 1 : 0); }
    this.#db.prepare(`UPDATE outbox SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
  }

  /** A passing failure: back to the queue, later each time. */
  retryLater(id: number, error: string, code: ErrorCode, now = Date.now()): void {
    const row = this.get(id);
    const attempts = (row?.attempts ?? 0) + 1;
    const delay = Math.min(MAX_BACKOFF_MS, 2000 * 2 ** Math.min(attempts, 20));
    this.#db.prepare(`UPDATE outbox SET state = 'queued', attempts = ?, next_attempt_ms = ?, last_error = ?, last_error_code = ?, updated_ms = ? WHERE id = ?`)
      .run(attempts, now + delay, error, code, now, id);
  }

  makeDue(id: number | undefined, accountId: string | undefined): number {
    const r = id !== undefined
      ? this.#db.prepare(`UPDATE outbox SET state = 'queued', next_attempt_ms = 0, send_at_ms = min(send_at_ms, ?) WHERE id = ? AND state IN ('queued', 'failed')`).run(Date.now(), id)
      : this.#db.prepare(`UPDATE outbox SET state = 'queued', next_attempt_ms = 0 WHERE (? IS NULL OR account_id = ?) AND state IN ('queued', 'failed')`).run(accountId ?? null, accountId ?? null);
    return Number(r.changes);
  }
}

function decode(r: RawRow): OutboxRow {
  const { envelope_json, draft_json, accepted_json, rejected_json, sent_copy, last_error_code, ...rest } = r;
  return {
    ...rest,
    // Written by this file only; anything else (a newer version's code) reads as unknown.
    last_error_code: last_error_code === null ? null : isErrorCode(last_error_code) ? last_error_code : 'INTERNAL',
    envelope: JSON.parse(envelope_json) as OutboxRow['envelope'],
    draft: JSON.parse(draft_json) as OutboxDraft,
    accepted: JSON.parse(accepted_json) as string[],
    rejected: JSON.parse(rejected_json) as string[],
    sent_copy: sent_copy === 1,
  };
}
