import { expect, it } from 'vitest';
import { useTempStore } from '../../../helpers/temp-store.ts';
import type { MailStore, HeaderInput } from '../../../../src-protocol/store/mail-store.ts';

let store: MailStore;
useTempStore('postern-threads-', (s) => {
  store = s;
});

const msg = (uid: number, messageId: string, refs: string[] = [], subject = `Topic ${messageId}`): HeaderInput => ({
  uid, subject, from: [{ name: 'A', address: 'a@example.test' }], date_ms: Date.UTC(2024, 0, 1) + uid * 60_000,
  flags: [], size: 10, has_attachments: false, message_id: messageId, refs,
});

/** The message ids of each conversation, as sets, whatever the thread ids are. */
function conversations(folderId: number): string[][] {
  const byThread = new Map<number, string[]>();
  for (const t of store.listThreads('work', folderId, 100)) {
    byThread.set(t.thread_id, store.threadMessages(t.thread_id).map((m) => m.message_id ?? '').sort());
  }
  return [...byThread.values()].sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

it('joins replies that arrive before their parent, and merges two half-threads a later message connects', () => {
  const folder = store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' });
  // Two replies to <a> arrive first, in separate batches; then <x>, which knows nothing of <a>.
  store.insertHeaders(folder.id, [msg(1, '<b>', ['<a>'])]);
  store.insertHeaders(folder.id, [msg(2, '<c>', ['<a>', '<b>']), msg(3, '<x>')]);
  // <y> replies to <x> and names <c>: the two conversations become one.
  store.insertHeaders(folder.id, [msg(4, '<y>', ['<x>', '<c>'])]);
  store.insertHeaders(folder.id, [msg(5, '<a>'), msg(6, '<lonely>')]);
  expect(conversations(folder.id)).toEqual([['<a>', '<b>', '<c>', '<x>', '<y>'], ['<lonely>']]);
  // Every id named so far points at the one merged thread: a late reply to any of them joins it.
  store.insertHeaders(folder.id, [msg(7, '<z>', ['<b>'])]);
  expect(conversations(folder.id)[0]).toEqual(['<a>', '<b>', '<c>', '<x>', '<y>', '<z>']);
});
