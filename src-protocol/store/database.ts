/**
 * Opens the profile's SQLite database (WAL, foreign keys on) and brings its
 * schema up to date.
 */
import { DatabaseSync } from 'node:sqlite';
import { PosternError } from '../common/errors.ts';
import { MIGRATIONS, type Migration } from './migrations.ts';

/**
 * Where an upgrade of an existing database stands: `done` of `total`
 * migrations have run, and `description` names the one running now (the
 * last report, with done = total, has the last one's). Some take a while on
 * a big mailbox (migration 17: about 14 s at 100k messages), and the window
 * and the CLI say so instead of seeming to hang.
 */
export interface MigrationStep {
  done: number;
  total: number;
  version: number;
  description: string;
}

export function openDatabase(file: string, migrations: readonly Migration[] = MIGRATIONS, onStep?: (step: MigrationStep) => void): DatabaseSync {
  let db: DatabaseSync;
  try {
    db = new DatabaseSync(file);
    db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;');
  } catch (err) {
    throw new PosternError('STORAGE', `The mail database ${file} could not be opened: ${(err as Error).message}`, { cause: err });
  }
  try {
    migrate(db, migrations, onStep);
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

/**
 * Runs the migrations the database has not had, each in its own
 * transaction. `onStep` hears about an upgrade only: a new database's
 * tables take milliseconds to create, so there is nothing to show.
 */
export function migrate(db: DatabaseSync, migrations: readonly Migration[], onStep?: (step: MigrationStep) => void): void {
  const current = schemaVersion(db);
  const latest = migrations.at(-1)?.version ?? 0;
  if (current > latest) {
    throw new PosternError('STORAGE', `The mail database was written by a newer Postern (schema ${current}, this version knows ${latest}).`);
  }
  const pending = migrations.filter((m) => m.version > current);
  const report = current > 0 ? onStep : undefined;
  for (const [i, m] of pending.entries()) {
    report?.({ done: i, total: pending.length, version: m.version, description: m.description });
    let begun = false;
    try {
      // Inside the try: another program holding the file makes this fail (busy), and that is this step's failure too.
      db.exec('BEGIN IMMEDIATE');
      begun = true;
      db.exec(m.sql);
      db.exec(`PRAGMA user_version = ${m.version}`);
      db.exec('COMMIT');
    } catch (err) {
      if (begun) db.exec('ROLLBACK');
      throw new PosternError('STORAGE', `Database migration ${m.version} (${m.description}) failed: ${(err as Error).message}`, { cause: err });
    }
  }
  const last = pending.at(-1);
  if (last) report?.({ done: pending.length, total: pending.length, version: last.version, description: last.description });
}
