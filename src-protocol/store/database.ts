/**
 * Opens the profile's SQLite database (WAL, foreign keys on) and brings its
 * schema up to date.
 */
import { DatabaseSync } from 'node:sqlite';
import { PosternError } from '../common/errors.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';

export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS): DatabaseSync {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  } catch (err) {
    throw new PosternError('STORAGE', `The mail database ${file} could not be opened: ${(err as Error).message}`, { cause: err });
  }
  try {
    migrate(db, migrations);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

export function schemaVersion(db: DatabaseSync): number {
  const row = db.prepare('PRAGMA user_version').get() as { user_version: number } | undefined;
  return row?.user_version ?? 0;
}

export function migrate(db: DatabaseSync, migrations: readonly Migration[]): void {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new PosternError('STORAGE', `The mail database was written by a newer Postern (schema ${current}, this version knows ${latest}).`);
  }
  for (const m of migrations) {
    if (m.version <= current) continue;
    db.exec('BEGIN IMMEDIATE');
    try {
      db.exec(m.sql);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec('COMMIT');
    } catch (err) {
      db.exec('ROLLBACK');
      throw new PosternError('STORAGE', `Database migration ${m.version} (${m.description}) failed: ${(err as Error).message}`, { cause: err });
    }
  }
}
