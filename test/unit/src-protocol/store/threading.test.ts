import { expect, it } from 'vitest';
import { useTempStore } from '../../../helpers/temp-store.ts';
import { MailStore, type HeaderInput } from '../../../../src-protocol/store/mail-store.ts';
import { openDatabase } from '../../../../src-protocol/store/database.ts';

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

/** A second store in memory, to compare with. */
function referenceStore(): MailStore {
  return new MailStore(openDatabase(':memory:'));
}

function conversationsOf(s: MailStore, folderId: number): string[][] {
  const byThread = new Map<number, string[]>();
  for (const t of s.listThreads('work', folderId, 1000)) byThread.set(t.thread_id, s.threadMessages(t.thread_id).map((m) => m.message_id ?? '').sort());
  return [...byThread.values()].sort((a, b) => (a[0] ?? '').localeCompare(b[0] ?? ''));
}

it('rows a header sync links later end in the same conversations as rows linked when stored, whatever the mix', () => {
  // Conversations of several shapes, delivered out of order in small batches: replies before
  // parents, a message connecting two halves, a reply found only by its "Re:" subject.
  const mail: HeaderInput[] = [
    msg(1, '<p2>', ['<p1>']), msg(2, '<q1>'), msg(3, '<p3>', ['<p1>', '<p2>']), msg(4, '<r1>', [], 'Budget'),
    msg(5, '<q2>', ['<q1>']), msg(6, '<bridge>', ['<q2>', '<p3>']), msg(7, '<p1>'), msg(8, '<r2>', [], 'Re: Budget'),
    msg(9, '<solo>'), msg(10, '<q3>', ['<q2>']), msg(11, '<r3>', [], 'RE: budget'), msg(12, '<late>', ['<p1>']),
  ];
  const reference = referenceStore();
  const refFolder = reference.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' });
  for (let i = 0; i < mail.length; i += 2) reference.insertHeaders(refFolder.id, mail.slice(i, i + 2));
  const expected = conversationsOf(reference, refFolder.id);
  // <bridge> joins the p and q conversations; the r one is found by subject.
  expect(expected).toEqual([['<bridge>', '<late>', '<p1>', '<p2>', '<p3>', '<q1>', '<q2>', '<q3>'], ['<r1>', '<r2>', '<r3>'], ['<solo>']]);

  const folder = store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' });
  for (let i = 0; i < mail.length; i += 2) {
    // Every other batch is linked later; some links happen between batches, the rest on reading.
    store.insertHeaders(folder.id, mail.slice(i, i + 2), { linkLater: i % 4 === 0 });
    if (i === 4) store.linkPendingHeaders(1);
  }
  expect(store.pendingLinks()).toBeGreaterThan(0);
  expect(conversationsOf(store, folder.id)).toEqual(expected);
  expect(store.pendingLinks()).toBe(0);
  reference.db.close();
});

it('a row waiting to be linked stands alone; reading conversations or linking notes its sender; removing it ends the wait', () => {
  const folder = store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' });
  store.insertHeaders(folder.id, [msg(1, '<parent>')]);
  const [replyId] = store.insertHeaders(folder.id, [
    { ...msg(2, '<reply>', ['<parent>']), from: [{ name: 'Zoe Waiting', address: 'zoe@example.test' }] },
    msg(3, '<gone>', ['<parent>']),
  ], { linkLater: true });
  expect(store.pendingLinks('work')).toBe(2);
  // Not linked yet: the reply is in a conversation of its own, and its sender is not a contact yet.
  expect(store.db.prepare('SELECT thread_id FROM messages WHERE id = ?').get(replyId as number)).toEqual({ thread_id: replyId });
  expect(store.contacts.search('zoe', 5)).toEqual([]);

  // A message removed while waiting takes its wait with it.
  store.removeUids(folder.id, [3]);
  expect(store.pendingLinks('work')).toBe(1);

  // The conversation the person may still have on screen (named by the reply) is found where it went.
  const thread = store.threadMessages(replyId as number).map((m) => m.message_id);
  expect(thread).toEqual(['<parent>', '<reply>']);
  expect(store.pendingLinks()).toBe(0);
  expect(store.contacts.search('zoe', 5).map((c) => c.address)).toEqual(['zoe@example.test']);
});

it('a reply that joined a waiting row by its subject moves with it when the row is linked', () => {
  const folder = store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' });
  store.insertHeaders(folder.id, [msg(1, '<first>', [], 'Plans')]);
  // Waiting: it refers to <first>, but is in a conversation of its own until linked.
  store.insertHeaders(folder.id, [msg(2, '<second>', ['<first>'], 'Holiday')], { linkLater: true });
  // A reply with no references is matched by subject: it joins the waiting row's conversation.
  store.insertHeaders(folder.id, [msg(3, '<third>', [], 'Re: Holiday')]);
  expect(conversations(folder.id)).toEqual([['<first>', '<second>', '<third>']]);
});
