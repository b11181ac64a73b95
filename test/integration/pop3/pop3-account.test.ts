// POP3 accounts end to end against the real Dovecot: download by UIDL into
// local folders, never twice; leave-on-server and deletion rules; and a
// process killed between RETR and the commit, or after DELE before QUIT,
// loses nothing and duplicates nothing.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, deliver, messageCount, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import type { AccountSummary, Folder, MessageSummary, MessageView, SyncResult } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let work: string;
let caFile: string;

/** Lines that begin with dots, 8-bit bytes that are not UTF-8, and a line of exactly "." */
const TRICKY = Buffer.concat([
  Buffer.from('From: Dot Tester <dots@example.net>\r\nTo: someone@example.test\r\nSubject: Dots and bytes\r\n'
    + 'Date: Tue, 02 Sep 2025 10:00:00 +0000\r\nMessage-ID: <dots@example.net>\r\nMIME-Version: 1.0\r\n'
    + 'Content-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: 8bit\r\n\r\n'
    + '.leading dot\r\n..two dots\r\n.\r\nmiddle\r\n'),
  Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x0d, 0x0a]),
  Buffer.from('last line\r\n'),
]);

function note(i: number, to: string): string {
  return plainMessage({ from: `Sender <s${i}@example.net>`, to, subject: `POP note ${i}`, body: `pop body ${i} wombat`, date: `Mon, 0${1 + (i % 9)} Sep 2025 10:00:00 +0000`, id: `pop-${i}@example.net` });
}

async function popAccount(user: TestUser, name: string, extra: string[] = []): Promise<{ profile: string; cli: <T>(args: string[], env?: Record<string, string>) => Promise<T> }> {
  const profile = join(work, name);
  const env = { POP_PW: user.password };
  const cli = <T>(args: string[], more: Record<string, string> = {}) => cliJson<T>([...args, '--profile', profile], { env: { ...env, ...more } });
  await cli<AccountSummary>(['account', 'add', '--name', name, '--email', user.email, '--user', user.user,
    '--pop3', `localhost:${servers.ports.pop3s}`, '--pop3-security', 'tls', '--smtp', `localhost:${servers.ports.submissions}`,
    '--smtp-security', 'tls', '--ca', caFile, '--password-env', 'POP_PW', ...extra]);
  return { profile, cli };
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'postern-pop3-'));
  caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
});

describe('a POP3 account that leaves mail on the server (the default)', () => {
  let user: TestUser;
  let acct: Awaited<ReturnType<typeof popAccount>>;

  beforeAll(async () => {
    user = await createUser(servers, 'popa');
    await seedMaildir(servers, user.user, 'INBOX', [{ raw: note(1, user.email) }, { raw: note(2, user.email) }, { raw: TRICKY }]);
    acct = await popAccount(user, 'Pop');
  });

  it('is a POP3 account with local folders', async () => {
    const [summary] = await acct.cli<AccountSummary[]>(['account', 'list']);
    expect(summary).toMatchObject({ kind: 'pop3', imap: null, pop3: { port: servers.ports.pop3s, retention: { leave_on_server: true, delete_after_days: null } } });
    const folders = await acct.cli<Folder[]>(['folders']);
    expect(folders.map((f) => f.special_use)).toEqual(['inbox', 'drafts', 'sent', 'archive', 'junk', 'trash']);
  });

  it('downloads the maildrop once, byte for byte, and keeps it on the server', async () => {
    const first = await acct.cli<SyncResult>(['sync']);
    expect(first).toMatchObject({ folder: 'INBOX', total: 3, added: 3 });
    const list = await acct.cli<MessageSummary[]>(['list']);
    expect(list.map((m) => m.subject).sort()).toEqual(['Dots and bytes', 'POP note 1', 'POP note 2']);
    // The stored copy is exactly the bytes seeded (the blob is named by their hash).
    const sha = createHash('sha256').update(TRICKY).digest('hex');
    expect((await readFile(join(acct.profile, 'messages', sha.slice(0, 2), sha.slice(2)))).equals(TRICKY)).toBe(true);
    const shown = await acct.cli<MessageView>(['show', String(list.find((m) => m.subject === 'Dots and bytes')?.id)]);
    expect(shown.text).toContain('.leading dot\n..two dots\n.\nmiddle\ncafé');

    const again = await acct.cli<SyncResult>(['sync']);
    expect(again).toMatchObject({ added: 0, total: 3 });
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(3);
  });

  it('downloads only new mail', async () => {
    await deliver(servers, note(3, user.email), [user.email]);
    const r = await acct.cli<SyncResult>(['sync']);
    expect(r).toMatchObject({ added: 1, total: 4 });
    expect((await acct.cli<MessageSummary[]>(['search', 'wombat'])).map((m) => m.subject).sort()).toEqual(['POP note 1', 'POP note 2', 'POP note 3']);
  });

  it('flags, moves and deletes locally, without touching the server', async () => {
    const list = await acct.cli<MessageSummary[]>(['list']);
    const one = list.find((m) => m.subject === 'POP note 1')?.id as number;
    expect((await acct.cli<{ flags: string[] }>(['flag', String(one), '--flagged'])).flags).toContain('\\Flagged');
    await acct.cli(['move', String(one), '--to', 'Archive']);
    expect((await acct.cli<MessageSummary[]>(['list', '--folder', 'Archive'])).map((m) => m.subject)).toEqual(['POP note 1']);
    const two = list.find((m) => m.subject === 'POP note 2')?.id as number;
    expect(await acct.cli(['delete', String(two)])).toEqual({ to_trash: 1, permanently: 0 });
    expect((await acct.cli<MessageSummary[]>(['list', '--folder', 'Trash'])).map((m) => m.subject)).toEqual(['POP note 2']);
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(4);
    // Moved and deleted mail is not downloaded again.
    expect((await acct.cli<SyncResult>(['sync']))).toMatchObject({ added: 0 });
  });

  it('keeps what it sends in its local Sent, found by a word of its text', async () => {
    const friend = await createUser(servers, 'popf');
    await acct.cli(['send', '--account', 'Pop', '--to', friend.email, '--subject', 'Plans from POP', '--text', 'The quokka expedition leaves at dawn.']);
    const found = await acct.cli<MessageSummary[]>(['search', 'expedition']);
    expect(found.map((m) => [m.subject, m.folder])).toEqual([['Plans from POP', 'Sent']]);
  });
});

describe('deleting from the server', () => {
  it('--no-leave-on-server deletes what is stored here, confirmed by QUIT', async () => {
    const user = await createUser(servers, 'popb');
    await seedMaildir(servers, user.user, 'INBOX', [{ raw: note(10, user.email) }, { raw: note(11, user.email) }]);
    const acct = await popAccount(user, 'PopDel', ['--no-leave-on-server']);
    expect((await acct.cli<SyncResult>(['sync']))).toMatchObject({ added: 2 });
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(0);
    expect(await acct.cli<MessageSummary[]>(['list'])).toHaveLength(2);
  });

  it('--delete-after-days keeps mail on the server until it is that old', async () => {
    const user = await createUser(servers, 'popc');
    await seedMaildir(servers, user.user, 'INBOX', [{ raw: note(20, user.email) }]);
    const keep = await popAccount(user, 'PopKeep', ['--delete-after-days', '30']);
    await keep.cli(['sync']);
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(1);
    const now = await popAccount(user, 'PopNow', ['--delete-after-days', '0']);
    await now.cli(['sync']);
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(0);
  });
});

describe('deleting on the server what is deleted here', () => {
  it('--delete-when-deleted removes a message from the server once it is deleted for good here, and only then', async () => {
    const user = await createUser(servers, 'popw');
    await seedMaildir(servers, user.user, 'INBOX', [{ raw: note(50, user.email) }, { raw: note(51, user.email) }]);
    const acct = await popAccount(user, 'PopWhen', ['--delete-when-deleted']);
    await acct.cli(['sync']);
    const fifty = (await acct.cli<MessageSummary[]>(['list'])).find((m) => m.subject === 'POP note 50')?.id as number;
    await acct.cli(['delete', String(fifty)]);
    await acct.cli(['sync']);
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(2); // only in Trash here: still on the server
    const inTrash = (await acct.cli<MessageSummary[]>(['list', '--folder', 'Trash']))[0]?.id as number;
    await acct.cli(['delete', String(inTrash)]);
    await acct.cli(['sync']);
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(1);
    expect((await acct.cli<MessageSummary[]>(['list'])).map((m) => m.subject)).toEqual(['POP note 51']);
  });
});

describe('large messages', () => {
  it('--preview-over-kib keeps only headers and a preview until the message is opened', async () => {
    const user = await createUser(servers, 'popl');
    const body = Array.from({ length: 3000 }, (_, i) => `line ${i} of a long report`).join('\r\n');
    const big = plainMessage({ from: 'Big <big@example.net>', to: user.email, subject: 'Large report', body, date: 'Mon, 01 Sep 2025 10:00:00 +0000', id: 'big@x' });
    await seedMaildir(servers, user.user, 'INBOX', [{ raw: big }, { raw: note(60, user.email) }]);
    const acct = await popAccount(user, 'PopBig', ['--preview-over-kib', '20', '--no-leave-on-server']);
    await acct.cli(['sync']);
    const list = await acct.cli<MessageSummary[]>(['list']);
    const large = list.find((m) => m.subject === 'Large report');
    expect(large).toMatchObject({ partial: true, size: Buffer.byteLength(big) });
    expect(list.find((m) => m.subject === 'POP note 60')).toMatchObject({ partial: false });
    // The preview is not deleted from the server; the small one is.
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(1);
    const shown = await acct.cli<MessageView>(['show', String(large?.id)]);
    expect(shown.text).toContain('line 2999 of a long report');
    expect((await acct.cli<MessageSummary[]>(['list'])).find((m) => m.subject === 'Large report')).toMatchObject({ partial: false });
    await acct.cli(['sync']);
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(0);
  });
});

describe('a killed process', () => {
  it('between RETR and the commit: nothing lost, nothing downloaded twice', async () => {
    const user = await createUser(servers, 'popk');
    await seedMaildir(servers, user.user, 'INBOX', [1, 2, 3].map((i) => ({ raw: note(30 + i, user.email) })));
    const acct = await popAccount(user, 'PopKill', ['--no-leave-on-server']);
    const killed = await runCli(['sync', '--profile', acct.profile], { env: { POP_PW: user.password, POSTERN_FAILPOINT: 'pop3:after-retr' } });
    expect(killed.code).not.toBe(0);
    expect(await acct.cli<MessageSummary[]>(['list'])).toHaveLength(0);
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(3);
    await acct.cli(['sync']);
    expect((await acct.cli<MessageSummary[]>(['list'])).map((m) => m.subject).sort()).toEqual(['POP note 31', 'POP note 32', 'POP note 33']);
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(0);
  });

  it('after DELE but before QUIT: the server keeps everything, the next run deletes it once', async () => {
    const user = await createUser(servers, 'popq');
    await seedMaildir(servers, user.user, 'INBOX', [1, 2].map((i) => ({ raw: note(40 + i, user.email) })));
    const acct = await popAccount(user, 'PopQuit', ['--no-leave-on-server']);
    const killed = await runCli(['sync', '--profile', acct.profile], { env: { POP_PW: user.password, POSTERN_FAILPOINT: 'pop3:after-dele' } });
    expect(killed.code).not.toBe(0);
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(2);
    expect(await acct.cli<MessageSummary[]>(['list'])).toHaveLength(2);
    const r = await acct.cli<SyncResult>(['sync']);
    expect(r).toMatchObject({ added: 0 });
    expect(await messageCount(servers, user.user, 'INBOX')).toBe(0);
    expect(await acct.cli<MessageSummary[]>(['list'])).toHaveLength(2);
  });
});
