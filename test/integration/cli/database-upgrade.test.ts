// A new version of Postern opening a database an older one wrote: the
// schema is upgraded first, and the CLI says so on stderr, step by step.
// When the upgrade cannot run (another program holds the database), the
// command fails with the reason and the file stays as it was, to be
// upgraded next time.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../../helpers/run-cli.ts';
import { openDatabase, schemaVersion } from '../../../src-protocol/store/database.ts';
import { MIGRATIONS } from '../../../src-protocol/store/migrations.ts';

const LATEST = MIGRATIONS.at(-1)?.version ?? 0;
const OLD = LATEST - 3;

let profile: string;
let file: string;

beforeEach(async () => {
  profile = await mkdtemp(join(tmpdir(), 'postern-upgrade-'));
  file = join(profile, 'mail.sqlite');
  // What an older Postern left behind: its schema, and a folder of mail.
  const old = openDatabase(file, MIGRATIONS.filter((m) => m.version <= OLD));
  old.prepare("INSERT INTO folders (account_id, path, name) VALUES ('acct', 'INBOX', 'INBOX')").run();
  old.close();
});

afterEach(async () => {
  await rm(profile, { recursive: true, force: true });
});

function versionOnDisk(): number {
  const db = new DatabaseSync(file, { readOnly: true });
  try {
    return schemaVersion(db);
  } finally {
    db.close();
  }
}

describe('opening a database written by an older version', () => {
  it('upgrades it, saying each step on stderr, then answers the command; the next command says nothing', async () => {
    const r = await runCli(['account', 'list', '--profile', profile, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual([]);
    const pending = MIGRATIONS.filter((m) => m.version > OLD);
    expect(r.stderr.split('\n').filter((l) => l.startsWith('database:'))).toEqual([
      ...pending.map((m, i) => `database: upgrading ${i}/${pending.length} (${m.description})`),
      `database: upgraded ${pending.length}/${pending.length}`,
    ]);
    expect(versionOnDisk()).toBe(LATEST);

    const again = await runCli(['account', 'list', '--profile', profile, '--json']);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).not.toContain('database:');
  });

  it('fails with the reason when another program holds the database, and leaves it to be upgraded next time', async () => {
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    let r;
    try {
      r = await runCli(['account', 'list', '--profile', profile]);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/migration \d+ \(.+\) failed: .*locked/);
    expect(versionOnDisk()).toBe(OLD);
    const db = new DatabaseSync(file, { readOnly: true });
    expect(db.prepare('SELECT path FROM folders').all()).toEqual([{ path: 'INBOX' }]);
    db.close();

    const later = await runCli(['account', 'list', '--profile', profile]);
    expect(later.code, later.stderr).toBe(0);
    expect(versionOnDisk()).toBe(LATEST);
  }, 30_000);
});
