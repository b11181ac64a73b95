// A sync racing with the person's own actions must not undo them: for UIDs
// with an action not yet on the server, the local state wins (real Dovecot,
// real SQLite store).
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, expect, inject, it } from 'vitest';
import { createUser, openImap, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import { openDatabase } from '../../../src-protocol/store/database.ts';
import { MailStore } from '../../../src-protocol/store/mail-store.ts';
import { syncFolderHeaders } from '../../../src-protocol/sync/folder-sync.ts';

const servers = inject('servers');
let user: TestUser;
let store: MailStore;

beforeAll(async () => {
  user = await createUser(servers, 'race');
  await seedMaildir(servers, user.user, 'INBOX', ['one', 'two'].map((s) => ({
    raw: plainMessage({ from: 'a@example.net', to: user.email, subject: s, body: s, date: 'Mon, 01 Sep 2025 10:00:00 +0000', id: `${s}@race` }),
  })));
  store = new MailStore(openDatabase(join(await mkdtemp(join(tmpdir(), 'postern-race-')), 'mail.sqlite')));
});

it('keeps a local flag change and a local move away while their tasks wait', async () => {
  const client = await openImap(servers, user);
  try {
    await syncFolderHeaders(client, store, 'race', 'INBOX');
    const folder = store.folder('race', 'INBOX');
    if (!folder) throw new Error('no folder');
    const [one, two] = store.listMessages(folder.id, 10, 0).sort((a, b) => a.uid - b.uid);
    if (!one || !two) throw new Error('not synced');
    // The person flags "one" and moves "two" away; neither is on the server yet.
    store.setMessageFlags(one.id, ['\\Flagged']);
    store.removeMessage(two.id);
    // Meanwhile another client marks everything read.
    await client.mailboxOpen('INBOX');
    await client.messageFlagsAdd('1:*', ['\\Seen']);
    await client.mailboxClose();

    await syncFolderHeaders(client, store, 'race', 'INBOX', undefined, undefined, () => new Set([one.uid, two.uid]));
    const after = store.listMessages(folder.id, 10, 0);
    expect(after.map((m) => m.uid)).toEqual([one.uid]);
    expect(JSON.parse(after[0]?.flags_json ?? '[]')).toEqual(['\\Flagged']);

    // Once the actions are done (nothing pending), the server's state is taken again.
    store.forgetSyncState(folder.id);
    await syncFolderHeaders(client, store, 'race', 'INBOX');
    expect(store.listMessages(folder.id, 10, 0).map((m) => JSON.parse(m.flags_json) as string[])).toEqual([['\\Seen'], ['\\Seen']]);
  } finally {
    await client.logout();
  }
});
