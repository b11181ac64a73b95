// The unified inbox across accounts, saved searches, and undo of a move and
// of a delete, through the engine against the real Dovecot.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import { createInProcessEngine, type InProcessEngine } from '../../../src-protocol/service/engine.ts';
import { EnvCredentialStore } from '../../../src-protocol/accounts/credentials.ts';
import type { MessageSummary, SavedSearch } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let a: TestUser;
let b: TestUser;
let engine: InProcessEngine;

async function call<T>(name: string, input: unknown): Promise<T> {
  const r = await engine.dispatcher.call(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

async function serverSubjects(user: TestUser, folder: string): Promise<string[]> {
  const imap = await openImap(servers, user);
  try {
    await imap.mailboxOpen(folder, { readOnly: true });
    if (!imap.mailbox || imap.mailbox.exists === 0) return [];
    return (await imap.fetchAll('1:*', { envelope: true })).map((m) => m.envelope?.subject ?? '').sort();
  } finally {
    await imap.logout();
  }
}

const note = (to: string, subject: string, day: number) =>
  plainMessage({ from: 'x@example.net', to, subject, body: `${subject} kiwi`, date: `Mon, 0${day} Sep 2025 10:00:00 +0000`, id: `${subject.replace(/\W/g, '')}@v` });

beforeAll(async () => {
  [a, b] = await Promise.all([createUser(servers, 'va'), createUser(servers, 'vb')]);
  await seedMaildir(servers, a.user, 'INBOX', [{ raw: note(a.email, 'A one', 1) }, { raw: note(a.email, 'A two', 3) }]);
  await seedMaildir(servers, b.user, 'INBOX', [{ raw: note(b.email, 'B one', 2) }]);
  engine = createInProcessEngine({ profileDir: join(await mkdtemp(join(tmpdir(), 'postern-views-')), 'p'), credentials: new EnvCredentialStore({}) });
  for (const [name, u] of [['Va', a], ['Vb', b]] as const) {
    await call('mail:accounts.add', {
      name, email: u.email, user: u.user, password: u.password, ca_pem: servers.caPem,
      imap: { host: 'localhost', port: servers.ports.imaps, security: 'tls' }, smtp: { host: 'localhost', port: servers.ports.submissions, security: 'tls' },
    });
    await call('mail:sync.account', { account_id: name.toLowerCase(), bodies: true });
  }
});

afterAll(async () => {
  await engine?.dispatcher.close();
});

describe('views', () => {
  it('shows every account\'s inbox together, newest first', async () => {
    const all = await call<MessageSummary[]>('mail:unified.list', { role: 'inbox' });
    expect(all.map((m) => [m.subject, m.account_id])).toEqual([['A two', 'va'], ['B one', 'vb'], ['A one', 'va']]);
  });

  it('keeps saved searches, refusing one that cannot run', async () => {
    const saved = await call<SavedSearch>('mail:savedSearches.save', { name: 'Kiwis', query: 'kiwi before:2025-09-03' });
    expect(await call<SavedSearch[]>('mail:savedSearches.list', {})).toEqual([saved]);
    expect((await call<MessageSummary[]>('mail:search', { query: saved.query })).map((m) => m.subject).sort()).toEqual(['A one', 'B one']);
    const bad = await engine.dispatcher.call('mail:savedSearches.save', { name: 'Bad', query: 'before:yesterday' });
    expect(bad).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(await call('mail:savedSearches.delete', { id: saved.id })).toEqual({ deleted: true });
  });
});

describe('server search', () => {
  it('asks the server about folders not synced yet, and marks what it found there', async () => {
    await seedMaildir(servers, a.user, 'Old Projects', [{ raw: note(a.email, 'Ancient zeppelin plan', 4) }, { raw: note(a.email, 'Other thing', 5) }]);
    await call('mail:folders.list', { account_id: 'va', refresh: true });
    expect(await call<MessageSummary[]>('mail:search', { query: 'zeppelin' })).toEqual([]);
    const found = await call<MessageSummary[]>('mail:search', { query: 'zeppelin', include_server: true });
    expect(found).toEqual([expect.objectContaining({ subject: 'Ancient zeppelin plan', folder: 'Old Projects', from_server: true })]);
    // Now stored here: found locally (by its headers) without asking the server.
    expect((await call<MessageSummary[]>('mail:search', { query: 'subject:zeppelin' })).map((m) => m.subject)).toEqual(['Ancient zeppelin plan']);
  });
});

describe('undo', () => {
  it('takes back a move that already reached the server', async () => {
    const one = (await call<MessageSummary[]>('mail:messages.list', { account_id: 'va' })).find((m) => m.subject === 'A one');
    await call('mail:messages.move', { ids: [one?.id], to: 'Archive' });
    await call('mail:sync.account', { account_id: 'va' }); // flushes the move
    expect(await serverSubjects(a, 'Archive')).toEqual(['A one']);
    expect(await call('mail:undo', {})).toEqual({ undone: 1, what: 'Moved 1 to Archive' });
    await call('mail:sync.account', { account_id: 'va' });
    expect(await serverSubjects(a, 'Archive')).toEqual([]);
    expect(await serverSubjects(a, 'INBOX')).toEqual(['A one', 'A two']);
    expect(await call('mail:undo', {})).toEqual({ undone: 0, what: null });
  });

  it('takes back a delete whose move to Trash had not reached the server: nothing reaches it', async () => {
    const two = (await call<MessageSummary[]>('mail:messages.list', { account_id: 'va' })).find((m) => m.subject === 'A two');
    // The move is applied here at once; undo it before it is sent.
    const r = await engine.dispatcher.call('mail:messages.delete', { ids: [two?.id] });
    expect(r).toMatchObject({ ok: true, value: { to_trash: 1 } });
    expect(await call('mail:undo', {})).toMatchObject({ undone: 1 });
    await call('mail:sync.account', { account_id: 'va' });
    expect(await serverSubjects(a, 'Trash')).toEqual([]);
    expect((await call<MessageSummary[]>('mail:messages.list', { account_id: 'va' })).map((m) => m.subject).sort()).toEqual(['A one', 'A two']);
  });
});
