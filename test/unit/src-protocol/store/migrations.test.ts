// Each migration upgrades a database that holds data, not only an empty one:
// a store written by the first release keeps its mail through every step.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../../../src-protocol/store/database.ts';
import { MIGRATIONS } from '../../../../src-protocol/store/migrations.ts';

async function dbAt(version: number) {
  const file = join(await mkdtemp(join(tmpdir(), 'postern-mig-')), 'mail.sqlite');
  const db = openDatabase(file, MIGRATIONS.filter((m) => m.version <= version));
  return { file, db };
}

describe('migrations', () => {
  it('are numbered 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('upgrade a version-1 store with mail in it to the latest, keeping the mail', async () => {
    const { file, db } = await dbAt(1);
    db.prepare("INSERT INTO folders (id, account_id, path, name) VALUES (1, 'work', 'INBOX', 'Inbox')").run();
    db.prepare(`INSERT INTO messages (id, folder_id, uid, subject, flags_json, seen) VALUES (7, 1, 42, 'Kept', '["\\\\Flagged","\\\\Seen"]', 1)`).run();
    db.close();
    const upgraded = openDatabase(file);
    expect(schemaVersion(upgraded)).toBe(MIGRATIONS.length);
    const row = upgraded.prepare('SELECT subject, uid, seen, flagged, thread_id, to_json, in_fts FROM messages WHERE id = 7').get();
    // in_fts: a row stored before version 16 has its index entry.
    expect(row).toEqual({ subject: 'Kept', uid: 42, seen: 1, flagged: 1, thread_id: 7, to_json: '[]', in_fts: 1 });
    // The later tables exist and work.
    for (const table of ['messages_fts', 'tasks', 'pop3_downloads', 'outbox', 'drafts', 'remote_content_senders', 'thread_refs']) {
      expect(upgraded.prepare('SELECT count(*) AS n FROM sqlite_master WHERE name = ?').get(table), table).toEqual({ n: 1 });
    }
    upgraded.close();
  });

  it('17 keys the search index by date: entries written by id are found, newest first, and nothing is lost', async () => {
    const { file, db } = await dbAt(16);
    db.prepare("INSERT INTO folders (id, account_id, path, name) VALUES (1, 'work', 'INBOX', 'Inbox')").run();
    const day = Date.UTC(2024, 4, 1);
    // Ids in another order than dates; two in one second; one undated; one from before 1970.
    const rows: [number, number | null, string][] = [[1, day + 2000, 'Kiwi b'], [2, day, 'Kiwi a'], [3, day + 2000, 'Kiwi c'], [4, null, 'Kiwi undated'], [5, -86_400_000, 'Kiwi old']];
    for (const [id, date, subject] of rows) {
      db.prepare('INSERT INTO messages (id, folder_id, uid, subject, date_ms, flags_json) VALUES (?, 1, ?, ?, ?, \'[]\')').run(id, id, subject, date);
      db.prepare("INSERT INTO messages_fts (rowid, subject, sender, recipients, body, attachments) VALUES (?, ?, '', '', ?, '')").run(id, subject, `body of ${id}`);
    }
    db.close();
    const upgraded = openDatabase(file, MIGRATIONS.filter((m) => m.version <= 17));
    expect(schemaVersion(upgraded)).toBe(17);
    const keys = upgraded.prepare('SELECT id, sort_key FROM messages ORDER BY sort_key DESC').all().map((r) => r['id']);
    expect(keys).toEqual([3, 1, 2, 5, 4]);
    const hits = upgraded.prepare(`SELECT m.id, x.body FROM messages_fts x JOIN messages m ON m.sort_key = x.rowid
      WHERE messages_fts MATCH 'kiwi' ORDER BY x.rowid DESC`).all();
    expect(hits).toEqual([3, 1, 2, 5, 4].map((id) => ({ id, body: `body of ${id}` })));
    expect(upgraded.prepare('SELECT count(*) AS n FROM sqlite_master WHERE name LIKE \'messages_fts_by_key%\'').get()).toEqual({ n: 0 });
    upgraded.close();
  });

  for (const m of MIGRATIONS.slice(1)) {
    it(`${m.version} (${m.description}) applies on top of ${m.version - 1}`, async () => {
      const { file, db } = await dbAt(m.version - 1);
      db.close();
      const next = openDatabase(file, MIGRATIONS.filter((x) => x.version <= m.version));
      expect(schemaVersion(next)).toBe(m.version);
      next.close();
    });
  }
});
