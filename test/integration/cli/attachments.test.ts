// Attachments onto the person's disk and the raw source, through the CLI
// against the real Dovecot: "save all" writes every attachment with safe,
// never-overwriting names; "open" saves a read-only copy in the profile and
// hands it to the system's opener (here a script named by POSTERN_OPEN_WITH
// that records what it was given), and refuses programs; "source" shows the
// message's bytes as they are on the server.
import { chmod, mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import type { MessageSummary } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let me: TestUser;
let work: string;
let profile: string;
let opener: string;
let openerLog: string;
let id: number;

const PDF = Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n');
const NOTES_A = Buffer.from('first notes\n');
const NOTES_B = Buffer.from('second notes\n');
const PROGRAM = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(62), Buffer.from('not really a program')]);

function part(name: string, type: string, content: Buffer): string {
  return [
    '--b1', `Content-Type: ${type}; name="${name}"`, `Content-Disposition: attachment; filename="${name}"`, 'Content-Transfer-Encoding: base64', '',
    content.toString('base64'),
  ].join('\r\n');
}

const RAW = [
  'From: Sender <sender@example.net>', 'To: me@example.test', 'Subject: Files for you', 'Date: Tue, 02 Sep 2025 10:00:00 +0000',
  'Message-ID: <files@example.net>', 'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b1"', '',
  '--b1', 'Content-Type: text/plain; charset=utf-8', '', 'See the files.',
  part('report.pdf', 'application/pdf', PDF),
  part('notes.txt', 'text/plain', NOTES_A),
  part('notes.txt', 'text/plain', NOTES_B),
  part('../../.bashrc', 'text/plain', NOTES_A),
  part('setup.exe', 'application/octet-stream', PROGRAM),
  '--b1--', '',
].join('\r\n');

const env = () => ({ AT_PW: me.password, POSTERN_OPEN_WITH: opener, OPENER_LOG: openerLog });
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: env() });

beforeAll(async () => {
  me = await createUser(servers, 'attme');
  work = await mkdtemp(join(tmpdir(), 'postern-attachments-'));
  profile = join(work, 'profile');
  openerLog = join(work, 'opened.log');
  opener = join(work, 'opener.sh');
  // A stand-in for xdg-open: records the path and a checksum of what it was given.
  await writeFile(opener, '#!/bin/sh\nprintf "%s %s\\n" "$1" "$(sha256sum < "$1" | cut -d" " -f1)" >> "$OPENER_LOG"\n');
  await chmod(opener, 0o755);
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  await seedMaildir(servers, me.user, 'INBOX', [{ raw: RAW }]);
  await cli(['account', 'add', '--name', 'Files', '--email', me.email, '--user', me.user, '--imap', `localhost:${servers.ports.imaps}`, '--imap-security', 'tls',
    '--smtp', `localhost:${servers.ports.submission}`, '--smtp-security', 'starttls', '--ca', caFile, '--password-env', 'AT_PW']);
  await cli(['sync']);
  const list = await cli<MessageSummary[]>(['list']);
  id = list.find((m) => m.subject === 'Files for you')?.id ?? NaN;
});

const sha = async (bytes: Buffer) => (await import('node:crypto')).createHash('sha256').update(bytes).digest('hex');

describe('attachments on disk, and the source', () => {
  it('saves every attachment into a folder with safe names, and never overwrites', async () => {
    const dir = join(work, 'saved');
    const first = await cli<{ dir: string; files: { path: string; size: number }[] }>(['save-all', String(id), '--out', dir]);
    expect(first.dir).toBe(dir);
    expect(first.files.map((f) => f.path.slice(dir.length + 1))).toEqual(['report.pdf', 'notes.txt', 'notes (2).txt', 'bashrc', 'setup.exe']);
    expect(await readFile(join(dir, 'report.pdf'))).toEqual(PDF);
    expect(await readFile(join(dir, 'notes.txt'))).toEqual(NOTES_A);
    expect(await readFile(join(dir, 'notes (2).txt'))).toEqual(NOTES_B);
    // Again: new names beside the old files, which keep their bytes.
    const again = await cli<{ files: { path: string }[] }>(['save-all', String(id), '--out', dir]);
    expect(again.files.map((f) => f.path.slice(dir.length + 1))).toEqual(['report (2).pdf', 'notes (3).txt', 'notes (2) (2).txt', 'bashrc (2)', 'setup (2).exe']);
    expect(await readFile(join(dir, 'notes.txt'))).toEqual(NOTES_A);
    expect((await readdir(dir)).length).toBe(10);
    expect(await readdir(work)).not.toContain('.bashrc');
  });

  it('opens an attachment with the system\'s application, from a read-only copy in the profile', async () => {
    const opened = await cli<{ path: string }>(['open', String(id), '0']);
    expect(opened.path.startsWith(join(profile, 'opened') + '/')).toBe(true);
    expect(opened.path.endsWith('/report.pdf')).toBe(true);
    expect((await stat(opened.path)).mode & 0o777).toBe(0o400);
    await expect.poll(async () => (await readFile(openerLog, 'utf8').catch(() => '')).trim(), { timeout: 10_000 }).toBe(`${opened.path} ${await sha(PDF)}`);
  });

  it('refuses to open a program, and starts nothing', async () => {
    const before = await readFile(openerLog, 'utf8');
    const r = await runCli(['open', String(id), '4', '--profile', profile], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/"setup\.exe" is a program or script; Postern does not open those.*\[FORBIDDEN\]/);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await readFile(openerLog, 'utf8')).toBe(before);
  });

  it('shows the raw source as it is on the server', async () => {
    const source = await cli<{ text: string; size: number; truncated: boolean }>(['source', String(id)]);
    expect(source.truncated).toBe(false);
    expect(source.text).toBe(RAW);
    expect(source.size).toBe(Buffer.byteLength(RAW));
  });
});
