// Every `postern` command of the spine against the real Dovecot and Postfix:
// what a person typing the commands would see.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { simpleParser } from 'mailparser';
import { createUser, openImap, seedMaildir, waitForMessage } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import { ATTACHMENT_BYTES, alternativeWithAttachment, plainMessage } from '../../fixtures/messages.ts';
import type { AccountSummary, Folder, MessageModel, MessageSummary, MessageView, MimeNode, SendResult, SyncResult } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let alice: TestUser;
let bob: TestUser;
let work: string;
let profile: string;
let caFile: string;
const env = () => ({ ALICE_PW: alice.password });

function accountArgs(name: string, user: TestUser, mode: 'tls' | 'starttls', extra: string[] = []): string[] {
  const imapPort = mode === 'tls' ? servers.ports.imaps : servers.ports.imap;
  const smtpPort = mode === 'tls' ? servers.ports.submissions : servers.ports.submission;
  return ['account', 'add', '--profile', profile, '--name', name, '--email', user.email, '--user', user.user,
    '--imap', `localhost:${imapPort}`, '--imap-security', mode, '--smtp', `localhost:${smtpPort}`, '--smtp-security', mode,
    '--password-env', 'ALICE_PW', ...extra];
}

beforeAll(async () => {
  [alice, bob] = await Promise.all([createUser(servers, 'clia'), createUser(servers, 'clib')]);
  work = await mkdtemp(join(tmpdir(), 'postern-cli-'));
  profile = join(work, 'profile');
  caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  await seedMaildir(servers, alice.user, 'INBOX', [
    { raw: plainMessage({ from: 'Old Friend <old@example.net>', to: alice.email, subject: 'Oldest note', body: 'old', date: 'Mon, 06 Jan 2025 09:00:00 +0000', id: 'old-1@example.net' }), flags: ['\\Seen'] },
    { raw: alternativeWithAttachment({ from: 'eloise@example.net', to: alice.email, date: 'Tue, 07 Jan 2025 10:30:00 +0100', id: 'report-1@example.net' }) },
    { raw: plainMessage({ from: 'News <news@example.net>', to: alice.email, subject: 'Newest news', body: 'new', date: 'Wed, 08 Jan 2025 12:00:00 +0000', id: 'news-1@example.net' }), flags: ['\\Flagged'] },
  ]);
});

afterAll(async () => {
  // the profile folder is throw-away; servers are stopped by the global setup
});

describe('postern account add', () => {
  it('refuses a wrong password with the server\'s words and saves nothing', async () => {
    const r = await runCli(accountArgs('Wrong', alice, 'tls', ['--ca', caFile]), { env: { ALICE_PW: 'not-the-password' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused the user name or password.*\[AUTH_FAILED\]/s);
    const list = await cliJson<AccountSummary[]>(['account', 'list', '--profile', profile]);
    expect(list).toEqual([]);
  });

  it('refuses a server whose certificate it cannot verify, unless its CA is given', async () => {
    const r = await runCli(accountArgs('NoCa', alice, 'tls'), { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/certificate .* not trusted.*\[TLS_UNTRUSTED\]/s);
  });

  it('says when the server cannot be reached', async () => {
    const args = accountArgs('Closed', alice, 'tls', ['--ca', caFile]);
    args[args.indexOf('--imap') + 1] = 'localhost:1';
    const r = await runCli(args, { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/could not be reached.*\[CONNECT_FAILED\]/s);
  });

  it('adds an account over implicit TLS and one over STARTTLS, keeping no password on disk', async () => {
    const a = await cliJson<AccountSummary>(accountArgs('Alice', alice, 'tls', ['--ca', caFile]), { env: env() });
    expect(a).toMatchObject({ id: 'alice', email: alice.email, has_custom_ca: true, imap: { security: 'tls' } });
    const b = await cliJson<AccountSummary>(accountArgs('Alice StartTLS', alice, 'starttls', ['--ca', caFile]), { env: env() });
    expect(b).toMatchObject({ id: 'alice-starttls', imap: { port: servers.ports.imap, security: 'starttls' } });
    const config = await readFile(join(profile, 'accounts.json'), 'utf8');
    expect(config).not.toContain(alice.password);
    expect(config).toContain('ALICE_PW');
  });

  it('fails clearly when the password variable is missing later', async () => {
    const r = await runCli(['folders', '--profile', profile, '--account', 'Alice'], { env: { ALICE_PW: '' } });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ALICE_PW');
  });
});

describe('reading mail', () => {
  it('lists folders with special-use roles and unread counts', async () => {
    const folders = await cliJson<Folder[]>(['folders', '--profile', profile, '--account', 'Alice'], { env: env() });
    const byRole = Object.fromEntries(folders.map((f) => [f.special_use ?? f.path, f]));
    for (const role of ['inbox', 'drafts', 'sent', 'trash', 'junk', 'archive']) expect(byRole[role], role).toBeDefined();
    expect(byRole['inbox']).toMatchObject({ path: 'INBOX', total: 3, unread: 2 });
    expect(folders[0]?.special_use).toBe('inbox');
  });

  it('syncs INBOX headers and shows progress on stderr', async () => {
    const r = await runCli(['sync', '--profile', profile, '--account', 'Alice', '--json'], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout) as SyncResult).toMatchObject({ folder: 'INBOX', total: 3, added: 3, removed: 0 });
    expect(r.stderr).toMatch(/sync INBOX: headers \d+\/3/);
    const again = await cliJson<SyncResult>(['sync', '--profile', profile, '--account', 'Alice'], { env: env() });
    expect(again).toMatchObject({ total: 3, added: 0, removed: 0 });
  });

  it('lists the INBOX newest first with sender, subject, date, flags and attachment marker', async () => {
    const list = await cliJson<MessageSummary[]>(['list', '--profile', profile, '--account', 'Alice', '--limit', '10'], { env: env() });
    expect(list.map((m) => m.subject)).toEqual(['Newest news', 'Café report — Q3', 'Oldest note']);
    const [news, report, old] = list;
    expect(news?.flags).toContain('\\Flagged');
    expect(news?.flags).not.toContain('\\Seen');
    expect(old?.flags).toContain('\\Seen');
    expect(report).toMatchObject({ from: [{ name: 'Éloïse Martin', address: 'eloise@example.net' }], date_iso: '2025-01-07T09:30:00.000Z', has_attachments: true, folder: 'INBOX' });
    expect(news?.has_attachments).toBe(false);
  });

  it('shows a message: decoded headers, text, sanitised HTML, attachments; and marks it read on the server', async () => {
    const list = await cliJson<MessageSummary[]>(['list', '--profile', profile, '--account', 'Alice'], { env: env() });
    const report = list.find((m) => m.subject.startsWith('Café'));
    const shown = await cliJson<MessageView>(['show', String(report?.id), '--profile', profile], { env: env() });
    expect(shown.subject).toBe('Café report — Q3');
    expect(shown.text?.trim()).toBe('The plain-text version of the report.');
    expect(shown.html_present).toBe(true);
    expect(shown.html_rendered).toContain('Quarterly report');
    expect(shown.html_rendered).not.toMatch(/<script|alert\(1\)/);
    expect(shown.attachments).toEqual([expect.objectContaining({
      filename: 'report.pdf', save_as: 'report.pdf', content_type: 'application/pdf', size: ATTACHMENT_BYTES.length,
      sha256: createHash('sha256').update(ATTACHMENT_BYTES).digest('hex'), inline: false,
    })]);
    expect(shown.flags).toContain('\\Seen');
    const imap = await openImap(servers, alice);
    try {
      await imap.mailboxOpen('INBOX', { readOnly: true });
      const msgs = await imap.fetchAll('1:*', { envelope: true, flags: true });
      const onServer = msgs.find((m) => m.envelope?.messageId === '<report-1@example.net>');
      expect([...(onServer?.flags ?? [])]).toContain('\\Seen');
    } finally {
      await imap.logout();
    }
  });

  it('shows the MIME structure and saves one part, decoded', async () => {
    const list = await cliJson<MessageSummary[]>(['list', '--profile', profile, '--account', 'Alice'], { env: env() });
    const report = list.find((m) => m.subject.startsWith('Café'));
    const tree = await cliJson<MimeNode>(['parts', String(report?.id), '--profile', profile], { env: env() });
    expect(tree).toMatchObject({
      part_number: '', content_type: 'multipart/mixed',
      children: [
        { part_number: '1', content_type: 'multipart/alternative', children: [{ part_number: '1.1', content_type: 'text/plain' }, { part_number: '1.2', content_type: 'text/html' }] },
        { part_number: '2', content_type: 'application/pdf', disposition: 'attachment', filename: 'report.pdf', encoding: 'base64', size: ATTACHMENT_BYTES.length },
      ],
    });
    const out = join(work, 'part-2.pdf');
    const saved = await cliJson<{ size: number }>(['part', String(report?.id), '2', '--out', out, '--profile', profile], { env: env() });
    expect(saved.size).toBe(ATTACHMENT_BYTES.length);
    expect((await readFile(out)).equals(ATTACHMENT_BYTES)).toBe(true);
    // Never overwrites.
    const again = await runCli(['part', String(report?.id), '2', '--out', out, '--profile', profile], { env: env() });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain('never overwrites');
  });

  it('says which message does not exist', async () => {
    const r = await runCli(['show', '999999', '--profile', profile], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('[NOT_FOUND]');
  });

  it('parses many files into a folder, one bad file stopping nothing', async () => {
    const dir = join(work, 'many');
    const files = [join(work, 'a.eml'), join(work, 'missing.eml'), join(work, 'b.eml')];
    await writeFile(files[0] as string, alternativeWithAttachment({ from: 'e@example.net', to: 'x@example.net', date: 'Tue, 07 Jan 2025 10:30:00 +0100', id: 'a@x' }));
    await writeFile(files[2] as string, 'Subject: just a header\r\n\r\nand a body\r\n');
    const r = await runCli(['parse', ...files, '--out', dir]);
    expect(r.code).toBe(1);
    const a = JSON.parse(await readFile(join(dir, 'a.json'), 'utf8')) as MessageModel & { parse_ms: number };
    expect(a).toMatchObject({ subject: 'Café report — Q3', message_id: '<a@x>' });
    expect(a.parse_ms).toBeGreaterThan(0);
    expect(JSON.parse(await readFile(join(dir, 'missing.json'), 'utf8'))).toEqual({ error: expect.stringContaining('ENOENT') });
    expect(JSON.parse(await readFile(join(dir, 'b.json'), 'utf8'))).toMatchObject({ subject: 'just a header', text: expect.stringContaining('and a body') });
  });

  it('parses a file without any account', async () => {
    const file = join(work, 'report.eml');
    await writeFile(file, alternativeWithAttachment({ from: 'e@example.net', to: 'x@example.net', date: 'Tue, 07 Jan 2025 10:30:00 +0100', id: 'p@x' }));
    const model = await cliJson<MessageModel>(['parse', file]);
    expect(model).toMatchObject({ subject: 'Café report — Q3', message_id: '<p@x>', date_iso: '2025-01-07T09:30:00.000Z', html_present: true });
    expect(model.attachments).toHaveLength(1);
  });
});

describe('postern send', () => {
  it('sends with Cc, Bcc and an attachment; the recipient gets it and Sent keeps the same bytes', async () => {
    const file = join(work, 'notes.txt');
    const bytes = Buffer.from('Attached notes — ünïcode\n');
    await writeFile(file, bytes);
    const result = await cliJson<SendResult>(['send', '--profile', profile, '--account', 'Alice StartTLS', '--to', `Bob <${bob.email}>`,
      '--bcc', alice.email, '--subject', 'Grüße from the CLI', '--text', 'Hello Bob,\nsee the notes.', '--attach', file], { env: env() });
    expect(result.accepted.sort()).toEqual([alice.email, bob.email].sort());
    expect(result.rejected).toEqual([]);
    expect(result.sent_copy).toBe(true);

    const received = await waitForMessage(servers, bob, 'INBOX', result.message_id);
    const parsed = await simpleParser(received);
    expect(parsed.subject).toBe('Grüße from the CLI');
    expect(parsed.text?.trim()).toBe('Hello Bob,\nsee the notes.');
    expect(parsed.headers.has('bcc')).toBe(false);
    expect(parsed.attachments[0]?.filename).toBe('notes.txt');
    expect(parsed.attachments[0]?.content.equals(bytes)).toBe(true);

    const sentCopy = await waitForMessage(servers, alice, 'Sent', result.message_id);
    const sentParsed = await simpleParser(sentCopy);
    expect(sentParsed.subject).toBe('Grüße from the CLI');
    expect(sentParsed.headers.has('bcc')).toBe(false);
  });

  it('refuses an invalid address before anything is sent', async () => {
    const r = await runCli(['send', '--profile', profile, '--account', 'Alice', '--to', 'not an address', '--subject', 'x', '--text', 'x'], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not an address');
  });
});

