// The sync engine against the real Dovecot: whole-account sync with bodies,
// offline search, CONDSTORE no-op and QRESYNC resyncs while another
// client changes the mailbox, and a UIDVALIDITY change.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, deliver, openImap, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { tempProfile } from '../../helpers/temp-profile.ts';
import { cliJson } from '../../helpers/run-cli.ts';
import { alternativeWithAttachment, plainMessage } from '../../fixtures/messages.ts';
import type { AccountSyncResult, MessageModel, MessageSummary } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let user: TestUser;
let profile: string;
const env = () => ({ SYNC_PW: user.password });
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: env() });

function note(i: number, extra: Partial<{ subject: string; body: string; from: string }> = {}): string {
  const day = String(1 + (i % 28)).padStart(2, '0');
  return plainMessage({
    from: extra.from ?? `Sender ${i} <sender${i}@example.net>`, to: user.email, subject: extra.subject ?? `Note number ${i}`,
    body: extra.body ?? `Body of note ${i}. ${i % 2 ? 'odd' : 'even'} words`, date: `Mon, ${day} Sep 2025 10:00:00 +0000`, id: `note-${i}@example.net`,
  });
}

beforeAll(async () => {
  user = await createUser(servers, 'sync');
  const made = await tempProfile('postern-sync-', servers.caPem);
  profile = made.profile;
  const caFile = made.caFile;
  await seedMaildir(servers, user.user, 'INBOX', [
    ...Array.from({ length: 20 }, (_, i) => ({ raw: note(i), flags: i < 5 ? (['\\Seen'] as const) : ([] as const) })),
    { raw: note(100, { subject: 'Invoice from the printer', body: 'Please pay the zebracorn invoice', from: 'Printer <billing@printer.example>' }) },
    { raw: alternativeWithAttachment({ from: 'eloise@example.net', to: user.email, date: 'Tue, 07 Jan 2025 10:30:00 +0100', id: 'report@example.net' }) },
  ]);
  await seedMaildir(servers, user.user, 'Archive', [{ raw: note(200, { subject: 'Archived plan', body: 'the archived quokka plan' }), flags: ['\\Seen'] }]);
  await cli(['account', 'add', '--name', 'Sync', '--email', user.email, '--user', user.user, '--imap', `localhost:${servers.ports.imaps}`,
    '--smtp', `localhost:${servers.ports.submissions}`, '--imap-security', 'tls', '--smtp-security', 'tls', '--ca', caFile, '--password-env', 'SYNC_PW']);
});

describe('account sync', () => {
  it('syncs every folder with bodies, INBOX first', async () => {
    const r = await cli<AccountSyncResult>(['sync', '--all-folders', '--bodies']);
    expect(r.folders[0]?.folder).toBe('INBOX');
    const byFolder = Object.fromEntries(r.folders.map((f) => [f.folder, f]));
    expect(byFolder['INBOX']).toMatchObject({ total: 22, added: 22, mode: 'full' });
    expect(byFolder['Archive']).toMatchObject({ total: 1, added: 1 });
    expect(byFolder['Sent']).toMatchObject({ total: 0 });
    expect(r.bodies_downloaded).toBe(23);
    expect(r.bytes_downloaded).toBeGreaterThan(0);
  });

  it('opens downloaded messages from the pack they were stored in, with no way to log in to the server', async () => {
    const packs = (await readdir(join(profile, 'messages', 'packs'))).filter((f) => f.endsWith('.pack'));
    expect(packs.length).toBeGreaterThan(0);
    const [invoice] = await cli<MessageSummary[]>(['search', 'zebracorn']);
    const [report] = await cli<MessageSummary[]>(['search', 'has:attachment']);
    // No password in the environment: the engine cannot log in, so what it shows comes from the disk.
    const show = (id: number | undefined) => cliJson<MessageModel>(['show', String(id), '--keep-unread', '--profile', profile], { env: {} });
    expect((await show(invoice?.id)).text).toContain('Please pay the zebracorn invoice');
    const withAttachment = await show(report?.id);
    expect(withAttachment.subject).toBe('Café report — Q3');
    expect(withAttachment.attachments.map((a) => a.filename)).toContain('report.pdf');
  });

  it('finds mail offline by word, body, sender, subject, attachment, state, folder and date', async () => {
    const subjects = async (q: string) => (await cli<MessageSummary[]>(['search', q])).map((m) => m.subject);
    expect(await subjects('zebracorn')).toEqual(['Invoice from the printer']);
    expect(await subjects('zebra')).toEqual(['Invoice from the printer']); // prefix, as you type
    expect(await subjects('from:billing@printer.example')).toEqual(['Invoice from the printer']);
    expect(await subjects('subject:invoice')).toEqual(['Invoice from the printer']);
    expect(await subjects('has:attachment')).toEqual(['Café report — Q3']);
    expect(await subjects('report.pdf')).toEqual(['Café report — Q3']);
    expect(await subjects('quokka')).toEqual(['Archived plan']);
    expect(await subjects('in:archive')).toEqual(['Archived plan']);
    expect(await subjects('"archived quokka"')).toEqual(['Archived plan']);
    expect(await subjects('"quokka archived"')).toEqual([]);
    expect(await subjects('is:unread odd')).toHaveLength(8); // notes 0-4 are read; odd ones of 5..19
    expect(await subjects('before:2025-09-02 note')).toEqual(['Note number 0']);
    expect(await subjects('after:2025-09-20 note in:inbox')).toHaveLength(1);
  });

  it('a resync with nothing changed is a CONDSTORE no-op', async () => {
    const r = await cli<AccountSyncResult>(['sync', '--all-folders']);
    for (const f of r.folders) expect(f, f.folder).toMatchObject({ added: 0, removed: 0, flags_changed: 0, mode: 'unchanged' });
  });

  it('converges with what another client did: flags, expunge, new mail', async () => {
    const other = await openImap(servers, user);
    try {
      await other.mailboxOpen('INBOX');
      const uids = (await other.search({ all: true }, { uid: true })) as number[];
      const sorted = [...uids].sort((a, b) => a - b);
      await other.messageFlagsAdd(String(sorted[10]), ['\\Flagged', '\\Seen'], { uid: true });
      await other.messageDelete(String(sorted[0]), { uid: true });
    } finally {
      await other.logout();
    }
    await deliver(servers, note(300, { subject: 'Fresh arrival' }), [user.email]);

    const r = await cli<AccountSyncResult>(['sync', '--all-folders']);
    expect(r.folders.find((f) => f.folder === 'INBOX')).toMatchObject({ added: 1, removed: 1, flags_changed: 1, total: 22, mode: 'qresync' });

    const list = await cli<MessageSummary[]>(['list', '--limit', '100']);
    const server = await openImap(servers, user);
    try {
      await server.mailboxOpen('INBOX', { readOnly: true });
      const onServer = await server.fetchAll('1:*', { uid: true, flags: true });
      const expected = onServer.map((m) => ({ uid: m.uid, flags: [...(m.flags ?? [])].filter((f) => f !== '\\Recent').sort() })).sort((a, b) => a.uid - b.uid);
      const local = list.map((m) => ({ uid: m.uid, flags: m.flags })).sort((a, b) => a.uid - b.uid);
      expect(local).toEqual(expected);
    } finally {
      await server.logout();
    }
    expect(list.map((m) => m.subject)).toContain('Fresh arrival');
    expect(list.map((m) => m.subject)).not.toContain('Note number 0');
  });

  it('discards a folder\'s cache when UIDVALIDITY changes', async () => {
    const imap = await openImap(servers, user);
    try {
      await imap.mailboxCreate('Projects');
      await imap.append('Projects', note(400, { subject: 'Old project' }));
    } finally {
      await imap.logout();
    }
    const first = await cli<AccountSyncResult>(['sync', '--all-folders']);
    expect(first.folders.find((f) => f.folder === 'Projects')).toMatchObject({ total: 1, added: 1 });

    const again = await openImap(servers, user);
    try {
      await again.mailboxDelete('Projects');
      await again.mailboxCreate('Projects');
      await again.append('Projects', note(401, { subject: 'New project' }));
    } finally {
      await again.logout();
    }
    const second = await cli<AccountSyncResult>(['sync', '--all-folders']);
    expect(second.folders.find((f) => f.folder === 'Projects')).toMatchObject({ total: 1, added: 1, mode: 'full' });
    const list = await cli<MessageSummary[]>(['list', '--folder', 'Projects']);
    expect(list.map((m) => m.subject)).toEqual(['New project']);
  });
});
