// Moves against a server without UIDPLUS: it moves the message but never
// says which UID the copy got (no COPYUID). The real Dovecot, behind a relay
// that takes UIDPLUS out of its answers. The moved message must stay where
// the person put it, openable, with the server's UID, and never twice.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import { startImapRewriteProxy, withoutUidplus, type ImapRewriteProxy } from '../../helpers/imap-rewrite-proxy.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import type { MessageSummary, TaskInfo } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let user: TestUser;
let profile: string;
let proxy: ImapRewriteProxy;
let work: string;
const env = () => ({ NOUID_PW: user.password });
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: env() });
const listed = (folder: string) => cli<MessageSummary[]>(['list', '--folder', folder, '--limit', '100']);
const subjectId = async (folder: string, subject: string) => {
  const hit = (await listed(folder)).find((m) => m.subject === subject);
  if (!hit) throw new Error(`${subject} not in local ${folder}`);
  return hit.id;
};

/** UID and flags by Message-ID, as the server has them (straight to Dovecot, not through the relay). */
async function onServer(folder: string): Promise<Map<string, { uid: number; flags: string[] }>> {
  const imap = await openImap(servers, user);
  try {
    await imap.mailboxOpen(folder, { readOnly: true });
    const msgs = imap.mailbox && imap.mailbox.exists > 0 ? await imap.fetchAll('1:*', { envelope: true, flags: true, uid: true }) : [];
    return new Map(msgs.map((m) => [m.envelope?.messageId ?? '', { uid: m.uid, flags: [...(m.flags ?? [])] }]));
  } finally {
    await imap.logout();
  }
}

beforeAll(async () => {
  user = await createUser(servers, 'nouid');
  work = await mkdtemp(join(tmpdir(), 'postern-no-uidplus-'));
  profile = join(work, 'profile');
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  await seedMaildir(servers, user.user, 'INBOX', ['one', 'two', 'three'].map((s, i) => ({
    raw: plainMessage({ from: 'a@example.net', to: user.email, subject: s, body: `body of ${s}`, date: `Mon, 0${i + 1} Sep 2025 10:00:00 +0000`, id: `${s}@example.net` }),
  })));
  proxy = await startImapRewriteProxy(servers, withoutUidplus);
  await cli(['account', 'add', '--name', 'NoUid', '--email', user.email, '--user', user.user, '--imap', `localhost:${proxy.port}`, '--imap-security', 'tls',
    '--smtp', `localhost:${servers.ports.submissions}`, '--smtp-security', 'tls', '--ca', caFile, '--password-env', 'NOUID_PW']);
  await cli(['sync', '--all-folders']);
});

afterAll(async () => {
  await proxy?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('a server without UIDPLUS', () => {
  it('is what the relay shows: no UIDPLUS, no COPYUID', async () => {
    const imap = new ImapFlow({ host: 'localhost', port: proxy.port, secure: true, tls: { ca: servers.caPem }, auth: { user: user.user, pass: user.password }, logger: false });
    await imap.connect();
    try {
      expect(imap.capabilities.has('UIDPLUS')).toBe(false);
      expect(imap.capabilities.has('IMAP4rev1')).toBe(true);
      await imap.mailboxCreate('Probe');
      await imap.mailboxOpen('INBOX');
      const copied = await imap.messageCopy('1', 'Probe');
      expect(copied && copied.uidMap).toBeFalsy();
    } finally {
      await imap.logout();
    }
  });

  it('keeps a moved message in its new folder with the UID the server gave it', async () => {
    const id = await subjectId('INBOX', 'one');
    expect(await cli(['move', String(id), '--to', 'Archive'])).toEqual({ moved: 1 });
    const server = (await onServer('Archive')).get('<one@example.net>');
    expect(server).toBeDefined();
    // Before any sync of Archive: the message is there, and opens.
    const archived = await listed('Archive');
    expect(archived.map((m) => [m.subject, m.uid])).toEqual([['one', server?.uid]]);
    const shown = await runCli(['show', String(archived[0]?.id), '--profile', profile], { env: env() });
    expect(shown.code, shown.stderr).toBe(0);
    expect(shown.stdout).toContain('body of one');
    // A sync of the folder finds the same message, not a second one.
    await cli(['sync', '--all-folders']);
    expect((await listed('Archive')).map((m) => m.subject)).toEqual(['one']);
    expect((await listed('INBOX')).map((m) => m.subject).sort()).toEqual(['three', 'two']);
  });

  it('lets the moved message be flagged and moved on before any sync', async () => {
    const id = await subjectId('INBOX', 'two');
    await cli(['move', String(id), '--to', 'Archive']);
    // A flag on the message where it is now; then move it on once more.
    await cli(['flag', String(id), '--flagged']);
    expect((await onServer('Archive')).get('<two@example.net>')?.flags).toContain('\\Flagged');
    expect(await cli(['move', String(id), '--to', 'INBOX'])).toEqual({ moved: 1 });
    expect((await onServer('INBOX')).has('<two@example.net>')).toBe(true);
    expect((await onServer('Archive')).has('<two@example.net>')).toBe(false);
    expect(await cli<TaskInfo[]>(['tasks'])).toEqual([]);
    await cli(['sync', '--all-folders']);
    expect((await listed('INBOX')).filter((m) => m.subject === 'two')).toEqual([expect.objectContaining({ flags: expect.arrayContaining(['\\Flagged']) })]);
  });
});
