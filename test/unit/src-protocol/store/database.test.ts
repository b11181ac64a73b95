import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { migrate, openDatabase, schemaVersion, type MigrationStep } from '../../../../src-protocol/store/database.ts';
import { MIGRATIONS, type Migration } from '../../../../src-protocol/store/migrations.ts';

const LATEST = MIGRATIONS.at(-1)?.version ?? 0;

let dir: string;
let file: string;
/** Every handle a test opens, closed afterwards so the temp folder can go. */
const open: DatabaseSync[] = [];
const track = (db: DatabaseSync): DatabaseSync => (open.push(db), db);

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-db-'));
  file = join(dir, 'mail.sqlite');
});

afterEach(async () => {
  for (const db of open.splice(0)) if (db.isOpen) db.close();
  await rm(dir, { recursive: true, force: true });
});

/** A plain connection that runs no migrations, to look at the file as it is. */
function inspect(): DatabaseSync {
  return track(new DatabaseSync(file));
}

function pragma(db: DatabaseSync, name: string): unknown {
  const row = db.prepare(`PRAGMA ${name}`).get() as Record<string, unknown> | undefined;
  return row ? Object.values(row)[0] : undefined;
}

function tableNames(db: DatabaseSync): string[] {
  return (db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").all() as { name: string }[]).map((r) => r.name);
}

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('MIGRATIONS', () => {
  it('are numbered 1, 2, 3… without gaps, so user_version says exactly which ran', () => {
    expect(MIGRATIONS.length).toBeGreaterThan(0);
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
    for (const m of MIGRATIONS) expect(m.description.trim()).not.toBe('');
  });
});

describe('openDatabase', () => {
  it('brings a fresh file to the latest schema, in WAL mode with foreign keys on', () => {
    const db = track(openDatabase(file));
    expect(schemaVersion(db)).toBe(LATEST);
    expect(pragma(db, 'journal_mode')).toBe('wal');
    expect(pragma(db, 'foreign_keys')).toBe(1);
    expect(tableNames(db)).toEqual(expect.arrayContaining(['folders', 'messages']));
    db.close();
    // What is on disk, read by a connection that ran nothing.
    const raw = inspect();
    expect(pragma(raw, 'user_version')).toBe(LATEST);
    expect(pragma(raw, 'journal_mode')).toBe('wal');
  });

  it('reopening keeps the data and does not run migrations again', () => {
    const first = track(openDatabase(file));
    first.prepare("INSERT INTO folders (account_id, path, name) VALUES ('acct', 'INBOX', 'INBOX')").run();
    first.close();

    const again = track(openDatabase(file));
    expect(schemaVersion(again)).toBe(LATEST);
    expect(again.prepare('SELECT account_id, path FROM folders').all()).toEqual([{ account_id: 'acct', path: 'INBOX' }]);
  });

  it('runs each migration of a custom list exactly once across reopenings', () => {
    const migrations: Migration[] = [
      { version: 1, description: 'log table', sql: 'CREATE TABLE runs (n INTEGER);' },
      { version: 2, description: 'count a run', sql: 'INSERT INTO runs VALUES (2);' },
    ];
    track(openDatabase(file, migrations)).close();
    track(openDatabase(file, migrations)).close();
    const withThird = [...migrations, { version: 3, description: 'count another', sql: 'INSERT INTO runs VALUES (3);' }];
    const db = track(openDatabase(file, withThird));
    expect(db.prepare('SELECT n FROM runs ORDER BY n').all()).toEqual([{ n: 2 }, { n: 3 }]);
    expect(schemaVersion(db)).toBe(3);
  });

  it('reports each step of an upgrade before it runs, then the end; a new database reports nothing', () => {
    const migrations: Migration[] = [
      { version: 1, description: 'log table', sql: 'CREATE TABLE runs (n INTEGER);' },
      { version: 2, description: 'count a run', sql: 'INSERT INTO runs VALUES (2);' },
    ];
    const created: MigrationStep[] = [];
    track(openDatabase(file, migrations, (s) => created.push(s))).close();
    expect(created).toEqual([]);

    const upgrade = [
      ...migrations,
      { version: 3, description: 'count another', sql: 'INSERT INTO runs VALUES (3);' },
      { version: 4, description: 'and one more', sql: 'INSERT INTO runs VALUES (4);' },
    ];
    // Each report is made before its migration: the rows show how far the file had come.
    const seen: { step: MigrationStep; rows: number }[] = [];
    const db = track(
      openDatabase(file, upgrade, (step) => {
        const raw = new DatabaseSync(file, { readOnly: true });
        seen.push({ step, rows: (raw.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n });
        raw.close();
      }),
    );
    expect(seen).toEqual([
      { step: { done: 0, total: 2, version: 3, description: 'count another' }, rows: 1 },
      { step: { done: 1, total: 2, version: 4, description: 'and one more' }, rows: 2 },
      { step: { done: 2, total: 2, version: 4, description: 'and one more' }, rows: 3 },
    ]);
    db.close();

    const again: MigrationStep[] = [];
    track(openDatabase(file, upgrade, (s) => again.push(s))).close();
    expect(again).toEqual([]);
  });

  it('refuses a database written by a newer schema with STORAGE and leaves it alone', () => {
    track(openDatabase(file)).close();
    const raw = inspect();
    raw.exec(`PRAGMA user_version = ${LATEST + 5}`);
    raw.close();

    const err = catchError(() => track(openDatabase(file)));
    expect(err).toBeInstanceOf(PosternError);
    expect((err as PosternError).code).toBe('STORAGE');
    expect((err as PosternError).message).toContain(`schema ${LATEST + 5}`);
    expect(pragma(inspect(), 'user_version')).toBe(LATEST + 5);
  });

  it('a failing migration rolls back its own changes, keeps the earlier ones and leaves user_version where it was', () => {
    const good: Migration = { version: 1, description: 'first table', sql: 'CREATE TABLE a (x INTEGER); INSERT INTO a VALUES (1);' };
    track(openDatabase(file, [good])).close();

    const bad: Migration = {
      version: 2,
      description: 'half-done change',
      // The first statement succeeds; the second fails: both must vanish.
      sql: 'CREATE TABLE b (y INTEGER); INSERT INTO a VALUES (2); INSERT INTO no_such_table VALUES (1);',
    };
    const err = catchError(() => track(openDatabase(file, [good, bad])));
    expect(err).toBeInstanceOf(PosternError);
    expect((err as PosternError).code).toBe('STORAGE');
    expect((err as PosternError).message).toMatch(/migration 2 \(half-done change\)/);

    const raw = inspect();
    expect(pragma(raw, 'user_version')).toBe(1);
    expect(tableNames(raw)).not.toContain('b');
    expect(raw.prepare('SELECT x FROM a').all()).toEqual([{ x: 1 }]);
  });

  it('a failing first migration leaves a fresh file at version 0 with no tables', () => {
    const bad: Migration = { version: 1, description: 'broken', sql: 'CREATE TABLE t (x); SELECT * FROM missing;' };
    expect(() => track(openDatabase(file, [bad]))).toThrow(/migration 1/);
    const raw = inspect();
    expect(pragma(raw, 'user_version')).toBe(0);
    expect(tableNames(raw)).toEqual([]);
  });

  it('migrate() on an open connection stops at the failing step and the connection stays usable', () => {
    const db = track(new DatabaseSync(file));
    const migrations: Migration[] = [
      { version: 1, description: 'one', sql: 'CREATE TABLE one (x);' },
      { version: 2, description: 'two', sql: 'CREATE TABLE one (x);' },
      { version: 3, description: 'three', sql: 'CREATE TABLE three (x);' },
    ];
    expect(() => migrate(db, migrations)).toThrow(PosternError);
    expect(schemaVersion(db)).toBe(1);
    expect(tableNames(db)).toEqual(['one']);
    // No transaction was left open: a new one can start.
    db.exec('BEGIN IMMEDIATE; INSERT INTO one VALUES (1); COMMIT;');
    expect(db.prepare('SELECT count(*) AS n FROM one').get()).toEqual({ n: 1 });
  });

  it('a file that cannot be opened is reported as STORAGE naming the file', () => {
    const missingDir = join(dir, 'no', 'such', 'folder', 'mail.sqlite');
    const err = catchError(() => track(openDatabase(missingDir)));
    expect((err as PosternError).code).toBe('STORAGE');
    expect((err as PosternError).message).toContain(missingDir);
  });
});

describe('migration 1 (folders and message headers)', () => {
  it('deleting a folder deletes its messages, and a UID is unique within a folder', () => {
    const db = track(openDatabase(file));
    db.prepare("INSERT INTO folders (id, account_id, path, name) VALUES (1, 'a', 'INBOX', 'INBOX'), (2, 'a', 'Sent', 'Sent')").run();
    db.prepare('INSERT INTO messages (folder_id, uid) VALUES (1, 10), (1, 11), (2, 10)').run();
    expect(() => db.prepare('INSERT INTO messages (folder_id, uid) VALUES (1, 10)').run()).toThrow(/UNIQUE/);
    expect(() => db.prepare('INSERT INTO messages (folder_id, uid) VALUES (99, 1)').run()).toThrow(/FOREIGN KEY/);

    db.prepare('DELETE FROM folders WHERE id = 1').run();
    expect(db.prepare('SELECT folder_id, uid FROM messages').all()).toEqual([{ folder_id: 2, uid: 10 }]);
  });

  it('the message list index exists', () => {
    const db = track(openDatabase(file));
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'messages'").all() as { name: string }[];
    expect(indexes.map((i) => i.name)).toContain('messages_by_folder_date');
  });
});
