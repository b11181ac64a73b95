// Replies and forwards against the real servers: recipients (Reply-To
// honoured, own address left out), threading headers, quoting, carried
// attachments, forward as message/rfc822, and the original marked
// \Answered / $Forwarded once sent.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap, seedMaildir, waitForMessage } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson } from '../../helpers/run-cli.ts';
import { ATTACHMENT_BYTES } from '../../fixtures/messages.ts';
import type { MessageSummary, SendResult } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let me: TestUser;
let bob: TestUser;
let carol: TestUser;
let list: TestUser;
let dave: TestUser;
let profile: string;
let originalId: number;
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: { RF_PW: me.password } });

async function originalFlags(): Promise<string[]> {
  const imap = await openImap(servers, me);
  try {
    await imap.mailboxOpen('INBOX', { readOnly: true });
    const msg = await imap.fetchOne('1', { flags: true });
    return msg ? [...(msg.flags ?? [])] : [];
  } finally {
    await imap.logout();
  }
}

function original(): string {
  const b64 = ATTACHMENT_BYTES.toString('base64').replace(/.{76}/g, '$&\r\n');
  return [
    `From: Bob Builder <${bob.email}>`, `To: ${me.email}`, `Cc: Carol <${carol.email}>`, `Reply-To: The List <${list.email}>`,
    'Subject: Plans for Q4', 'Date: Wed, 08 Jan 2025 12:00:00 +0000', 'Message-ID: <orig@example.test>', 'References: <root@example.test>',
    'MIME-Version: 1.0', 'Content-Type: multipart/mixed; boundary="b"', '',
    '--b', 'Content-Type: text/plain; charset=utf-8', '', 'Here are the plans.', 'Second line.', '',
    '--b', 'Content-Type: application/pdf; name="plans.pdf"', 'Content-Disposition: attachment; filename="plans.pdf"', 'Content-Transfer-Encoding: base64', '', b64, '',
    '--b--', '',
  ].join('\r\n');
}

beforeAll(async () => {
  const users = await Promise.all(['rfme', 'rfbob', 'rfcarol', 'rflist', 'rfdave'].map((p) => createUser(servers, p)));
  [me, bob, carol, list, dave] = users as [TestUser, TestUser, TestUser, TestUser, TestUser];
  const work = await mkdtemp(join(tmpdir(), 'postern-reply-'));
  profile = join(work, 'profile');
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  await seedMaildir(servers, me.user, 'INBOX', [{ raw: original() }]);
  await cli(['account', 'add', '--name', 'Me', '--email', me.email, '--user', me.user, '--imap', `localhost:${servers.ports.imaps}`, '--imap-security', 'tls',
    '--smtp', `localhost:${servers.ports.submissions}`, '--smtp-security', 'tls', '--ca', caFile, '--password-env', 'RF_PW']);
  await cli(['sync']);
  originalId = (await cli<MessageSummary[]>(['list']))[0]?.id as number;
});

describe('reply and forward', () => {
  it('replies to the Reply-To address, threaded and quoted, and marks the original \\Answered', async () => {
    const r = await cli<SendResult>(['send', '--reply-to', String(originalId), '--text', 'Thanks, looks good.']);
    expect(r.accepted).toEqual([list.email]);
    const got = await simpleParser(await waitForMessage(servers, list, 'INBOX', r.message_id));
    expect(got.subject).toBe('Re: Plans for Q4');
    expect(got.inReplyTo).toBe('<orig@example.test>');
    expect(got.references).toEqual(['<root@example.test>', '<orig@example.test>']);
    expect(got.text).toContain('Thanks, looks good.');
    expect(got.text).toMatch(/Bob Builder <[^>]+> wrote:\n> Here are the plans.\n> Second line./);
    expect(got.attachments).toHaveLength(0);
    expect(await originalFlags()).toContain('\\Answered');
  });

  it('replies to all without the person\'s own address and without duplicates', async () => {
    const r = await cli<SendResult>(['send', '--reply-all', String(originalId), '--text', 'To everyone.']);
    expect(r.accepted.sort()).toEqual([list.email, carol.email].sort());
    const got = await simpleParser(await waitForMessage(servers, carol, 'INBOX', r.message_id));
    expect(got.to && !Array.isArray(got.to) ? got.to.value.map((a) => a.address) : []).toEqual([list.email]);
    expect(got.cc && !Array.isArray(got.cc) ? got.cc.value.map((a) => a.address) : []).toEqual([carol.email]);
  });

  it('forwards inline with the original\'s attachments, and marks it $Forwarded', async () => {
    const r = await cli<SendResult>(['send', '--forward', String(originalId), '--to', dave.email, '--text', 'FYI.']);
    const got = await simpleParser(await waitForMessage(servers, dave, 'INBOX', r.message_id));
    expect(got.subject).toBe('Fwd: Plans for Q4');
    expect(got.text).toContain('---------- Forwarded message ----------');
    expect(got.text).toContain('Here are the plans.');
    expect(got.attachments.map((a) => a.filename)).toEqual(['plans.pdf']);
    expect(got.attachments[0]?.content.equals(ATTACHMENT_BYTES)).toBe(true);
    expect(await originalFlags()).toContain('$Forwarded');
  });

  it('forwards as an attachment: the whole original as message/rfc822', async () => {
    const r = await cli<SendResult>(['send', '--forward', String(originalId), '--as-attachment', '--to', dave.email, '--text', 'Attached.']);
    const got = await simpleParser(await waitForMessage(servers, dave, 'INBOX', r.message_id));
    const attached = got.attachments.find((a) => a.contentType === 'message/rfc822');
    expect(attached).toBeDefined();
    const inner = await simpleParser(attached?.content as Buffer);
    expect(inner.messageId).toBe('<orig@example.test>');
    expect(inner.attachments[0]?.content.equals(ATTACHMENT_BYTES)).toBe(true);
  });
});
