// Identities (aliases with signatures, chosen on reply from the address the
// mail was sent to) and rich text with an inline image, read back over IMAP.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir, waitForMessage } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson } from '../../helpers/run-cli.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import type { AccountSummary, MessageSummary, SendResult } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let me: TestUser;
let friend: TestUser;
let work: string;
let profile: string;
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: { ID_PW: me.password } });
const ALIAS = () => `sales.${me.user}@example.test`;
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');

beforeAll(async () => {
  [me, friend] = await Promise.all([createUser(servers, 'idme'), createUser(servers, 'idfr')]);
  work = await mkdtemp(join(tmpdir(), 'postern-ident-'));
  profile = join(work, 'profile');
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  await seedMaildir(servers, me.user, 'INBOX', [{
    raw: plainMessage({ from: `Friend <${friend.email}>`, to: `Sales <${ALIAS()}>`, subject: 'A quote please', body: 'How much?', date: 'Mon, 01 Sep 2025 10:00:00 +0000', id: 'quote@x' }),
  }]);
  await cli(['account', 'add', '--name', 'Ident', '--email', me.email, '--user', me.user, '--imap', `localhost:${servers.ports.imaps}`, '--imap-security', 'tls',
    '--smtp', `localhost:${servers.ports.submissions}`, '--smtp-security', 'tls', '--ca', caFile, '--password-env', 'ID_PW']);
  await cli(['sync']);
});

describe('identities', () => {
  it('keeps aliases with signatures, the account\'s own address first', async () => {
    const account = await cli<AccountSummary>(['identity', 'set', '--address', ALIAS(), '--name', 'Sales Desk', '--signature', 'Sales Desk\nACME']);
    expect(account.identities.map((i) => i.address)).toEqual([me.email, ALIAS()]);
  });

  it('answers from the address the mail was sent to, with that identity\'s signature', async () => {
    const original = (await cli<MessageSummary[]>(['list']))[0];
    const r = await cli<SendResult>(['send', '--reply-to', String(original?.id), '--text', 'It is 10 euros.']);
    const got = await simpleParser(await waitForMessage(servers, friend, 'INBOX', r.message_id));
    expect(got.from?.value[0]).toEqual({ name: 'Sales Desk', address: ALIAS() });
    expect(got.text).toMatch(/It is 10 euros\.\n\n-- \nSales Desk\nACME\n\n.*wrote:\n> How much\?/s);
  });

  it('refuses to send from an address that is not one of the account\'s', async () => {
    const { runCli } = await import('../../helpers/run-cli.ts');
    const r = await runCli(['send', '--profile', profile, '--to', friend.email, '--subject', 'x', '--text', 'x', '--identity', 'ceo@example.test'], { env: { ID_PW: me.password } });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('not one of this account');
  });
});

describe('rich text', () => {
  it('sends HTML as multipart/alternative with a faithful plain part and an inline image (multipart/related)', async () => {
    const htmlFile = join(work, 'body.html');
    const logo = join(work, 'logo.png');
    await writeFile(htmlFile, '<p>Hello <b>there</b>,</p><ul><li>one</li><li>two</li></ul><p><img src="cid:logo@postern"></p><p>See <a href="https://example.org/x">the page</a>.</p><script>x()</script>');
    await writeFile(logo, PNG);
    // The CLI attaches files; an inline image needs its content id, so this goes through the engine call directly.
    const { createInProcessEngine } = await import('../../../src-protocol/service/engine.ts');
    const { EnvCredentialStore } = await import('../../../src-protocol/accounts/credentials.ts');
    const engine = createInProcessEngine({ profileDir: profile, credentials: new EnvCredentialStore({ ID_PW: me.password }) });
    try {
      const r = await engine.dispatcher.call('mail:send', {
        account_id: 'ident', to: [friend.email], subject: 'Rich', text: '',
        html: '<p>Hello <b>there</b>,</p><ul><li>one</li><li>two</li></ul><p><img src="cid:logo@postern"></p><p>See <a href="https://example.org/x">the page</a>.</p><script>x()</script>',
        attachments: [{ filename: 'logo.png', content_type: 'image/png', content_id: 'logo@postern', data_base64: PNG.toString('base64') }],
      });
      if (!r.ok) throw new Error(r.error.message);
      const raw = await waitForMessage(servers, friend, 'INBOX', (r.value as SendResult).message_id);
      const text = raw.toString();
      expect(text).toMatch(/Content-Type: multipart\/alternative/);
      expect(text).toMatch(/Content-Type: multipart\/related/);
      const got = await simpleParser(raw);
      expect(got.html).toContain('<b>there</b>');
      expect(got.html).not.toContain('<script');
      expect(got.text).toContain('Hello there,');
      expect(got.text).toContain('* one');
      expect(got.text).toContain('the page (https://example.org/x)');
      const image = got.attachments.find((a) => a.cid === 'logo@postern');
      expect(image?.content.equals(PNG)).toBe(true);
    } finally {
      await engine.dispatcher.close();
    }
  });
});
