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
  id: number;
  accountId: string;
  messageId: string | null;
  /** In-Reply-To and References, oldest first. */
  refs: string[];
  subject: string;
  dateMs: number | null;
}

/** Gives message `id` its thread, merging threads it connects. Call inside a transaction. */
export function assignThread(db: DatabaseSync, m: ThreadInput): number {
  const ids = [...new Set([...(m.messageId ? [m.messageId] : []), ...m.refs])];
  const found = new Set<number>();
  // Ids not seen before; the others end up in `thread` through the merge below.
  const unknown: string[] = [];
  const lookup = statement(db, 'SELECT thread_id FROM thread_refs WHERE message_id = ?');
  for (const id of ids) {
    const row = lookup.get(id) as { thread_id: number } | undefined;
    if (row) found.add(row.thread_id);
    else unknown.push(id);
  }
  const base = baseSubject(m.subject);
  if (found.size === 0 && m.refs.length === 0 && isReplySubject(m.subject) && base && m.dateMs !== null) {
    const bySubject = statement(db, `SELECT m.thread_id FROM messages m JOIN folders f ON f.id = m.folder_id
      WHERE f.account_id = ? AND m.base_subject = ? AND m.id != ? AND m.thread_id IS NOT NULL AND abs(coalesce(m.date_ms, 0) - ?) < ?
      ORDER BY m.date_ms DESC LIMIT 1`).get(m.accountId, base, m.id, m.dateMs, SUBJECT_WINDOW_MS) as { thread_id: number } | undefined;
    if (bySubject) found.add(bySubject.thread_id);
  }
  const thread = found.size ? Math.min(...found) : m.id;
  for (const other of found) {
    if (other === thread) continue;
    statement(db, 'UPDATE messages SET thread_id = ? WHERE thread_id = ?').run(thread, other);
    statement(db, 'UPDATE thread_refs SET thread_id = ? WHERE thread_id = ?').run(thread, other);
  }
  const remember = statement(db, 'INSERT INTO thread_refs (message_id, thread_id) VALUES (?, ?) ON CONFLICT (message_id) DO UPDATE SET thread_id = excluded.thread_id');
  for (const id of unknown) remember.run(id, thread);
  statement(db, 'UPDATE messages SET thread_id = ?, base_subject = ? WHERE id = ?').run(thread, base, m.id);
  return thread;
}
