/**
 * The local copy of folders and message headers. All SQL lives here; the
 * rest of the engine speaks in rows.
 */
import type { DatabaseSync, SQLInputValue, StatementSync } from 'node:sqlite';
import { compileSearch } from './search-query.ts';
import { NEXT_SORT_KEY_SQL, SORT_KEY_SLOTS, sortKeyBase } from './sort-key.ts';
import { baseSubject, joinThread, planThread } from './threading.ts';
import { ContactsStore } from './contacts-store.ts';
import { statement } from './statements.ts';
import { LIMITS } from '../common/limits.ts';
import type { PackIndex, PackedAt } from './blob-store.ts';

/** How a folder's list is ordered (the contract's MessageSort; the store keeps its own name for it). */
export type ListSort = 'date' | 'sender' | 'subject' | 'size';

export interface FolderRow {
  id: number;
  account_id: string;
  path: string;
  name: string;
  delimiter: string | null;
  special_use: string | null;
  uidvalidity: number | null;
  uidnext: number | null;
  server_total: number | null;
  server_unread: number | null;
  highestmodseq: string | null;
  synced_at: number | null;
}

export interface FolderInput {
  path: string;
  name: string;
  delimiter: string | null;
  special_use: string | null;
}

export interface HeaderInput {
  uid: number;
  subject: string;
  from: { name: string; address: string }[];
  /** To and Cc, for display and for `to:` searches. */
  to?: { name: string; address: string }[];
  date_ms: number | null;
  flags: string[];
  size: number;
  has_attachments: boolean;
  message_id: string | null;
  /** In-Reply-To and References, for conversations. */
  refs?: string[];
}

/**
 * A body made durable in the blob store: its hash, where it sits when it
 * went into a pack, and its words for the index (null: indexed later).
 */
export interface StoredBody {
  id: number;
  sha256: string;
  packed: PackedAt | null;
  /** The body's words: a string, or UTF-8 bytes (see IndexBody in mime/index-text.ts). */
  index: { body: string | Uint8Array; attachmentNames: string[]; hasAttachments: boolean } | null;
}

export interface ThreadRow {
  thread_id: number;
  count: number;
  unread: number;
  flagged: number;
  has_attachments: number;
  latest_ms: number | null;
  latest_id: number;
  subject: string;
  folders_json: string;
  /** A JSON array of each message's from_json. */
  from_json: string;
}

export interface MessageRow {
  id: number;
  folder_id: number;
  account_id: string;
  folder_path: string;
  uid: number;
  subject: string;
  from_json: string;
  date_ms: number | null;
  flags_json: string;
  size: number;
  has_attachments: number;
  message_id: string | null;
  blob_sha256: string | null;
  partial: number;
}

const MESSAGE_COLUMNS = `m.id, m.folder_id, f.account_id, f.path AS folder_path, m.uid, m.subject, m.from_json,
  m.date_ms, m.flags_json, m.size, m.has_attachments, m.message_id, m.blob_sha256, m.partial`;

/** ORDER BY expressions for the list's sort keys; the same text as the indexes of migration 12. */
const SORT_EXPRESSIONS: Record<Exclude<ListSort, 'date'>, string> = {
  sender: "lower(coalesce(nullif(json_extract(m.from_json, '$[0].name'), ''), json_extract(m.from_json, '$[0].address'), ''))",
  subject: 'lower(m.base_subject)',
  size: 'm.size',
};

export class MailStore implements PackIndex {
  readonly db: DatabaseSync;

  readonly contacts: ContactsStore;

  constructor(db: DatabaseSync) {
    this.db = db;
    this.contacts = new ContactsStore(db);
  }

  /** A prepared statement, prepared once per connection (statements.ts). */
  #sql(sql: string): StatementSync {
    return statement(this.db, sql);
  }

  /** Runs `fn` in one transaction; a throw rolls everything back. */
  transaction<T>(fn: () => T): T {
    // Nested calls join the outer transaction (SQLite has no nested BEGIN).
    if (this.db.isTransaction) return fn();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = fn();
      this.db.exec('COMMIT');
      return result;
    } catch (err) {
      this.db.exec('ROLLBACK');
      throw err;
    }
  }

  /** Makes the stored folder list equal to the server's. */
  replaceFolders(accountId: string, folders: FolderInput[]): void {
    const upsert = this.#sql(`INSERT INTO folders (account_id, path, name, delimiter, special_use)
      VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (account_id, path) DO UPDATE SET name = excluded.name, delimiter = excluded.delimiter,
        special_use = excluded.special_use`);
    this.transaction(() => {
      for (const f of folders) upsert.run(accountId, f.path, f.name, f.delimiter, f.special_use);
      const keep = new Set(folders.map((f) => f.path));
      for (const row of this.listFolders(accountId)) {
        if (keep.has(row.path)) continue;
        this.#sql('DELETE FROM messages_fts WHERE rowid IN (SELECT sort_key FROM messages WHERE folder_id = ?)').run(row.id);
        this.#sql('DELETE FROM folders WHERE id = ?').run(row.id);
      }
    });
  }

  listFolders(accountId: string): FolderRow[] {
    return this.#sql('SELECT * FROM folders WHERE account_id = ? ORDER BY path').all(accountId) as unknown as FolderRow[];
  }

  folder(accountId: string, path: string): FolderRow | undefined {
    return this.#sql('SELECT * FROM folders WHERE account_id = ? AND path = ?').get(accountId, path) as unknown as FolderRow | undefined;
  }

  ensureFolder(accountId: string, input: FolderInput): FolderRow {
    this.#sql(`INSERT INTO folders (account_id, path, name, delimiter, special_use) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (account_id, path) DO NOTHING`).run(accountId, input.path, input.name, input.delimiter, input.special_use);
    return this.folder(accountId, input.path) as FolderRow;
  }

  renameFolder(folderId: number, path: string, name: string): void {
    this.#sql('UPDATE folders SET path = ?, name = ? WHERE id = ?').run(path, name, folderId);
  }

  deleteFolder(folderId: number): void {
    this.transaction(() => {
      this.#sql('DELETE FROM messages_fts WHERE rowid IN (SELECT sort_key FROM messages WHERE folder_id = ?)').run(folderId);
      this.#sql('DELETE FROM folders WHERE id = ?').run(folderId);
    });
  }

  setServerCounts(folderId: number, total: number, unread: number): void {
    this.#sql('UPDATE folders SET server_total = ?, server_unread = ? WHERE id = ?').run(total, unread, folderId);
  }

  /** Local counts, from the headers we hold. */
  localCounts(folderId: number): { total: number; unread: number } {
    // Two counts over indexes, no row read: (folder_id, uid) for the total, the unread-only index for the rest.
    const row = this.#sql(`SELECT (SELECT count(*) FROM messages WHERE folder_id = ?1) AS total,
      (SELECT count(*) FROM messages WHERE folder_id = ?1 AND seen = 0) AS unread`)
      .get(folderId) as { total: number; unread: number };
    return { total: row.total, unread: row.unread };
  }

  /** A new UIDVALIDITY means every cached UID is meaningless: drop them. */
  resetFolderIfUidValidityChanged(folder: FolderRow, uidvalidity: number): boolean {
    if (folder.uidvalidity === uidvalidity) return false;
    this.transaction(() => {
      this.#sql('DELETE FROM messages_fts WHERE rowid IN (SELECT sort_key FROM messages WHERE folder_id = ?)').run(folder.id);
      this.#sql('DELETE FROM messages WHERE folder_id = ?').run(folder.id);
      this.#sql('UPDATE folders SET uidvalidity = ?, uidnext = NULL, highestmodseq = NULL WHERE id = ?').run(uidvalidity, folder.id);
    });
    return folder.uidvalidity !== null;
  }

  setUidNext(folderId: number, uidnext: number | null): void {
    this.#sql('UPDATE folders SET uidnext = ? WHERE id = ?').run(uidnext, folderId);
  }

  /** Records where the next incremental sync starts (CONDSTORE). */
  setSyncState(folderId: number, state: { uidnext: number | null; highestmodseq: string | null }): void {
    this.#sql('UPDATE folders SET uidnext = ?, highestmodseq = ?, synced_at = ? WHERE id = ?')
      .run(state.uidnext, state.highestmodseq, Date.now(), folderId);
  }

  /** How many of the folder's messages have a server UID (see knownUids). */
  serverUidCount(folderId: number): number {
    return (this.#sql('SELECT count(*) AS n FROM messages WHERE folder_id = ? AND uid > 0').get(folderId) as { n: number }).n;
  }

  knownUids(folderId: number): Map<number, string> {
    // Placeholders (uid <= 0) of local moves the server has not done yet are not the server's to judge.
    const rows = this.#sql('SELECT uid, flags_json FROM messages WHERE folder_id = ? AND uid > 0').all(folderId) as { uid: number; flags_json: string }[];
    return new Map(rows.map((r) => [r.uid, r.flags_json]));
  }

  /**
   * Stores a batch of headers in one transaction; a row held already only
   * gets its flags. Answers the ids of the rows new to the store, in the
   * batch's order.
   *
   * `linkLater` (a header sync): each new row is stored in a conversation of
   * its own and its conversation and sender contact are worked out after the
   * list is ready (linkPendingHeaders). Planning the thread and noting the
   * contact was about a third of writing a header batch, and nobody looks at
   * either before the sync has answered; whoever reads them catches up first.
   */
  insertHeaders(folderId: number, headers: HeaderInput[], options: { linkLater?: boolean } = {}): number[] {
    // The row is written once, its thread and base subject included (planned before, joined after):
    // each extra UPDATE of a new row rewrote entries in several of its indexes.
    // DO NOTHING and run() say by `changes` whether the row is new; an upsert with RETURNING
    // read back through get() cost about twice as much per row (measured: 10k rows, 280 vs 125 ms).
    // New rows have no search-index entry yet (in_fts = 0): see indexPendingHeaders.
    // sort_key: the row's place in "newest first", the search index's rowid (store/sort-key.ts).
    const insert = this.#sql(`INSERT INTO messages (id, folder_id, uid, subject, from_json, to_json, date_ms, flags_json, seen, flagged, size, has_attachments, message_id, thread_id, base_subject, in_fts, sort_key)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ${NEXT_SORT_KEY_SQL}) ON CONFLICT (folder_id, uid) DO NOTHING`);
    const held = this.#sql('UPDATE messages SET flags_json = ?, seen = ?, flagged = ? WHERE folder_id = ? AND uid = ?');
    const pending = this.#sql('INSERT INTO headers_pending (id, refs_json) VALUES (?, ?)');
    const later = options.linkLater === true;
    const accountId = later ? '' : (this.#sql('SELECT account_id FROM folders WHERE id = ?').get(folderId) as { account_id: string } | undefined)?.account_id ?? '';
    return this.transaction(() => {
      const added: number[] = [];
      const received: { from: HeaderInput['from']; dateMs: number | null }[] = [];
      // The id SQLite would pick itself (no AUTOINCREMENT), known before the insert so the thread can be planned.
      let nextId = (this.#sql('SELECT coalesce(max(id), 0) + 1 AS id FROM messages').get() as { id: number }).id;
      for (const h of headers) {
        const plan = later
          ? { thread: nextId, baseSubject: baseSubject(h.subject), found: new Set<number>(), unknown: [] }
          : planThread(this.db, { id: nextId, accountId, messageId: h.message_id, refs: h.refs ?? [], subject: h.subject, dateMs: h.date_ms });
        const flags = JSON.stringify(h.flags);
        const seen = h.flags.includes('\\Seen') ? 1 : 0;
        const flagged = h.flags.includes('\\Flagged') ? 1 : 0;
        const keyBase = sortKeyBase(h.date_ms);
        const inserted = insert.run(nextId, folderId, h.uid, h.subject, JSON.stringify(h.from), JSON.stringify(h.to ?? []), h.date_ms, flags,
          seen, flagged, h.size, h.has_attachments ? 1 : 0, h.message_id, plan.thread, plan.baseSubject, keyBase, keyBase + SORT_KEY_SLOTS, keyBase);
        if (Number(inserted.changes) === 0) {
          // A row we held already only has its flags updated: its thread, index entry and contact stay.
          held.run(flags, seen, flagged, folderId, h.uid);
          continue;
        }
        const id = nextId++;
        added.push(id);
        if (later) {
          pending.run(id, JSON.stringify(h.refs ?? []));
          continue;
        }
        joinThread(this.db, plan);
        received.push({ from: h.from, dateMs: h.date_ms });
      }
      this.contacts.noteReceivedAll(received);
      return added;
    });
  }

  /**
   * Works out the conversation and the sender contact of up to `limit` rows
   * a header sync stored with linkLater, in one transaction, oldest rows
   * first; answers how many. The same as if they had been linked when
   * stored: a conversation is whatever the ids connect, in any order of
   * arrival (a reply stored meanwhile named this row's id in thread_refs, and
   * joins it now). With an account, only that account's rows.
   */
  linkPendingHeaders(limit: number, accountId?: string): number {
    const rows = this.#sql(`SELECT p.id, p.refs_json, m.message_id, m.subject, m.date_ms, m.from_json, m.thread_id, f.account_id
      FROM headers_pending p JOIN messages m ON m.id = p.id JOIN folders f ON f.id = m.folder_id
      ${accountId === undefined ? '' : 'WHERE f.account_id = ?'} ORDER BY p.id LIMIT ?`)
      .all(...(accountId === undefined ? [limit] : [accountId, limit])) as {
        id: number; refs_json: string; message_id: string | null; subject: string; date_ms: number | null; from_json: string; thread_id: number; account_id: string;
      }[];
    if (rows.length === 0) return 0;
    const done = this.#sql('DELETE FROM headers_pending WHERE id = ?');
    this.transaction(() => {
      const received: { from: HeaderInput['from']; dateMs: number | null }[] = [];
      for (const r of rows) {
        const plan = planThread(this.db, { id: r.id, accountId: r.account_id, messageId: r.message_id, refs: JSON.parse(r.refs_json) as string[], subject: r.subject, dateMs: r.date_ms });
        // The row's own conversation (another message may have joined it by subject meanwhile) merges in too.
        plan.found.add(r.thread_id);
        plan.thread = Math.min(...plan.found);
        joinThread(this.db, plan);
        received.push({ from: JSON.parse(r.from_json) as HeaderInput['from'], dateMs: r.date_ms });
        done.run(r.id);
      }
      this.contacts.noteReceivedAll(received);
    });
    return rows.length;
  }

  /** How many rows still wait for linkPendingHeaders. */
  pendingLinks(accountId?: string): number {
    const row = (accountId === undefined
      ? this.#sql('SELECT count(*) AS n FROM headers_pending').get()
      : this.#sql('SELECT count(*) AS n FROM headers_pending p JOIN messages m ON m.id = p.id JOIN folders f ON f.id = m.folder_id WHERE f.account_id = ?').get(accountId)) as { n: number };
    return row.n;
  }

  /**
   * Links every waiting row before conversations or contacts are read. If
   * that cannot be written now (a full disk), the read answers from what is
   * linked.
   */
  linkAllPending(): void {
    try {
      while (this.linkPendingHeaders(LIMITS.headerIndexBatch) > 0);
    } catch (err) {
      if (!cannotWriteNow(err)) throw err;
    }
  }

  /**
   * Gives up to `limit` rows that a header sync wrote their search-index
   * entry (subject and addresses), in one transaction, oldest rows first;
   * answers how many. A header sync leaves this for after the list is ready:
   * about a fifth of its time went into the index, and a row whose body
   * comes soon gets its whole entry then, instead of one written and
   * replaced. With an account, only that account's rows.
   */
  indexPendingHeaders(limit: number, accountId?: string): number {
    const rows = (accountId === undefined
      ? this.#sql('SELECT id, sort_key, subject, from_json, to_json FROM messages WHERE in_fts = 0 ORDER BY id LIMIT ?').all(limit)
      : this.#sql(`SELECT m.id, m.sort_key, m.subject, m.from_json, m.to_json FROM messages m JOIN folders f ON f.id = m.folder_id
          WHERE m.in_fts = 0 AND f.account_id = ? ORDER BY m.id LIMIT ?`).all(accountId, limit)) as IndexRow[];
    if (rows.length === 0) return 0;
    this.transaction(() => {
      // Ascending keys: one FTS5 segment for the batch (see storeBodies).
      for (const r of rows.sort(byKey)) this.#writeHeaderEntry(r);
    });
    return rows.length;
  }

  /** A row's search-index entry without a body (subject and addresses); marks it as in the index. */
  #writeHeaderEntry(r: IndexRow): void {
    this.#sql('INSERT OR REPLACE INTO messages_fts (rowid, subject, sender, recipients, body, attachments) VALUES (?, ?, ?, ?, \'\', \'\')')
      .run(r.sort_key, r.subject, addressText(JSON.parse(r.from_json) as Addr[]), addressText(JSON.parse(r.to_json) as Addr[]));
    this.#sql('UPDATE messages SET in_fts = 1 WHERE id = ?').run(r.id);
  }

  /** How many rows still wait for their search-index entry (see indexPendingHeaders). */
  pendingHeaderIndex(accountId?: string): number {
    const row = (accountId === undefined
      ? this.#sql('SELECT count(*) AS n FROM messages WHERE in_fts = 0').get()
      : this.#sql('SELECT count(*) AS n FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.in_fts = 0 AND f.account_id = ?').get(accountId)) as { n: number };
    return row.n;
  }

  /** Adds the decoded body text and attachment names to the search index. */
  indexBody(id: number, body: string | Uint8Array, attachmentNames: string[]): void {
    this.transaction(() => this.#indexBody(id, body, attachmentNames));
  }

  #indexBody(id: number, body: string | Uint8Array, attachmentNames: string[]): void {
    const row = this.#indexRow(id);
    if (!row) return;
    this.#writeIndex(row, body, attachmentNames);
    this.#sql('UPDATE messages SET indexed = 1, in_fts = 1 WHERE id = ?').run(id);
  }

  /** What a row's index entry is made of besides its body; undefined when the row is gone. */
  #indexRow(id: number): IndexRow | undefined {
    return this.#sql('SELECT id, sort_key, subject, from_json, to_json FROM messages WHERE id = ?').get(id) as IndexRow | undefined;
  }

  /** The message's whole index entry (headers, body, attachment names). Marks nothing. */
  #writeIndex(row: IndexRow, body: string | Uint8Array, attachmentNames: string[]): void {
    // UTF-8 bytes bind as a blob; the cast stores them as the text they are.
    this.#sql('INSERT OR REPLACE INTO messages_fts (rowid, subject, sender, recipients, body, attachments) VALUES (?, ?, ?, ?, CAST(? AS TEXT), ?)')
      .run(row.sort_key, row.subject, addressText(JSON.parse(row.from_json) as Addr[]), addressText(JSON.parse(row.to_json) as Addr[]), body, attachmentNames.join(' '));
  }

  /**
   * Bodies just made durable in the blob store, in one transaction: each
   * row points at its file and, when its words are given, joins the body
   * index (a row without them is indexed later, see messagesNotIndexed).
   */
  storeBodies(bodies: StoredBody[]): void {
    // One UPDATE per row: three (file, indexed, attachments) rewrote the same row three times.
    const packed = this.#sql('INSERT OR IGNORE INTO blob_packs (sha256, pack, offset, length) VALUES (?, ?, ?, ?)');
    const stored = this.#sql('UPDATE messages SET blob_sha256 = ? WHERE id = ?');
    const storedAndIndexed = this.#sql('UPDATE messages SET blob_sha256 = ?, has_attachments = ?, indexed = 1, in_fts = 1 WHERE id = ?');
    // FTS5 flushes its pending terms into a new segment whenever a rowid is
    // not above the last one written. The server answers a batch in UID
    // order, which follows the dates (the keys) only roughly; sorted by key
    // a batch is one segment, not one for each step back (one per row,
    // when the rowid was the id, doubled the body index's CPU time).
    this.transaction(() => {
      const rows = bodies.map((b) => ({ b, row: b.index ? this.#indexRow(b.id) : undefined }));
      rows.sort((x, y) => (x.row?.sort_key ?? 0) - (y.row?.sort_key ?? 0));
      for (const { b, row } of rows) {
        // Where a packed message is, before (in the same transaction as) the row that points at it.
        if (b.packed) packed.run(b.sha256, b.packed.pack, b.packed.offset, b.packed.length);
        if (b.index && row) {
          this.#writeIndex(row, b.index.body, b.index.attachmentNames);
          storedAndIndexed.run(b.sha256, b.index.hasAttachments ? 1 : 0, b.id);
        } else {
          stored.run(b.sha256, b.id);
        }
      }
    });
  }

  /** Where a packed message is (BlobStore asks); null for one with a file of its own, or none. */
  packedAt(sha256: string): PackedAt | null {
    const row = this.#sql('SELECT pack, offset, length FROM blob_packs WHERE sha256 = ?').get(sha256) as PackedAt | undefined;
    return row ? { pack: row.pack, offset: row.offset, length: row.length } : null;
  }

  /** Marked for deletion by the reclaimer (BlobStore asks when it finds a copy on disk). */
  isDoomed(sha256: string): boolean {
    return this.#sql('SELECT 1 FROM blob_doomed WHERE sha256 = ?').get(sha256) !== undefined;
  }

  updateFlagsByUid(folderId: number, changes: { uid: number; flags: string[] }[]): void {
    const update = this.#sql('UPDATE messages SET flags_json = ?, seen = ?, flagged = ? WHERE folder_id = ? AND uid = ?');
    this.transaction(() => {
      for (const c of changes) update.run(JSON.stringify(c.flags), c.flags.includes('\\Seen') ? 1 : 0, c.flags.includes('\\Flagged') ? 1 : 0, folderId, c.uid);
    });
  }

  removeUids(folderId: number, uids: number[]): void {
    const del = this.#sql('DELETE FROM messages WHERE folder_id = ? AND uid = ? RETURNING sort_key');
    const unindex = this.#sql('DELETE FROM messages_fts WHERE rowid = ?');
    this.transaction(() => {
      const keys: number[] = [];
      for (const uid of uids) {
        const row = del.get(folderId, uid) as { sort_key: number } | undefined;
        if (row) keys.push(row.sort_key);
      }
      // Ascending keys, one FTS5 segment for the lot (see storeBodies).
      for (const key of keys.sort((a, b) => a - b)) unindex.run(key);
    });
  }

  /**
   * Stores a message that lives only here (POP3, local Sent): it gets the
   * next local UID of its folder. Returns the new message id.
   */
  insertLocalMessage(folderId: number, header: HeaderInput & { blob_sha256: string }): number {
    return this.transaction(() => {
      const next = (this.#sql('SELECT coalesce(max(uid), 0) + 1 AS uid FROM messages WHERE folder_id = ?').get(folderId) as { uid: number }).uid;
      const id = this.insertHeaders(folderId, [{ ...header, uid: next }])[0] as number;
      this.setBlob(id, header.blob_sha256);
      // One row: searchable at once, not after the next header index.
      this.#writeHeaderEntry(this.#indexRow(id) as IndexRow);
      return id;
    });
  }

  /** The next free local UID of a folder (for moves between local folders). */
  nextLocalUid(folderId: number): number {
    return (this.#sql('SELECT coalesce(max(uid), 0) + 1 AS uid FROM messages WHERE folder_id = ?').get(folderId) as { uid: number }).uid;
  }

  hasMessageId(folderId: number, messageId: string): boolean {
    return this.#sql('SELECT 1 FROM messages WHERE folder_id = ? AND message_id = ? LIMIT 1').get(folderId, messageId) !== undefined;
  }

  /** The message model's verdict, once the body is here (the list's first guess came from the headers). */
  setHasAttachments(id: number, has: boolean): void {
    this.#sql('UPDATE messages SET has_attachments = ? WHERE id = ?').run(has ? 1 : 0, id);
  }

  /** A preview stands in for the message (or, with false, the whole message has arrived). */
  setPartial(id: number, partial: boolean): void {
    this.#sql('UPDATE messages SET partial = ? WHERE id = ?').run(partial ? 1 : 0, id);
  }

  remoteContentAllowed(address: string): boolean {
    return this.#sql('SELECT 1 FROM remote_content_senders WHERE address = ?').get(address) !== undefined;
  }

  setRemoteContentAllowed(address: string, allowed: boolean): void {
    if (allowed) this.#sql('INSERT OR REPLACE INTO remote_content_senders (address, allowed_ms) VALUES (?, ?)').run(address, Date.now());
    else this.#sql('DELETE FROM remote_content_senders WHERE address = ?').run(address);
  }

  idsForUids(folderId: number, uids: number[]): number[] {
    const get = this.#sql('SELECT id FROM messages WHERE folder_id = ? AND uid = ?');
    return uids.map((uid) => (get.get(folderId, uid) as { id: number } | undefined)?.id).filter((id): id is number => id !== undefined);
  }

  /**
   * A moved message's placeholder row learns the UID the server gave it.
   * With `uidvalidity` (the destination's, from COPYUID or the folder
   * opened), a destination never synced learns it too: its first sync would
   * otherwise take every UID it holds for stale and drop the moved copy,
   * body and all, to fetch it again as a new message.
   */
  assignUid(id: number, uid: number, uidvalidity?: number): void {
    this.transaction(() => {
      this.#sql('UPDATE messages SET uid = ? WHERE id = ?').run(uid, id);
      if (uidvalidity !== undefined) {
        this.#sql('UPDATE folders SET uidvalidity = ? WHERE id = (SELECT folder_id FROM messages WHERE id = ?) AND uidvalidity IS NULL').run(uidvalidity, id);
      }
    });
  }

  removeMessage(id: number): void {
    this.transaction(() => {
      this.#sql('DELETE FROM messages_fts WHERE rowid = (SELECT sort_key FROM messages WHERE id = ?)').run(id);
      this.#sql('DELETE FROM messages WHERE id = ?').run(id);
    });
  }

  /**
   * Moves a message locally before the server has done it. Its UID in the
   * destination is unknown until then, so it gets a placeholder (negative,
   * unique) that cannot collide with a real UID.
   */
  moveLocally(id: number, toFolderId: number, placeholderUid: number): void {
    this.#sql('UPDATE messages SET folder_id = ?, uid = ? WHERE id = ?').run(toFolderId, placeholderUid, id);
  }

  /** The next sync of this folder compares every UID and flag. */
  forgetSyncState(folderId: number): void {
    this.#sql('UPDATE folders SET highestmodseq = NULL WHERE id = ?').run(folderId);
  }

  /** A page of the folder in the order asked for; ties newest first. */
  listMessages(folderId: number, limit: number, offset: number, order: { sort: ListSort; descending: boolean } = { sort: 'date', descending: true }): MessageRow[] {
    const dir = order.descending ? 'DESC' : 'ASC';
    const by = order.sort === 'date' ? `m.date_ms ${dir}, m.uid ${dir}` : `${SORT_EXPRESSIONS[order.sort]} ${dir}, m.date_ms DESC, m.uid DESC`;
    return this.#sql(`SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN folders f ON f.id = m.folder_id
      WHERE m.folder_id = ? ORDER BY ${by} LIMIT ? OFFSET ?`).all(folderId, limit, offset) as unknown as MessageRow[];
  }

  /** Conversations with a message in this folder (or anywhere), newest activity first. */
  listThreads(accountId: string, folderId: number | null, limit: number): ThreadRow[] {
    this.linkAllPending();
    const inFolder = folderId === null ? '' : 'AND m.thread_id IN (SELECT thread_id FROM messages WHERE folder_id = ?)';
    const params: SQLInputValue[] = folderId === null ? [accountId, limit] : [accountId, folderId, limit];
    return this.#sql(`SELECT m.thread_id AS thread_id, count(*) AS count, sum(m.seen = 0) AS unread, max(m.flagged) AS flagged,
        max(m.has_attachments) AS has_attachments, max(m.date_ms) AS latest_ms,
        (SELECT id FROM messages x WHERE x.thread_id = m.thread_id ORDER BY x.date_ms DESC, x.id DESC LIMIT 1) AS latest_id,
        (SELECT subject FROM messages x WHERE x.thread_id = m.thread_id ORDER BY x.date_ms ASC, x.id ASC LIMIT 1) AS subject,
        json_group_array(DISTINCT f.path) AS folders_json, json_group_array(m.from_json) AS from_json
      FROM messages m JOIN folders f ON f.id = m.folder_id
      WHERE f.account_id = ? AND m.thread_id IS NOT NULL ${inFolder}
      GROUP BY m.thread_id ORDER BY latest_ms DESC LIMIT ?`).all(...params) as unknown as ThreadRow[];
  }

  /**
   * A conversation's messages, oldest first. A conversation is named by one
   * of its messages' ids; when it has since merged into another (linking
   * found they belong together), the one its namesake message is in now.
   */
  threadMessages(threadId: number): MessageRow[] {
    this.linkAllPending();
    const read = this.#sql(`SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN folders f ON f.id = m.folder_id
      WHERE m.thread_id = ? ORDER BY m.date_ms ASC, m.id ASC`);
    const rows = read.all(threadId) as unknown as MessageRow[];
    if (rows.length > 0) return rows;
    const now = this.#sql('SELECT thread_id FROM messages WHERE id = ?').get(threadId) as { thread_id: number | null } | undefined;
    return now?.thread_id != null && now.thread_id !== threadId ? (read.all(now.thread_id) as unknown as MessageRow[]) : [];
  }

  /** One role's folder of every account together (the unified inbox), newest first. */
  listByRole(role: string, limit: number, offset: number): MessageRow[] {
    // Each folder's newest offset + limit come down its date index, and are merged here. One
    // ORDER BY over all the role's folders sorted every message in them for each page: 167 ms
    // a page of 200 with 100k in an inbox, against 1.2 ms now (240 against 25 ms 5,000 rows down).
    const folders = this.#sql('SELECT id FROM folders WHERE special_use = ?').all(role) as { id: number }[];
    const newest = this.#sql(`SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN folders f ON f.id = m.folder_id
      WHERE m.folder_id = ? ORDER BY m.date_ms DESC, m.id DESC LIMIT ?`);
    const rows = folders.flatMap((f) => newest.all(f.id, offset + limit) as unknown as MessageRow[]);
    return rows.sort(newestFirst).slice(offset, offset + limit);
  }

  savedSearches(): { id: number; name: string; query: string }[] {
    return this.#sql('SELECT id, name, query FROM saved_searches ORDER BY name').all() as { id: number; name: string; query: string }[];
  }

  saveSearch(name: string, query: string): number {
    return (this.#sql(`INSERT INTO saved_searches (name, query, created_ms) VALUES (?, ?, ?)
      ON CONFLICT (name) DO UPDATE SET query = excluded.query RETURNING id`).get(name, query, Date.now()) as { id: number }).id;
  }

  deleteSavedSearch(id: number): boolean {
    return Number(this.#sql('DELETE FROM saved_searches WHERE id = ?').run(id).changes) > 0;
  }

  /** Local full-text search, newest first. */
  search(query: string, options: { accountId?: string; limit: number }): MessageRow[] {
    const q = compileSearch(query);
    // Rows a header sync just wrote are searched too: their entries are written first (usually
    // the service has done so already, right after the sync). If that write fails (a full disk),
    // the search still answers from the entries there are.
    if (q.match) {
      try {
        while (this.indexPendingHeaders(LIMITS.headerIndexBatch) > 0);
      } catch (err) {
        // SQLite could not write (a full disk, a lock held too long): left for later. Anything else is a bug.
        if (!cannotWriteNow(err)) throw err;
      }
    }
    const where = [...q.where];
    const params: SQLInputValue[] = [];
    // Newest first is the order of sort_key, the index's rowid (store/sort-key.ts): with words,
    // FTS5 walks its hits in that order and the query stops at the limit; without, the unique
    // index on sort_key does the same over the messages.
    let from = 'messages m JOIN folders f ON f.id = m.folder_id';
    let order = 'm.sort_key DESC';
    if (q.match) {
      from = 'messages_fts JOIN messages m ON m.sort_key = messages_fts.rowid JOIN folders f ON f.id = m.folder_id';
      where.unshift('messages_fts MATCH ?');
      params.push(q.match);
      order = 'messages_fts.rowid DESC';
    }
    params.push(...q.params);
    if (options.accountId) {
      where.push('f.account_id = ?');
      params.push(options.accountId);
    }
    const sql = `SELECT ${MESSAGE_COLUMNS} FROM ${from} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY ${order} LIMIT ?`;
    return this.#sql(sql).all(...params, options.limit) as unknown as MessageRow[];
  }

  /** Messages whose raw body is not stored yet, newest first. */
  messagesWithoutBody(folderId: number, sinceMs: number | null, limit: number): { id: number; uid: number; size: number }[] {
    return this.#sql(`SELECT id, uid, size FROM messages WHERE folder_id = ? AND blob_sha256 IS NULL
      AND (? IS NULL OR date_ms >= ?) ORDER BY uid DESC LIMIT ?`).all(folderId, sinceMs, sinceMs, limit) as { id: number; uid: number; size: number }[];
  }

  /** Stored but not in the body index (see body-index.ts indexPending): ids above `afterId`, ascending. */
  messagesNotIndexed(afterId: number, limit: number): { id: number; blob_sha256: string }[] {
    return this.#sql('SELECT id, blob_sha256 FROM messages WHERE indexed = 0 AND blob_sha256 IS NOT NULL AND id > ? ORDER BY id LIMIT ?')
      .all(afterId, limit) as { id: number; blob_sha256: string }[];
  }

  message(id: number): MessageRow | undefined {
    return this.#sql(`SELECT ${MESSAGE_COLUMNS} FROM messages m JOIN folders f ON f.id = m.folder_id WHERE m.id = ?`)
      .get(id) as unknown as MessageRow | undefined;
  }

  setMessageFlags(id: number, flags: string[]): void {
    this.#sql('UPDATE messages SET flags_json = ?, seen = ?, flagged = ? WHERE id = ?')
      .run(JSON.stringify(flags), flags.includes('\\Seen') ? 1 : 0, flags.includes('\\Flagged') ? 1 : 0, id);
  }

  setBlob(id: number, sha256: string, hasAttachments?: boolean): void {
    const params: SQLInputValue[] = [sha256];
    let sql = 'UPDATE messages SET blob_sha256 = ?';
    if (hasAttachments !== undefined) {
      sql += ', has_attachments = ?';
      params.push(hasAttachments ? 1 : 0);
    }
    this.#sql(`${sql} WHERE id = ?`).run(...params, id);
  }

  removeAccount(accountId: string): void {
    this.transaction(() => {
      this.#sql('DELETE FROM messages_fts WHERE rowid IN (SELECT m.sort_key FROM messages m JOIN folders f ON f.id = m.folder_id WHERE f.account_id = ?)').run(accountId);
      this.#sql('DELETE FROM folders WHERE account_id = ?').run(accountId);
    });
  }
}

type Addr = { name: string; address: string };

/** A row as its search-index entry needs it: the entry's rowid is the row's sort key. */
type IndexRow = { id: number; sort_key: number; subject: string; from_json: string; to_json: string };

const byKey = (a: IndexRow, b: IndexRow): number => a.sort_key - b.sort_key;

/** SQL's `date_ms DESC, id DESC`: undated last. */
const newestFirst = (a: MessageRow, b: MessageRow): number =>
  (b.date_ms ?? Number.NEGATIVE_INFINITY) - (a.date_ms ?? Number.NEGATIVE_INFINITY) || b.id - a.id;

function addressText(list: Addr[]): string {
  return list.map((a) => `${a.name} ${a.address}`).join(' ');
}

/** SQLite's answer when a write cannot be done now (BUSY, LOCKED, READONLY, IOERR, FULL), whatever the extended code. */
function cannotWriteNow(err: unknown): boolean {
  const e = err as { code?: unknown; errcode?: unknown };
  return e.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number' && [5, 6, 8, 10, 13].includes(e.errcode & 0xff);
}
