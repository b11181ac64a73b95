// Drafts against the real Dovecot and Postfix: saved here first, then to the
// server's Drafts folder as one current version; a draft saved while the
// server is unreachable and the process killed is there after a restart and
// reaches the server; sending removes it; a draft from another client opens.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import type { Draft, DraftSummary, MessageSummary, SendResult } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let me: TestUser;
let bob: TestUser;
let profile: string;
let imap: TcpProxy;
let work: string;
const env = () => ({ DR_PW: me.password });
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: env() });

/** The Drafts folder as the server has it: raw messages with their flags. */
async function serverDrafts(): Promise<{ raw: Buffer; flags: string[] }[]> {
  const client = await openImap(servers, me);
  try {
    await client.mailboxOpen('Drafts', { readOnly: true });
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    return (await client.fetchAll('1:*', { source: true, flags: true })).map((m) => ({ raw: m.source as Buffer, flags: [...(m.flags ?? [])] }));
  } finally {
    await client.logout();
  }
}

beforeAll(async () => {
  [me, bob] = await Promise.all([createUser(servers, 'draft'), createUser(servers, 'draftb')]);
  work = await mkdtemp(join(tmpdir(), 'postern-drafts-'));
  profile = join(work, 'profile');
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  imap = await startTcpProxy(servers.ports.imaps);
  await cli(['account', 'add', '--name', 'Drafty', '--email', me.email, '--user', me.user, '--imap', `localhost:${imap.port}`, '--imap-security', 'tls',
    '--smtp', `localhost:${servers.ports.submissions}`, '--smtp-security', 'tls', '--ca', caFile, '--password-env', 'DR_PW']);
  await cli(['folders']);
});

afterAll(async () => {
  await imap?.close();
});

describe('drafts', () => {
  let draftId: number;

  it('saves here and on the server, Bcc and attachment included', async () => {
    const file = join(work, 'plan.txt');
    await writeFile(file, 'the plan\n');
    const saved = await cli<{ draft_id: number }>(['draft', 'save', '--account', 'Drafty', '--to', bob.email, '--bcc', 'secret@example.test',
      '--subject', 'First version', '--text', 'Half a thought', '--attach', file]);
    draftId = saved.draft_id;
    const onServer = await serverDrafts();
    expect(onServer).toHaveLength(1);
    expect(onServer[0]?.flags).toEqual(expect.arrayContaining(['\\Draft', '\\Seen']));
    const parsed = await simpleParser(onServer[0]?.raw as Buffer);
    expect(parsed.subject).toBe('First version');
    expect(parsed.headers.get('bcc')).toBeDefined();
    expect(parsed.headers.get('x-postern-draft')).toBeTruthy();
    expect(parsed.attachments[0]?.content.toString()).toBe('the plan\n');
  });

  it('keeps exactly one version on the server as it is edited', async () => {
    await cli(['draft', 'save', '--account', 'Drafty', '--draft', String(draftId), '--to', bob.email, '--subject', 'Second version', '--text', 'A whole thought']);
    await cli(['draft', 'save', '--account', 'Drafty', '--draft', String(draftId), '--to', bob.email, '--subject', 'Third version', '--text', 'A whole thought, edited']);
    const onServer = await serverDrafts();
    expect(onServer).toHaveLength(1);
    expect((await simpleParser(onServer[0]?.raw as Buffer)).subject).toBe('Third version');
    const local = await cli<Draft>(['draft', 'show', String(draftId)]);
    expect(local).toMatchObject({ subject: 'Third version', text: 'A whole thought, edited', to: [bob.email] });
  });

  it('survives a kill while offline, and reaches the server when it is back', async () => {
    await imap.down();
    try {
      const r = await runCli(['draft', 'save', '--profile', profile, '--account', 'Drafty', '--to', bob.email, '--subject', 'Typed offline', '--text', 'Do not lose me'],
        { env: { ...env(), POSTERN_FAILPOINT: 'draft:after-save' } });
      expect(r.code).not.toBe(0);
      const list = await cli<DraftSummary[]>(['draft', 'list']);
      expect(list.map((d) => d.subject)).toContain('Typed offline');
    } finally {
      await imap.up();
    }
    await cli(['sync', '--all-folders']);
    const subjects = await Promise.all((await serverDrafts()).map(async (d) => (await simpleParser(d.raw)).subject));
    expect(subjects.sort()).toEqual(['Third version', 'Typed offline']);
  });

  it('sends a draft, and it leaves Drafts here and on the server', async () => {
    const result = await cli<SendResult>(['draft', 'send', String(draftId)]);
    expect(result).toMatchObject({ state: 'sent', accepted: [bob.email] });
    const subjects = await Promise.all((await serverDrafts()).map(async (d) => (await simpleParser(d.raw)).subject));
    expect(subjects).toEqual(['Typed offline']);
    expect((await cli<DraftSummary[]>(['draft', 'list'])).map((d) => d.subject)).toEqual(['Typed offline']);
  });

  it('opens a draft another client saved, and replaces it when saved again', async () => {
    const other = await openImap(servers, me);
    try {
      await other.append('Drafts', ['From: me@example.test', `To: ${bob.email}`, 'Subject: From my phone', 'Message-ID: <phone-1@example.test>',
        'MIME-Version: 1.0', 'Content-Type: text/plain; charset=utf-8', '', 'Started on the phone', ''].join('\r\n'), ['\\Draft']);
    } finally {
      await other.logout();
    }
    await cli(['sync', '--all-folders']);
    const phone = (await cli<MessageSummary[]>(['list', '--folder', 'Drafts'])).find((m) => m.subject === 'From my phone');
    const opened = await cli<{ draft_id: number }>(['draft', 'open', String(phone?.id)]);
    expect(await cli<Draft>(['draft', 'show', String(opened.draft_id)])).toMatchObject({ subject: 'From my phone', text: expect.stringMatching(/^Started on the phone\n?$/), to: [bob.email] });
    await cli(['draft', 'save', '--account', 'Drafty', '--draft', String(opened.draft_id), '--to', bob.email, '--subject', 'From my phone, finished', '--text', 'Finished here']);
    const subjects = await Promise.all((await serverDrafts()).map(async (d) => (await simpleParser(d.raw)).subject));
    expect(subjects.sort()).toEqual(['From my phone, finished', 'Typed offline']);
  });
});
