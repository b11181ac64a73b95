/**
 * A real MailStore on disk for each test of a file: a fresh folder and
 * database before each test, closed and removed after it.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openDatabase } from '../../src-protocol/store/database.ts';
import { MailStore } from '../../src-protocol/store/mail-store.ts';

/** Registers the hooks; `opened` receives each test's store. */
export function useTempStore(prefix: string, opened: (store: MailStore) => void): void {
  let dir: string | undefined;
  let store: MailStore | undefined;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), prefix));
    store = new MailStore(openDatabase(join(dir, 'mail.sqlite')));
    opened(store);
  });
  afterEach(async () => {
    if (store?.db.isOpen) store.db.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });
}
