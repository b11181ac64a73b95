/**
 * Numbered schema migrations. Each runs once, in order, inside a
 * transaction; `PRAGMA user_version` records how far a database has come.
 * Never edit a migration that has shipped: add the next one.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * Migration 21's trigger: after `event`, the marked messages that `names`
 * (a condition on blob_doomed.sha256) picks are kept again, their pack
 * locations put back.
 */
function keptTrigger(name: string, event: string, names: string): string {
  return `CREATE TRIGGER blob_kept_${name} AFTER ${event} BEGIN
        INSERT OR IGNORE INTO blob_packs SELECT sha256, pack, offset, length FROM blob_doomed WHERE pack IS NOT NULL AND (${names});
        DELETE FROM blob_doomed WHERE ${names};
      END;`;
}

/** Hashes anywhere in a JSON value (a draft's attachments, a task's payload). */
function inJson(column: string): string {
  return `sha256 IN (SELECT value FROM json_tree(${column}) WHERE type = 'text')`;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'folders and message headers',
    sql: `
      CREATE TABLE folders (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        path TEXT NOT NULL,
        name TEXT NOT NULL,
        delimiter TEXT,
        special_use TEXT,
        uidvalidity INTEGER,
        uidnext INTEGER,
        server_total INTEGER,
        server_unread INTEGER,
        UNIQUE (account_id, path)
      );
      CREATE TABLE messages (
        id INTEGER PRIMARY KEY,
        folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
        uid INTEGER NOT NULL,
        subject TEXT NOT NULL DEFAULT '',
        from_json TEXT NOT NULL DEFAULT '[]',
        date_ms INTEGER,
        flags_json TEXT NOT NULL DEFAULT '[]',
        seen INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL DEFAULT 0,
        has_attachments INTEGER NOT NULL DEFAULT 0,
        message_id TEXT,
        blob_sha256 TEXT,
        UNIQUE (folder_id, uid)
      );
      CREATE INDEX messages_by_folder_date ON messages (folder_id, date_ms DESC, uid DESC);
    `,
  },
  {
    version: 2,
    description: 'CONDSTORE state, recipients, local search index, persisted tasks',
    sql: `
      ALTER TABLE folders ADD COLUMN highestmodseq TEXT;
      ALTER TABLE folders ADD COLUMN synced_at INTEGER;
      ALTER TABLE messages ADD COLUMN to_json TEXT NOT NULL DEFAULT '[]';
      ALTER TABLE messages ADD COLUMN flagged INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE messages ADD COLUMN indexed INTEGER NOT NULL DEFAULT 0;
      UPDATE messages SET flagged = (flags_json LIKE '%\\Flagged%');
      CREATE INDEX messages_by_message_id ON messages (message_id);
      -- Full-text index over what a person searches for. Its rowid is the
      -- message's id; body and attachment names arrive when the body does.
      CREATE VIRTUAL TABLE messages_fts USING fts5 (
        subject, sender, recipients, body, attachments,
        tokenize = 'unicode61 remove_diacritics 2'
      );
      -- User actions waiting for (or done on) the server: applied locally at
      -- once, sent later, retried, never lost (Mailspring's local/remote model).
      CREATE TABLE tasks (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'done', 'failed')),
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        created_ms INTEGER NOT NULL
      );
      CREATE INDEX tasks_pending ON tasks (state, next_attempt_ms);
    `,
  },
  {
    version: 3,
    description: 'POP3 downloads keyed by UIDL',
    sql: `
      -- One row per message a POP3 server listed and we stored. The UIDL is the
      -- key (never the message number); a row exists only once the raw message
      -- is durable and its header row committed, in the same transaction.
      CREATE TABLE pop3_downloads (
        account_id TEXT NOT NULL,
        uidl TEXT NOT NULL,
        message_id INTEGER REFERENCES messages(id) ON DELETE SET NULL,
        size INTEGER NOT NULL,
        downloaded_ms INTEGER NOT NULL,
        -- 1 once a QUIT answered +OK after our DELE: gone from the server.
        deleted_on_server INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (account_id, uidl)
      );
    `,
  },
  {
    version: 4,
    description: 'the outbox: sends as persisted tasks',
    sql: `
      -- A send is written here (bytes built once, in the blob store) before
      -- anything goes to the network. States: queued -> sending -> submitted
      -- (the server said 250; recorded before anything else) -> sent (the
      -- same bytes saved to Sent). failed: the server refused for good;
      -- cancelled: taken back (undo send).
      CREATE TABLE outbox (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        message_id TEXT NOT NULL,
        blob_sha256 TEXT NOT NULL,
        envelope_json TEXT NOT NULL,
        draft_json TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN ('queued', 'sending', 'submitted', 'sent', 'failed', 'cancelled')),
        send_at_ms INTEGER NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_ms INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        accepted_json TEXT NOT NULL DEFAULT '[]',
        rejected_json TEXT NOT NULL DEFAULT '[]',
        sent_copy INTEGER NOT NULL DEFAULT 0,
        created_ms INTEGER NOT NULL,
        updated_ms INTEGER NOT NULL
      );
      CREATE INDEX outbox_by_state ON outbox (account_id, state);
    `,
  },
  {
    version: 5,
    description: 'drafts kept here first, then on the server',
    sql: `
      -- The local copy is the truth while a person types: each save commits
      -- here (within seconds) before the server hears of it. draft_key goes
      -- into X-Postern-Draft, so every version on the server can be found.
      CREATE TABLE drafts (
        id INTEGER PRIMARY KEY,
        account_id TEXT NOT NULL,
        draft_key TEXT NOT NULL UNIQUE,
        content_json TEXT NOT NULL,
        blob_sha256 TEXT NOT NULL,
        updated_ms INTEGER NOT NULL
      );
    `,
  },
  {
    version: 6,
    description: 'senders whose remote content the person allowed',
    sql: `
      CREATE TABLE remote_content_senders (
        address TEXT PRIMARY KEY COLLATE NOCASE,
        allowed_ms INTEGER NOT NULL
      );
    `,
  },
  {
    version: 7,
    description: 'conversations',
    sql: `
      -- thread_id groups a conversation across folders. thread_refs maps every
      -- Message-ID seen (a message's own, and those it refers to) to its thread,
      -- so a reply that arrives before its parent still joins it later.
      ALTER TABLE messages ADD COLUMN thread_id INTEGER;
      ALTER TABLE messages ADD COLUMN base_subject TEXT NOT NULL DEFAULT '';
      CREATE INDEX messages_by_thread ON messages (thread_id);
      CREATE INDEX messages_by_base_subject ON messages (base_subject);
      CREATE TABLE thread_refs (
        message_id TEXT PRIMARY KEY,
        thread_id INTEGER NOT NULL
      );
      CREATE INDEX thread_refs_by_thread ON thread_refs (thread_id);
      UPDATE messages SET thread_id = id;
    `,
  },
  {
    version: 8,
    description: 'contacts from mail sent and received',
    sql: `
      CREATE TABLE contacts (
        address TEXT PRIMARY KEY COLLATE NOCASE,
        name TEXT NOT NULL DEFAULT '',
        received INTEGER NOT NULL DEFAULT 0,
        sent INTEGER NOT NULL DEFAULT 0,
        last_ms INTEGER NOT NULL DEFAULT 0
      );
      INSERT OR IGNORE INTO contacts (address, name, received, last_ms)
        SELECT json_extract(value, '$.address'), json_extract(value, '$.name'), 1, coalesce(m.date_ms, 0)
        FROM messages m, json_each(m.from_json) WHERE json_extract(value, '$.address') != '';
    `,
  },
  {
    version: 9,
    description: 'partly downloaded POP3 messages',
    sql: `
      -- 1: only the headers and a preview are here (a large POP3 message);
      -- the rest is fetched when the message is opened.
      ALTER TABLE messages ADD COLUMN partial INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 10,
    description: 'saved searches',
    sql: `
      CREATE TABLE saved_searches (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        query TEXT NOT NULL,
        created_ms INTEGER NOT NULL
      );
    `,
  },
  {
    version: 11,
    description: 'search index merges fewer, larger runs of segments',
    sql: `
      -- FTS5 merges its b-tree segments once 'automerge' (default 4) of one
      -- level exist. Syncing bodies writes a new segment per transaction, and
      -- merging 16 at a time instead of 4 rewrote the index far less often:
      -- body indexing of 10k messages took about 20% less time, while a
      -- search over 10k still takes well under a millisecond of FTS work.
      -- Stored in the index's own config table, so it needs no setting at open.
      INSERT INTO messages_fts (messages_fts, rank) VALUES ('automerge', 16);
    `,
  },
  {
    version: 12,
    description: 'indexes for sorting a folder by sender, subject and size',
    sql: `
      -- The list of a large folder is paged; sorting must happen here, over
      -- the whole folder, and these let SQLite read a page in order instead
      -- of sorting every row. The sender expression is the one listMessages
      -- orders by (name, else address), character for character.
      CREATE INDEX messages_by_folder_sender ON messages (folder_id,
        lower(coalesce(nullif(json_extract(from_json, '$[0].name'), ''), json_extract(from_json, '$[0].address'), '')));
      CREATE INDEX messages_by_folder_subject ON messages (folder_id, lower(base_subject));
      CREATE INDEX messages_by_folder_size ON messages (folder_id, size);
    `,
  },
  {
    version: 13,
    description: 'the outbox keeps the error code of a failed send beside its text',
    sql: `
      -- A wrong password and a refused message both stop a send for good,
      -- but what the person must do differs (fix the account, or the
      -- message): the code says which, also after a restart.
      ALTER TABLE outbox ADD COLUMN last_error_code TEXT;
    `,
  },
  {
    version: 14,
    description: 'subject threading looks up a date window in an index',
    sql: `
      -- A reply without references joins the newest message of the same base
      -- subject within 30 days. Over base_subject alone that read every
      -- message of the subject (a mailing list's hundreds), sorted them, for
      -- each such reply; with the date in the index it reads only the window.
      DROP INDEX messages_by_base_subject;
      CREATE INDEX messages_by_base_subject_date ON messages (base_subject, date_ms);
    `,
  },
  {
    version: 15,
    description: 'where each message of a pack file is',
    sql: `
      -- A body download writes a batch of messages into one pack file with
      -- one fsync (store/blob-store.ts). A message's row names it by hash;
      -- this says where a packed one is. Written in the same transaction as
      -- the row that points at it; a hash not here is a file of its own.
      CREATE TABLE blob_packs (
        sha256 TEXT PRIMARY KEY,
        pack TEXT NOT NULL,
        offset INTEGER NOT NULL,
        length INTEGER NOT NULL
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 16,
    description: 'a header sync leaves the search index to be filled after the list is ready',
    sql: `
      -- in_fts = 0: the row has no entry in messages_fts yet. A header sync
      -- writes rows so; their entries follow after the list is ready
      -- (MailStore.indexPendingHeaders), or come whole with the body (the
      -- body's entry then replaces nothing). Every row already stored has
      -- its entry. The partial index holds only the rows still waiting.
      ALTER TABLE messages ADD COLUMN in_fts INTEGER NOT NULL DEFAULT 1;
      CREATE INDEX messages_not_in_fts ON messages (id) WHERE in_fts = 0;
    `,
  },
  {
    version: 17,
    description: 'the search index is keyed by date, so a search reads only the newest hits',
    sql: `
      -- sort_key: the message's place in "newest first" (store/sort-key.ts
      -- has the formula and the reasons; this is the same in SQL). Messages
      -- of one second are numbered in the order they were stored.
      ALTER TABLE messages ADD COLUMN sort_key INTEGER;
      UPDATE messages SET sort_key = k.sort_key FROM (
        SELECT id, second * 2097152 + row_number() OVER (PARTITION BY second ORDER BY id) - 1 AS sort_key
        FROM (SELECT id, max(0, min(4294967295, CAST(coalesce(date_ms, 0) / 1000 AS INTEGER))) AS second FROM messages)
      ) AS k WHERE k.id = messages.id;
      CREATE UNIQUE INDEX messages_by_sort_key ON messages (sort_key);
      -- The index's rowid becomes the sort key: the entries are copied (the
      -- words are not read again from the stored mail) into a new table in
      -- key order, which then takes the old one's name.
      CREATE VIRTUAL TABLE messages_fts_by_key USING fts5 (
        subject, sender, recipients, body, attachments,
        tokenize = 'unicode61 remove_diacritics 2'
      );
      INSERT INTO messages_fts_by_key (messages_fts_by_key, rank) VALUES ('automerge', 16);
      INSERT INTO messages_fts_by_key (rowid, subject, sender, recipients, body, attachments)
        SELECT m.sort_key, x.subject, x.sender, x.recipients, x.body, x.attachments
        FROM messages_fts x JOIN messages m ON m.id = x.rowid ORDER BY m.sort_key;
      DROP TABLE messages_fts;
      ALTER TABLE messages_fts_by_key RENAME TO messages_fts;
    `,
  },
  {
    version: 18,
    description: 'stored messages missing from the body index are found without reading every row',
    sql: `
      -- A stored message (blob_sha256 set) whose words are not in the index
      -- (indexed = 0): older versions left a local Sent copy so, and a crash
      -- between storing an opened message and indexing it. The service looks
      -- for them at every start (body-index.ts indexPending); the partial
      -- index holds only those, so the look costs nothing when there are none.
      CREATE INDEX messages_not_indexed ON messages (id) WHERE indexed = 0 AND blob_sha256 IS NOT NULL;
    `,
  },
  {
    version: 19,
    description: 'a folder\'s unread count without reading its rows',
    sql: `
      -- Every sync ends by counting the folder (MailStore.localCounts). The
      -- unread part read every row of the folder (10 ms at 10k messages,
      -- ten times that at 100k); this index holds only unread messages, so
      -- the count reads as many entries as there are unread, and most mail
      -- is read.
      CREATE INDEX messages_unread_by_folder ON messages (folder_id) WHERE seen = 0;
    `,
  },
  {
    version: 20,
    description: 'a header sync links new mail into conversations after the list is ready',
    sql: `
      -- A row a header sync wrote whose conversation and sender contact are
      -- still to be worked out (MailStore.linkPendingHeaders): the row is
      -- stored in a conversation of its own, with the ids it refers to kept
      -- here until then. Gone with its message.
      CREATE TABLE headers_pending (
        id INTEGER PRIMARY KEY REFERENCES messages (id) ON DELETE CASCADE,
        refs_json TEXT NOT NULL
      );
    `,
  },
  {
    version: 21,
    description: 'the space of messages nothing refers to any more is given back',
    sql: `
      -- A stored message nothing refers to (its mail deleted, a draft
      -- replaced) is first marked here, and its file or pack deleted only
      -- at a later run, a grace period on (store/blob-reclaim.ts). A marked
      -- message is "not stored" to BlobStore, so a new copy is written
      -- again rather than trusted; and whatever comes to refer to it
      -- meanwhile (a writer that found it just before the mark) takes it
      -- back through the triggers below, its pack location with it. Every
      -- column that can name a stored message has a trigger here: the
      -- blob_sha256 columns, and the JSON of drafts (attachments), outbox
      -- and tasks, read with json_tree. A message row is inserted without
      -- its blob (MailStore.insertHeaders) and given one by UPDATE, so
      -- messages has an UPDATE trigger only: an INSERT trigger, even one
      -- whose WHEN is false, cost a header sync of 10k ~100 ms.
      CREATE TABLE blob_doomed (
        sha256 TEXT PRIMARY KEY,
        pack TEXT,
        offset INTEGER,
        length INTEGER,
        doomed_ms INTEGER NOT NULL
      ) WITHOUT ROWID;
      ${keptTrigger('message_update', 'UPDATE OF blob_sha256 ON messages WHEN NEW.blob_sha256 IS NOT NULL', 'sha256 = NEW.blob_sha256')}
      ${keptTrigger('outbox_insert', 'INSERT ON outbox', `sha256 = NEW.blob_sha256 OR ${inJson('NEW.draft_json')}`)}
      ${keptTrigger('outbox_update', 'UPDATE OF blob_sha256, draft_json ON outbox', `sha256 = NEW.blob_sha256 OR ${inJson('NEW.draft_json')}`)}
      ${keptTrigger('draft_insert', 'INSERT ON drafts', `sha256 = NEW.blob_sha256 OR ${inJson('NEW.content_json')}`)}
      ${keptTrigger('draft_update', 'UPDATE OF blob_sha256, content_json ON drafts', `sha256 = NEW.blob_sha256 OR ${inJson('NEW.content_json')}`)}
      ${keptTrigger('task_insert', 'INSERT ON tasks', inJson('NEW.payload_json'))}
      ${keptTrigger('task_update', 'UPDATE OF payload_json ON tasks', inJson('NEW.payload_json'))}
    `,
  },
];
