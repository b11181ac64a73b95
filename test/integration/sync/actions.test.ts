// User actions as persisted tasks against the real Dovecot: applied locally
// at once, sent to the server, kept while the server cannot be reached, and
// done exactly once when it comes back — across separate processes.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import type { MessageSummary, TaskInfo } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let user: TestUser;
let profile: string;
let proxy: TcpProxy;
let work: string;
const env = () => ({ ACT_PW: user.password });
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: env() });
const subjectId = async (folder: string, subject: string) => {
  const list = await cli<MessageSummary[]>(['list', '--folder', folder, '--limit', '100']);
  const hit = list.find((m) => m.subject === subject);
  if (!hit) throw new Error(`${subject} not in local ${folder}: ${list.map((m) => m.subject).join(', ')}`);
  return hit.id;
};

/** Message-IDs in a folder as the server sees it, with flags. */
async function onServer(folder: string): Promise<Map<string, string[]>> {
  const imap = await openImap(servers, user);
  try {
    await imap.mailboxOpen(folder, { readOnly: true });
    const msgs = imap.mailbox && imap.mailbox.exists > 0 ? await imap.fetchAll('1:*', { envelope: true, flags: true }) : [];
    return new Map(msgs.map((m) => [m.envelope?.messageId ?? '', [...(m.flags ?? [])]]));
  } finally {
    await imap.logout();
  }
}

beforeAll(async () => {
  user = await createUser(servers, 'act');
  work = await mkdtemp(join(tmpdir(), 'postern-actions-'));
  profile = join(work, 'profile');
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  await seedMaildir(servers, user.user, 'INBOX', ['alpha', 'beta', 'gamma', 'delta', 'epsilon'].map((s, i) => ({
    raw: plainMessage({ from: 'a@example.net', to: user.email, subject: s, body: s, date: `Mon, 0${i + 1} Sep 2025 10:00:00 +0000`, id: `${s}@example.net` }),
  })));
  proxy = await startTcpProxy(servers.ports.imaps);
  await cli(['account', 'add', '--name', 'Act', '--email', user.email, '--user', user.user, '--imap', `localhost:${proxy.port}`, '--imap-security', 'tls',
    '--smtp', `localhost:${servers.ports.submissions}`, '--smtp-security', 'tls', '--ca', caFile, '--password-env', 'ACT_PW']);
  await cli(['sync', '--all-folders']);
});

afterAll(async () => {
  await proxy?.close();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('actions', () => {
  it('flags and unflags on the server', async () => {
    const id = await subjectId('INBOX', 'alpha');
    const r = await cli<{ flags: string[] }>(['flag', String(id), '--flagged', '--seen']);
    expect(r.flags).toEqual(['\\Flagged', '\\Seen']);
    expect((await onServer('INBOX')).get('<alpha@example.net>')).toEqual(expect.arrayContaining(['\\Flagged', '\\Seen']));
    await cli(['flag', String(id), '--unflagged']);
    expect((await onServer('INBOX')).get('<alpha@example.net>')).not.toContain('\\Flagged');
  });

  it('moves to another folder, and the local copy learns its new UID', async () => {
    const id = await subjectId('INBOX', 'beta');
    expect(await cli(['move', String(id), '--to', 'Archive'])).toEqual({ moved: 1 });
    expect((await onServer('INBOX')).has('<beta@example.net>')).toBe(false);
    expect((await onServer('Archive')).has('<beta@example.net>')).toBe(true);
    const archived = await cli<MessageSummary[]>(['list', '--folder', 'Archive']);
    expect(archived.map((m) => m.subject)).toEqual(['beta']);
    expect(archived[0]?.uid).toBeGreaterThan(0);
  });

  it('deletes to Trash, then for good from Trash', async () => {
    const id = await subjectId('INBOX', 'gamma');
    expect(await cli(['delete', String(id)])).toEqual({ to_trash: 1, permanently: 0 });
    expect((await onServer('Trash')).has('<gamma@example.net>')).toBe(true);
    await cli(['sync', '--all-folders']);
    const inTrash = await subjectId('Trash', 'gamma');
    expect(await cli(['delete', String(inTrash)])).toEqual({ to_trash: 0, permanently: 1 });
    expect((await onServer('Trash')).has('<gamma@example.net>')).toBe(false);
  });

  it('keeps a move made while the server is unreachable and does it once when it is back', async () => {
    const id = await subjectId('INBOX', 'delta');
    await proxy.down();
    try {
      const r = await runCli(['move', String(id), '--to', 'Archive', '--profile', profile, '--json'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ moved: 1 });
      expect(r.stderr).toMatch(/task \d+ move: pending/);
      // A new process: the action is still recorded, and shown where it is.
      const tasks = await cli<TaskInfo[]>(['tasks']);
      expect(tasks).toEqual([expect.objectContaining({ kind: 'move', state: 'pending', last_error: expect.any(String) })]);
      expect((await cli<MessageSummary[]>(['list'])).map((m) => m.subject)).not.toContain('delta');
      expect((await cli<MessageSummary[]>(['list', '--folder', 'Archive'])).map((m) => m.subject)).toContain('delta');
      expect((await onServer('INBOX')).has('<delta@example.net>')).toBe(true);
    } finally {
      await proxy.up();
    }
    await cli(['sync', '--all-folders']);
    expect(await cli<TaskInfo[]>(['tasks'])).toEqual([]);
    expect((await onServer('INBOX')).has('<delta@example.net>')).toBe(false);
    const archive = await onServer('Archive');
    expect([...archive.keys()].filter((k) => k === '<delta@example.net>')).toHaveLength(1);
    const local = await cli<MessageSummary[]>(['list', '--folder', 'Archive']);
    expect(local.filter((m) => m.subject === 'delta')).toHaveLength(1);
  });

  it('flags a message whose move is still waiting, and both reach the server in order', async () => {
    const id = await subjectId('INBOX', 'alpha');
    await proxy.down();
    try {
      await runCli(['move', String(id), '--to', 'Archive', '--profile', profile], { env: env() });
      const r = await runCli(['flag', String(id), '--flagged', '--profile', profile, '--json'], { env: env() });
      expect(r.code, r.stderr).toBe(0);
    } finally {
      await proxy.up();
    }
    await cli(['sync', '--all-folders']);
    expect(await cli<TaskInfo[]>(['tasks']), JSON.stringify(await cli<TaskInfo[]>(['tasks']))).toEqual([]);
    expect((await onServer('Archive')).get('<alpha@example.net>')).toContain('\\Flagged');
    expect((await onServer('INBOX')).has('<alpha@example.net>')).toBe(false);
  });

  it('reports a move the server refuses, with its words, and the message comes back', async () => {
    await cli(['folder', 'create', 'Doomed']);
    const other = await openImap(servers, user);
    try {
      await other.mailboxDelete('Doomed');
    } finally {
      await other.logout();
    }
    const id = await subjectId('INBOX', 'epsilon');
    const r = await runCli(['move', String(id), '--to', 'Doomed', '--profile', profile], { env: env() });
    expect(r.stderr).toMatch(/task \d+ move: failed \(.+\)/);
    const failed = (await cli<TaskInfo[]>(['tasks'])).filter((t) => t.state === 'failed');
    expect(failed).toEqual([expect.objectContaining({ kind: 'move', last_error: expect.stringMatching(/Doomed|exist/i) })]);
    await cli(['sync', '--all-folders']);
    expect((await cli<MessageSummary[]>(['list'])).map((m) => m.subject)).toContain('epsilon');
    expect((await onServer('INBOX')).has('<epsilon@example.net>')).toBe(true);
  });

  it('creates, renames and deletes folders', async () => {
    await cli(['folder', 'create', 'Receipts']);
    expect((await cli<{ path: string }[]>(['folders'])).map((f) => f.path)).toContain('Receipts');
    await cli(['folder', 'rename', 'Receipts', 'Receipts 2025']);
    const names = (await cli<{ path: string }[]>(['folders'])).map((f) => f.path);
    expect(names).toContain('Receipts 2025');
    expect(names).not.toContain('Receipts');
    await cli(['folder', 'delete', 'Receipts 2025']);
    expect((await cli<{ path: string }[]>(['folders'])).map((f) => f.path)).not.toContain('Receipts 2025');
  });

  it('keeps a message moved into a folder never synced through that folder\'s first sync, as the same message', async () => {
    await cli(['folder', 'create', 'Fresh']);
    const id = await subjectId('INBOX', 'epsilon');
    // Opened once: its body is stored here.
    const opened = await runCli(['show', String(id), '--profile', profile], { env: env() });
    expect(opened.code, opened.stderr).toBe(0);
    expect(await cli(['move', String(id), '--to', 'Fresh'])).toEqual({ moved: 1 });
    const before = await cli<MessageSummary[]>(['list', '--folder', 'Fresh']);
    expect(before.map((m) => [m.id, m.subject])).toEqual([[id, 'epsilon']]);
    // The folder's first sync: the copy the move made is the server's message, not a stale one to drop and fetch again.
    await cli(['sync', '--all-folders']);
    const after = await cli<MessageSummary[]>(['list', '--folder', 'Fresh']);
    expect(after.map((m) => [m.id, m.subject, m.uid])).toEqual([[id, 'epsilon', before[0]?.uid]]);
    // Still opens from what is stored here: with a wrong password the server could not serve it.
    const offline = await runCli(['show', String(id), '--profile', profile], { env: { ACT_PW: 'not-the-password' } });
    expect(offline.code, offline.stderr).toBe(0);
    expect(offline.stdout).toContain('epsilon');
    expect((await onServer('Fresh')).has('<epsilon@example.net>')).toBe(true);
  });
});
