import { beforeEach, describe, expect, it } from 'vitest';
import { useTempStore } from '../../../helpers/temp-store.ts';
import type { MailStore, FolderInput, FolderRow, HeaderInput } from '../../../../src-protocol/store/mail-store.ts';

let store: MailStore;
useTempStore('postern-store-', (s) => {
  store = s;
});

const folderInput = (path: string, special_use: string | null = null): FolderInput => ({
  path, name: path.split('/').at(-1) ?? path, delimiter: '/', special_use,
});

function header(uid: number, over: Partial<HeaderInput> = {}): HeaderInput {
  return {
    uid,
    subject: `Message ${uid}`,
    from: [{ name: 'Alice', address: 'alice@example.test' }],
    date_ms: Date.UTC(2024, 0, 1) + uid * 60_000,
    flags: [],
    size: 100 + uid,
    has_attachments: false,
    message_id: `<m${uid}@example.test>`,
    ...over,
  };
}

function folderOf(accountId: string, path: string): FolderRow {
  const row = store.folder(accountId, path);
  if (!row) throw new Error(`no folder ${accountId}/${path}`);
  return row;
}

const uidsOf = (folderId: number): number[] => store.listMessages(folderId, 1000, 0).map((m) => m.uid);

describe('folders', () => {
  it('replaceFolders adds, updates and removes to match the server, for that account only', () => {
    store.replaceFolders('work', [folderInput('INBOX', 'inbox'), folderInput('Sent', 'sent'), folderInput('Old')]);
    store.replaceFolders('home', [folderInput('INBOX', 'inbox')]);
    const inboxId = folderOf('work', 'INBOX').id;
    const sentId = folderOf('work', 'Sent').id;
    store.insertHeaders(inboxId, [header(1)]);
    store.insertHeaders(sentId, [header(2)]);

    store.replaceFolders('work', [
      { path: 'INBOX', name: 'Inbox', delimiter: '.', special_use: 'inbox' },
      folderInput('Sent', 'archive'),
      folderInput('Projects/Postern'),
    ]);

    const work = store.listFolders('work');
    expect(work.map((f) => [f.path, f.name, f.delimiter, f.special_use])).toEqual([
      ['INBOX', 'Inbox', '.', 'inbox'],
      ['Projects/Postern', 'Postern', '/', null],
      ['Sent', 'Sent', '/', 'archive'],
    ]);
    // An updated folder keeps its id, so its messages stay.
    expect(folderOf('work', 'INBOX').id).toBe(inboxId);
    expect(uidsOf(inboxId)).toEqual([1]);
    expect(uidsOf(sentId)).toEqual([2]);
    expect(store.listFolders('home').map((f) => f.path)).toEqual(['INBOX']);
  });

  it('a folder that disappears from the server takes its messages with it', () => {
    store.replaceFolders('work', [folderInput('INBOX'), folderInput('Gone')]);
    const gone = folderOf('work', 'Gone');
    store.insertHeaders(gone.id, [header(1), header(2)]);
    store.replaceFolders('work', [folderInput('INBOX')]);
    expect(store.folder('work', 'Gone')).toBeUndefined();
    expect(store.db.prepare('SELECT count(*) AS n FROM messages WHERE folder_id = ?').get(gone.id)).toEqual({ n: 0 });
  });

  it('ensureFolder creates once and then returns the existing row unchanged', () => {
    const a = store.ensureFolder('work', folderInput('INBOX', 'inbox'));
    const b = store.ensureFolder('work', { path: 'INBOX', name: 'Other name', delimiter: null, special_use: null });
    expect(b.id).toBe(a.id);
    expect(b.name).toBe('INBOX');
    expect(b.special_use).toBe('inbox');
    expect(store.listFolders('work')).toHaveLength(1);
  });
});

describe('message headers', () => {
  let folderId: number;
  beforeEach(() => {
    folderId = store.ensureFolder('work', folderInput('INBOX')).id;
  });

  it('listMessages gives newest first: date descending, then UID descending, undated last', () => {
    const day = Date.UTC(2024, 4, 1);
    store.insertHeaders(folderId, [
      header(1, { date_ms: day }),
      header(2, { date_ms: day + 1000 }),
      header(3, { date_ms: day }),
      header(4, { date_ms: null }),
      header(5, { date_ms: day - 1000 }),
    ]);
    expect(uidsOf(folderId)).toEqual([2, 3, 1, 5, 4]);
    expect(store.listMessages(folderId, 2, 1).map((m) => m.uid)).toEqual([3, 1]);
  });

  it('listMessages sorts the whole folder by sender, subject or size, page by page, ties newest first', () => {
    store.insertHeaders(folderId, [
      header(1, { from: [{ name: '', address: 'zed@example.test' }], subject: 'Re: banana', size: 300 }),
      header(2, { from: [{ name: 'bob', address: 'b@example.test' }], subject: 'apple', size: 100 }),
      header(3, { from: [{ name: 'Alice', address: 'z@example.test' }], subject: 'Cherry', size: 200 }),
      header(4, { from: [{ name: 'Bob', address: 'b2@example.test' }], subject: 'banana split', size: 50 }),
    ]);
    const by = (sort: 'sender' | 'subject' | 'size', descending: boolean, limit = 10, offset = 0) =>
      store.listMessages(folderId, limit, offset, { sort, descending }).map((m) => m.uid);
    // The name when there is one, else the address; case does not count; equal names newest first.
    expect(by('sender', false)).toEqual([3, 4, 2, 1]);
    expect(by('sender', true)).toEqual([1, 4, 2, 3]);
    // "Re:" does not count, case does not count.
    expect(by('subject', false)).toEqual([2, 1, 4, 3]);
    expect(by('size', true)).toEqual([1, 3, 2, 4]);
    // Pages follow the order: the second page of two is the rest of it.
    expect(by('size', false, 2, 2)).toEqual([3, 1]);
  });

  it('stores every header field and reads it back as rows', () => {
    store.insertHeaders(folderId, [header(7, {
      subject: 'Grüße', from: [{ name: 'Ünal', address: 'u@example.test' }], flags: ['\\Seen', '\\Flagged'],
      size: 4242, has_attachments: true, message_id: '<x@y>', date_ms: 1_700_000_000_000,
    })]);
    const [row] = store.listMessages(folderId, 10, 0);
    expect(row).toMatchObject({
      folder_id: folderId, account_id: 'work', folder_path: 'INBOX', uid: 7, subject: 'Grüße',
      date_ms: 1_700_000_000_000, size: 4242, has_attachments: 1, message_id: '<x@y>', blob_sha256: null,
    });
    expect(JSON.parse(row?.from_json ?? '')).toEqual([{ name: 'Ünal', address: 'u@example.test' }]);
    expect(JSON.parse(row?.flags_json ?? '')).toEqual(['\\Seen', '\\Flagged']);
  });

  it('inserting a UID again updates its flags and keeps one row', () => {
    store.insertHeaders(folderId, [header(1, { flags: [] })]);
    store.insertHeaders(folderId, [header(1, { subject: 'changed?', flags: ['\\Seen'] })]);
    const rows = store.listMessages(folderId, 10, 0);
    expect(rows).toHaveLength(1);
    expect(JSON.parse(rows[0]?.flags_json ?? '')).toEqual(['\\Seen']);
    expect(store.localCounts(folderId)).toEqual({ total: 1, unread: 0 });
  });

  it('a header batch counts each sender once per message for address completion, as one message at a time would', () => {
    const f = store.ensureFolder('a', folderInput('INBOX', 'inbox'));
    const g = store.ensureFolder('a', folderInput('Lists'));
    const from = (name: string, address: string): Pick<HeaderInput, 'from'> => ({ from: [{ name, address }] });
    // Earlier, one at a time: the contact exists with no name yet.
    store.insertHeaders(g.id, [header(1, { ...from('', 'ann@example.test'), date_ms: Date.UTC(2024, 5, 1) })]);
    store.insertHeaders(f.id, [
      header(1, { ...from('', 'ANN@example.test'), date_ms: Date.UTC(2024, 0, 1) }),
      header(2, { ...from('Ann Lee', 'ann@example.test'), date_ms: Date.UTC(2024, 2, 1) }),
      header(3, { ...from('Someone Else', 'Ann@Example.test'), date_ms: Date.UTC(2024, 1, 1) }),
      header(4, { from: [{ name: 'Bo', address: 'bo@example.test' }, { name: '', address: '' }] }),
    ]);
    // A UID held already is not counted again.
    store.insertHeaders(f.id, [header(2, from('Ann Lee', 'ann@example.test'))]);
    const ann = store.contacts.search('ann', 10);
    expect(ann).toEqual([{ address: 'ann@example.test', name: 'Ann Lee', received: 4, sent: 0 }]);
    expect(store.contacts.search('bo', 10)).toEqual([{ address: 'bo@example.test', name: 'Bo', received: 1, sent: 0 }]);
    const last = store.db.prepare('SELECT last_ms FROM contacts WHERE address = ?').get('ann@example.test') as { last_ms: number };
    expect(last.last_ms).toBe(Date.UTC(2024, 5, 1));
  });

  it('localCounts counts messages without \\Seen as unread', () => {
    expect(store.localCounts(folderId)).toEqual({ total: 0, unread: 0 });
    store.insertHeaders(folderId, [
      header(1, { flags: ['\\Seen'] }),
      header(2, { flags: [] }),
      header(3, { flags: ['\\Flagged'] }),
      header(4, { flags: ['\\Seen', '\\Answered'] }),
      // A keyword that merely contains the word is not \Seen.
      header(5, { flags: ['Seen'] }),
    ]);
    expect(store.localCounts(folderId)).toEqual({ total: 5, unread: 3 });
  });

  it('updateFlagsByUid changes flags and the unread count; unknown UIDs change nothing', () => {
    store.insertHeaders(folderId, [header(1), header(2), header(3)]);
    store.updateFlagsByUid(folderId, [{ uid: 1, flags: ['\\Seen'] }, { uid: 2, flags: ['\\Seen', '\\Flagged'] }, { uid: 99, flags: ['\\Seen'] }]);
    expect(store.localCounts(folderId)).toEqual({ total: 3, unread: 1 });
    expect(store.knownUids(folderId)).toEqual(new Map([
      [1, JSON.stringify(['\\Seen'])],
      [2, JSON.stringify(['\\Seen', '\\Flagged'])],
      [3, '[]'],
    ]));
    store.updateFlagsByUid(folderId, [{ uid: 2, flags: [] }]);
    expect(store.localCounts(folderId)).toEqual({ total: 3, unread: 2 });
  });

  it('removeUids deletes exactly those UIDs of that folder', () => {
    const other = store.ensureFolder('work', folderInput('Archive')).id;
    store.insertHeaders(folderId, [header(1), header(2), header(3)]);
    store.insertHeaders(other, [header(2)]);
    store.removeUids(folderId, [2, 3, 42]);
    expect(uidsOf(folderId)).toEqual([1]);
    expect(uidsOf(other)).toEqual([2]);
  });

  it('setMessageFlags on one message changes its flags and seen state', () => {
    store.insertHeaders(folderId, [header(1)]);
    const id = store.listMessages(folderId, 1, 0)[0]?.id ?? 0;
    store.setMessageFlags(id, ['\\Seen']);
    expect(store.message(id)?.flags_json).toBe('["\\\\Seen"]');
    expect(store.localCounts(folderId).unread).toBe(0);
  });

  it('a throw inside transaction() rolls back everything done in it', () => {
    store.insertHeaders(folderId, [header(1)]);
    expect(() => store.transaction(() => {
      store.db.prepare('DELETE FROM messages WHERE folder_id = ?').run(folderId);
      throw new Error('half way');
    })).toThrow('half way');
    expect(uidsOf(folderId)).toEqual([1]);
  });

  it('a batch with a bad header is not half stored', () => {
    // NOT NULL on subject: the second header fails, the first must not stay.
    const bad = { ...header(2), subject: null } as unknown as HeaderInput;
    expect(() => store.insertHeaders(folderId, [header(1), bad])).toThrow();
    expect(uidsOf(folderId)).toEqual([]);
  });
});

describe('resetFolderIfUidValidityChanged', () => {
  it('the first UIDVALIDITY is recorded and is not reported as a reset', () => {
    const folder = store.ensureFolder('work', folderInput('INBOX'));
    expect(store.resetFolderIfUidValidityChanged(folder, 1000)).toBe(false);
    expect(folderOf('work', 'INBOX').uidvalidity).toBe(1000);
  });

  it('the same UIDVALIDITY keeps the cached messages and UIDNEXT', () => {
    const folder = store.ensureFolder('work', folderInput('INBOX'));
    store.resetFolderIfUidValidityChanged(folder, 1000);
    store.insertHeaders(folder.id, [header(1), header(2)]);
    store.setUidNext(folder.id, 3);
    expect(store.resetFolderIfUidValidityChanged(folderOf('work', 'INBOX'), 1000)).toBe(false);
    expect(uidsOf(folder.id)).toEqual([2, 1]);
    expect(folderOf('work', 'INBOX').uidnext).toBe(3);
  });

  it('a new UIDVALIDITY drops that folder\'s messages and UIDNEXT, and only that folder\'s', () => {
    const inbox = store.ensureFolder('work', folderInput('INBOX'));
    const sent = store.ensureFolder('work', folderInput('Sent'));
    store.resetFolderIfUidValidityChanged(inbox, 1000);
    store.insertHeaders(inbox.id, [header(1), header(2)]);
    store.insertHeaders(sent.id, [header(1)]);
    store.setUidNext(inbox.id, 3);

    expect(store.resetFolderIfUidValidityChanged(folderOf('work', 'INBOX'), 2000)).toBe(true);
    const after = folderOf('work', 'INBOX');
    expect(after.uidvalidity).toBe(2000);
    expect(after.uidnext).toBeNull();
    expect(uidsOf(inbox.id)).toEqual([]);
    expect(store.localCounts(inbox.id)).toEqual({ total: 0, unread: 0 });
    expect(uidsOf(sent.id)).toEqual([1]);
  });
});

describe('messages by id', () => {
  it('message(id) joins the account and the folder path; an unknown id is undefined', () => {
    const folder = store.ensureFolder('work', folderInput('Lists/Dev'));
    store.insertHeaders(folder.id, [header(5)]);
    const id = store.listMessages(folder.id, 1, 0)[0]?.id ?? 0;
    expect(store.message(id)).toMatchObject({ id, account_id: 'work', folder_path: 'Lists/Dev', folder_id: folder.id, uid: 5 });
    expect(store.message(id + 1000)).toBeUndefined();
  });

  it('setBlob records the stored copy, and has_attachments only when given', () => {
    const folder = store.ensureFolder('work', folderInput('INBOX'));
    store.insertHeaders(folder.id, [header(1, { has_attachments: true })]);
    const id = store.listMessages(folder.id, 1, 0)[0]?.id ?? 0;
    const sha = 'ab'.repeat(32);

    store.setBlob(id, sha);
    expect(store.message(id)).toMatchObject({ blob_sha256: sha, has_attachments: 1 });
    store.setBlob(id, sha, false);
    expect(store.message(id)).toMatchObject({ blob_sha256: sha, has_attachments: 0 });
    store.setBlob(id, sha, true);
    expect(store.message(id)?.has_attachments).toBe(1);
  });

  it('storeBodies records a batch of stored copies with their words at once, where packed ones are, and a row without words stays unindexed', () => {
    const folder = store.ensureFolder('work', folderInput('INBOX'));
    store.insertHeaders(folder.id, [header(1, { has_attachments: true }), header(2), header(3)]);
    const [a, b] = store.idsForUids(folder.id, [1, 2]) as [number, number];
    store.storeBodies([
      { id: a, sha256: 'aa'.repeat(32), packed: { pack: `${'c'.repeat(24)}.pack`, offset: 512, length: 2048 }, index: { body: 'the quarterly zanzibar figures', attachmentNames: ['budget.xlsx'], hasAttachments: false } },
      { id: b, sha256: 'bb'.repeat(32), packed: null, index: null },
    ]);
    expect(store.packedAt('aa'.repeat(32))).toEqual({ pack: `${'c'.repeat(24)}.pack`, offset: 512, length: 2048 });
    expect(store.packedAt('bb'.repeat(32))).toBeNull();
    expect(store.message(a)).toMatchObject({ blob_sha256: 'aa'.repeat(32), has_attachments: 0 });
    expect(store.search('zanzibar', { limit: 10 }).map((m) => m.id)).toEqual([a]);
    expect(store.search('budget', { limit: 10 }).map((m) => m.id)).toEqual([a]);
    // Still found by its header words after the body joined the index.
    expect(store.search('subject:"Message 1"', { limit: 10 }).map((m) => m.id)).toContain(a);
    expect(store.messagesNotIndexed(0, 10).map((m) => m.id)).toEqual([b]);
    expect(store.message(b)?.blob_sha256).toBe('bb'.repeat(32));
  });

  it('storeBodies takes words as UTF-8 bytes (a view of a larger buffer) and indexes just those', () => {
    const folder = store.ensureFolder('work', folderInput('INBOX'));
    store.insertHeaders(folder.id, [header(1), header(2)]);
    const [a, b] = store.idsForUids(folder.id, [1, 2]) as [number, number];
    const shared = Buffer.from('outside Crème brûlée\r\nrecipe outside');
    const view = shared.subarray('outside '.length, shared.length - ' outside'.length);
    store.storeBodies([
      { id: b, sha256: 'bb'.repeat(32), packed: null, index: { body: view, attachmentNames: [], hasAttachments: false } },
      { id: a, sha256: 'aa'.repeat(32), packed: null, index: { body: 'plain string words', attachmentNames: [], hasAttachments: false } },
    ]);
    expect(store.search('creme brulee recipe', { limit: 10 }).map((m) => m.id)).toEqual([b]);
    expect(store.search('"brûlée recipe"', { limit: 10 }).map((m) => m.id)).toEqual([b]);
    expect(store.search('outside', { limit: 10 })).toEqual([]);
    expect(store.search('string', { limit: 10 }).map((m) => m.id)).toEqual([a]);
    const stored = store.db.prepare('SELECT typeof(x.body) AS t, x.body FROM messages_fts x JOIN messages m ON m.sort_key = x.rowid WHERE m.id = ?')
      .get(b) as { t: string; body: string };
    expect(stored).toEqual({ t: 'text', body: 'Crème brûlée\r\nrecipe' });
  });

  it('a header sync leaves the index entries to later; a search writes what is left before it looks', () => {
    const inbox = store.ensureFolder('work', folderInput('INBOX')).id;
    const other = store.ensureFolder('home', folderInput('INBOX')).id;
    store.insertHeaders(inbox, [header(1, { subject: 'Quokka census' }), header(2), header(3)]);
    store.insertHeaders(other, [header(4, { subject: 'Quokka photos' })]);
    const entries = () => (store.db.prepare('SELECT count(*) AS n FROM messages_fts').get() as { n: number }).n;
    expect(entries()).toBe(0);
    expect(store.pendingHeaderIndex()).toBe(4);
    expect(store.pendingHeaderIndex('work')).toBe(3);
    // One account's rows, a batch at a time.
    expect(store.indexPendingHeaders(2, 'work')).toBe(2);
    expect(store.indexPendingHeaders(2, 'work')).toBe(1);
    expect(store.indexPendingHeaders(2, 'work')).toBe(0);
    expect(store.pendingHeaderIndex('home')).toBe(1);
    // The other account's row is found all the same: the search writes it first.
    expect(store.search('quokka', { limit: 10 }).map((m) => m.subject).sort()).toEqual(['Quokka census', 'Quokka photos']);
    expect(store.pendingHeaderIndex()).toBe(0);
    expect(entries()).toBe(4);
  });

  it('a body stored before its header entry writes the whole entry once; the row is then not waiting', () => {
    const folder = store.ensureFolder('work', folderInput('INBOX'));
    store.insertHeaders(folder.id, [header(1, { subject: 'Wombat report' }), header(2)]);
    const [a] = store.idsForUids(folder.id, [1]) as [number];
    store.storeBodies([{ id: a, sha256: 'aa'.repeat(32), packed: null, index: { body: 'burrows everywhere', attachmentNames: [], hasAttachments: false } }]);
    expect(store.pendingHeaderIndex()).toBe(1);
    expect(store.indexPendingHeaders(10)).toBe(1);
    expect(store.search('wombat burrows', { limit: 10 }).map((m) => m.id)).toEqual([a]);
    expect((store.db.prepare('SELECT count(*) AS n FROM messages_fts').get() as { n: number }).n).toBe(2);
  });

  it('a message stored here (POP3, a local Sent copy) is in the index at once', () => {
    const folder = store.ensureFolder('work', folderInput('Sent', 'sent'));
    const id = store.insertLocalMessage(folder.id, { ...header(0, { subject: 'Numbat plans' }), blob_sha256: 'cc'.repeat(32) });
    expect(store.pendingHeaderIndex()).toBe(0);
    expect((store.db.prepare('SELECT m.id FROM messages_fts JOIN messages m ON m.sort_key = messages_fts.rowid WHERE messages_fts MATCH ?')
      .all('numbat') as { id: number }[]).map((r) => r.id)).toEqual([id]);
  });

  it('serverUidCount counts the messages the server knows, not local placeholders', () => {
    const folder = store.ensureFolder('work', folderInput('INBOX'));
    store.insertHeaders(folder.id, [header(1), header(2), header(3)]);
    store.moveLocally(store.idsForUids(folder.id, [3])[0] as number, folder.id, -3);
    expect(store.serverUidCount(folder.id)).toBe(2);
    expect(store.localCounts(folder.id).total).toBe(3);
  });

  it('setServerCounts records what the server said, apart from the local counts', () => {
    const folder = store.ensureFolder('work', folderInput('INBOX'));
    store.setServerCounts(folder.id, 120, 7);
    expect(folderOf('work', 'INBOX')).toMatchObject({ server_total: 120, server_unread: 7 });
    expect(store.localCounts(folder.id)).toEqual({ total: 0, unread: 0 });
  });
});

describe('removeAccount', () => {
  it('removes the account\'s folders and, through them, its messages; other accounts stay', () => {
    store.replaceFolders('work', [folderInput('INBOX'), folderInput('Sent')]);
    store.replaceFolders('home', [folderInput('INBOX')]);
    for (const f of [...store.listFolders('work'), ...store.listFolders('home')]) store.insertHeaders(f.id, [header(1), header(2)]);

    store.removeAccount('work');

    expect(store.listFolders('work')).toEqual([]);
    const left = store.db.prepare('SELECT f.account_id AS account, count(*) AS n FROM messages m JOIN folders f ON f.id = m.folder_id GROUP BY f.account_id').all();
    expect(left).toEqual([{ account: 'home', n: 2 }]);
    expect(store.db.prepare('SELECT count(*) AS n FROM messages').get()).toEqual({ n: 2 });
  });
});

describe('search order', () => {
  let folderId: number;
  const day = Date.UTC(2024, 4, 1);
  const ids = (query: string, limit = 100) => store.search(query, { limit }).map((m) => m.uid);
  const entries = () => (store.db.prepare('SELECT count(*) AS n FROM messages_fts').get() as { n: number }).n;
  beforeEach(() => {
    folderId = store.ensureFolder('work', folderInput('INBOX')).id;
  });

  it('answers the newest hits first, by date, whatever order they were stored in; the limit keeps the newest', () => {
    // Stored out of date order, over three batches, as a sync of older mail and new arrivals would.
    store.insertHeaders(folderId, [header(5, { date_ms: day + 5 * 86_400_000, subject: 'Kiwi five' }), header(1, { date_ms: day + 86_400_000, subject: 'Kiwi one' })]);
    store.insertHeaders(folderId, [header(9, { date_ms: null, subject: 'Kiwi undated' }), header(3, { date_ms: day + 3 * 86_400_000, subject: 'Kiwi three' })]);
    store.insertHeaders(folderId, [header(7, { date_ms: day + 7 * 86_400_000, subject: 'Kiwi seven' }), header(2, { date_ms: Date.UTC(1969, 6, 20), subject: 'Kiwi moon' })]);
    expect(ids('kiwi')).toEqual([7, 5, 3, 1, 2, 9]);
    expect(ids('kiwi', 2)).toEqual([7, 5]);
    // Without words the same order, from the messages themselves.
    expect(ids('is:unread')).toEqual([7, 5, 3, 1, 2, 9]);
    expect(ids('is:unread', 3)).toEqual([7, 5, 3]);
  });

  it('messages of the same second: the one stored later first, as the list shows them', () => {
    store.insertHeaders(folderId, [header(1, { date_ms: day, subject: 'Tui first' })]);
    store.insertHeaders(folderId, [header(2, { date_ms: day, subject: 'Tui second' }), header(3, { date_ms: day, subject: 'Tui third' })]);
    expect(ids('tui')).toEqual([3, 2, 1]);
    expect(ids('tui')).toEqual(uidsOf(folderId));
  });

  it('before: and after: take whole days, exactly at the edges, and reach mail dated before 1970', () => {
    store.insertHeaders(folderId, [
      header(1, { date_ms: day - 1000, subject: 'Weka eve' }),
      header(2, { date_ms: day, subject: 'Weka midnight' }),
      header(3, { date_ms: day + 86_400_000 - 1000, subject: 'Weka late' }),
      header(4, { date_ms: Date.UTC(1955, 0, 1), subject: 'Weka old' }),
      header(5, { date_ms: Date.UTC(2150, 0, 1), subject: 'Weka future' }),
    ]);
    expect(ids('after:2024-05-01 before:2024-05-02')).toEqual([3, 2]);
    expect(ids('before:2024-05-01 weka')).toEqual([1, 4]);
    expect(ids('before:1960-01-01')).toEqual([4]);
    expect(ids('after:2100-01-01')).toEqual([5]);
    expect(ids('before:2200-01-01 after:2100-01-01')).toEqual([5]);
  });

  it('leaves no index entry behind when messages go, by any road', () => {
    const other = store.ensureFolder('work', folderInput('Other')).id;
    store.insertHeaders(folderId, [header(1, { subject: 'Moa' }), header(2, { subject: 'Moa' }), header(3, { subject: 'Moa' })]);
    store.insertHeaders(other, [header(1, { subject: 'Moa' }), header(2, { subject: 'Moa' })]);
    store.indexPendingHeaders(100);
    expect(entries()).toBe(5);
    store.removeUids(folderId, [1]);
    expect(entries()).toBe(4);
    store.removeMessage(store.idsForUids(folderId, [2])[0] as number);
    expect(entries()).toBe(3);
    store.deleteFolder(other);
    expect(entries()).toBe(1);
    store.removeAccount('work');
    expect(entries()).toBe(0);
    expect(store.search('moa', { limit: 10 })).toEqual([]);
  });

  it('a message stored in a second whose last key was freed takes that key, and only its own words', () => {
    store.insertHeaders(folderId, [header(1, { date_ms: day, subject: 'Kakapo' }), header(2, { date_ms: day, subject: 'Kea' })]);
    store.indexPendingHeaders(100);
    store.removeUids(folderId, [2]);
    store.insertHeaders(folderId, [header(3, { date_ms: day, subject: 'Takahe' })]);
    expect(ids('kea')).toEqual([]);
    expect(ids('takahe')).toEqual([3]);
    expect(ids('kakapo')).toEqual([1]);
  });
});

describe('listByRole (the unified inbox)', () => {
  it('merges every account\'s folder of the role, newest first, undated last, page by page', () => {
    const work = store.ensureFolder('work', folderInput('INBOX', 'inbox')).id;
    const home = store.ensureFolder('home', folderInput('Posteingang', 'inbox')).id;
    const sent = store.ensureFolder('work', folderInput('Sent', 'sent')).id;
    const day = Date.UTC(2024, 4, 1);
    store.insertHeaders(work, [header(1, { date_ms: day + 3000, subject: 'w3' }), header(2, { date_ms: day + 1000, subject: 'w1' }), header(3, { date_ms: null, subject: 'w-undated' })]);
    store.insertHeaders(home, [header(1, { date_ms: day + 2000, subject: 'h2' }), header(2, { date_ms: day + 4000, subject: 'h4' }), header(3, { date_ms: day + 1000, subject: 'h1' })]);
    store.insertHeaders(sent, [header(1, { date_ms: day + 5000, subject: 'sent' })]);
    const subjects = (limit: number, offset: number) => store.listByRole('inbox', limit, offset).map((m) => m.subject);
    // Same second in two accounts: the one stored later first, as in a folder.
    expect(subjects(10, 0)).toEqual(['h4', 'w3', 'h2', 'h1', 'w1', 'w-undated']);
    expect([...subjects(2, 0), ...subjects(2, 2), ...subjects(2, 4)]).toEqual(subjects(10, 0));
    expect(subjects(10, 6)).toEqual([]);
    expect(store.listByRole('sent', 10, 0).map((m) => m.subject)).toEqual(['sent']);
  });
});
