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
