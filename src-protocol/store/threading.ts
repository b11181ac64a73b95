/**
 * Conversations from Message-ID / In-Reply-To / References (a simplified
 * JWZ: every id a message names joins one thread, and threads that turn out
 * to share an id are merged), with the subject as a last resort for replies
 * that carry no references at all.
 */
import type { DatabaseSync } from 'node:sqlite';
import { statement } from './statements.ts';

const REPLY_PREFIX = /^\s*((re|fwd?|fw|aw|sv|antw)(\[\d+\])?\s*:\s*)+/i;
const SUBJECT_WINDOW_MS = 30 * 86_400_000;

/** The subject without Re:/Fwd: prefixes and extra spaces, lower case. */
export function baseSubject(subject: string): string {
  return subject.replace(REPLY_PREFIX, '').replace(/\s+/g, ' ').trim().toLowerCase();
}

export function isReplySubject(subject: string): boolean {
  return REPLY_PREFIX.test(subject);
}

export interface ThreadInput {
  /** The id the message has, or will have once inserted. */
  id: number;
  accountId: string;
  messageId: string | null;
  /** In-Reply-To and References, oldest first. */
  refs: string[];
  subject: string;
  dateMs: number | null;
}

/** Where a message goes, decided before its row is written (so the row is written once, thread included). */
export interface ThreadPlan {
  thread: number;
  baseSubject: string;
  /** Threads it connects, merged into `thread` by joinThread. */
  found: Set<number>;
  /** Ids it names that no thread knows yet. */
  unknown: string[];
}

/** Finds message `m`'s conversation from what is stored. Call inside the transaction that writes it. */
export function planThread(db: DatabaseSync, m: ThreadInput): ThreadPlan {
  const ids = [...new Set([...(m.messageId ? [m.messageId] : []), ...m.refs])];
  const found = new Set<number>();
  // Ids not seen before; the others end up in `thread` through the merge in joinThread.
  const unknown: string[] = [];
  const lookup = statement(db, 'SELECT thread_id FROM thread_refs WHERE message_id = ?');
  for (const id of ids) {
    const row = lookup.get(id) as { thread_id: number } | undefined;
    if (row) found.add(row.thread_id);
    else unknown.push(id);
  }
  const base = baseSubject(m.subject);
  if (found.size === 0 && m.refs.length === 0 && isReplySubject(m.subject) && base && m.dateMs !== null) {
    // A range on date_ms (not abs()) so the (base_subject, date_ms) index reads only the window, newest first.
    const bySubject = statement(db, `SELECT m.thread_id FROM messages m JOIN folders f ON f.id = m.folder_id
      WHERE m.base_subject = ? AND m.date_ms > ? AND m.date_ms < ? AND f.account_id = ? AND m.id != ? AND m.thread_id IS NOT NULL
      ORDER BY m.date_ms DESC LIMIT 1`).get(base, m.dateMs - SUBJECT_WINDOW_MS, m.dateMs + SUBJECT_WINDOW_MS, m.accountId, m.id) as { thread_id: number } | undefined;
    if (bySubject) found.add(bySubject.thread_id);
  }
  return { thread: found.size ? Math.min(...found) : m.id, baseSubject: base, found, unknown };
}

/** Merges the threads the message connected and records the ids it named, once its row holds plan.thread. */
export function joinThread(db: DatabaseSync, plan: ThreadPlan): void {
  for (const other of plan.found) {
    if (other === plan.thread) continue;
    statement(db, 'UPDATE messages SET thread_id = ? WHERE thread_id = ?').run(plan.thread, other);
    statement(db, 'UPDATE thread_refs SET thread_id = ? WHERE thread_id = ?').run(plan.thread, other);
  }
  const remember = statement(db, 'INSERT INTO thread_refs (message_id, thread_id) VALUES (?, ?) ON CONFLICT (message_id) DO UPDATE SET thread_id = excluded.thread_id');
  for (const id of plan.unknown) remember.run(id, plan.thread);
}
