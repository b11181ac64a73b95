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
];
