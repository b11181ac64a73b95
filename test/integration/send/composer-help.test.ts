// What helps a person write: address completion from mail sent and received
// (sent ranks higher), and the server's size limit checked before upload.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createHash } from 'node:crypto';
import { createUser, openImap, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import type { Contact, OutboxItem } from '../../../src-protocol/contract/index.ts';
import { probeEhlo } from '../../../src-protocol/smtp/ehlo-probe.ts';

const servers = inject('servers');
let me: TestUser;
let bob: TestUser;
let work: string;
let profile: string;
const env = () => ({ CH_PW: me.password });
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: env() });

beforeAll(async () => {
  [me, bob] = await Promise.all([createUser(servers, 'chme'), createUser(servers, 'chbob')]);
  work = await mkdtemp(join(tmpdir(), 'postern-compose-'));
  profile = join(work, 'profile');
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  await seedMaildir(servers, me.user, 'INBOX', [1, 2].map((i) => ({
    raw: plainMessage({ from: 'Bobby Tables <bobby@example.net>', to: me.email, subject: `Hi ${i}`, body: 'x', date: 'Mon, 01 Sep 2025 10:00:00 +0000', id: `h${i}@x` }),
  })));
  await cli(['account', 'add', '--name', 'Compose', '--email', me.email, '--user', me.user, '--imap', `localhost:${servers.ports.imaps}`, '--imap-security', 'tls',
    '--smtp', `localhost:${servers.ports.submission}`, '--smtp-security', 'starttls', '--ca', caFile, '--password-env', 'CH_PW']);
  await cli(['sync']);
});

describe('composer help', () => {
  it('completes addresses, people written to ranked first', async () => {
    expect(await cli<Contact[]>(['contacts', 'bob'])).toEqual([expect.objectContaining({ name: 'Bobby Tables', address: 'bobby@example.net', received: 2, sent: 0 })]);
    await cli(['send', '--to', `Bob Builder <${bob.email}>`, '--subject', 'Hello', '--text', 'x']);
    const found = await cli<Contact[]>(['contacts', 'bob']);
    expect(found.map((c) => c.address)).toEqual([bob.email, 'bobby@example.net']);
    expect(found[0]).toMatchObject({ name: 'Bob Builder', sent: 1 });
    // By any word of the name, too.
    expect((await cli<Contact[]>(['contacts', 'tables'])).map((c) => c.address)).toEqual(['bobby@example.net']);
  });

  it('reads the server\'s SIZE limit over STARTTLS and implicit TLS', async () => {
    for (const [port, security] of [[servers.ports.submission, 'starttls'], [servers.ports.submissions, 'tls']] as const) {
      const info = await probeEhlo({ host: 'localhost', port, security, caPem: servers.caPem });
      expect(info.maxSize).toBe(52_428_800);
      expect(info.extensions).toContain('8BITMIME');
    }
    await expect(probeEhlo({ host: 'localhost', port: servers.ports.submissions, security: 'tls' })).rejects.toMatchObject({ code: 'TLS_UNTRUSTED' });
  });

  it('refuses a message over the limit before uploading it, and keeps nothing in the Outbox', async () => {
    const big = join(work, 'big.bin');
    await writeFile(big, randomBytes(40 * 1024 * 1024));
    const r = await runCli(['send', '--profile', profile, '--to', bob.email, '--subject', 'Too big', '--text', 'x', '--attach', big], { env: env() });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/accepts at most 50\.0 MB/);
    expect(await cli<OutboxItem[]>(['outbox', 'list', '--all'])).not.toEqual(expect.arrayContaining([expect.objectContaining({ subject: 'Too big' })]));
  });

  it('shows the upload of a large message in bytes as it goes, on stderr', async () => {
    const attachment = randomBytes(6 * 1024 * 1024);
    const file = join(work, 'six-mib.bin');
    await writeFile(file, attachment);
    const r = await runCli(['send', '--profile', profile, '--to', bob.email, '--subject', 'Six MiB', '--text', 'x', '--attach', file], { env: env() });
    expect(r.code, r.stderr).toBe(0);
    const steps = [...r.stderr.matchAll(/^send: submitting (\d+)\/(\d+)$/gm)].map((m) => [Number(m[1]), Number(m[2])] as const);
    const total = steps[0]?.[1] ?? 0;
    // base64 makes 6 MiB about 8.2 MB on the wire; the steps climb to it.
    expect(total).toBeGreaterThan(8_000_000);
    expect(steps.length).toBeGreaterThanOrEqual(20);
    expect(steps.every(([, t]) => t === total)).toBe(true);
    expect(steps.map(([d]) => d)).toEqual([...steps.map(([d]) => d)].sort((a, b) => a - b));
    expect(steps.at(-1)?.[0]).toBe(total);
    // And what arrived is the whole attachment.
    const imap = await openImap(servers, bob);
    try {
      await imap.mailboxOpen('INBOX');
      let uid: number | undefined;
      for (let i = 0; i < 100 && uid === undefined; i++) {
        uid = (await imap.search({ subject: 'Six MiB' }, { uid: true }) || [])[0];
        if (uid === undefined) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect(uid).toBeDefined();
      const part = await imap.download(String(uid), '2', { uid: true });
      const chunks: Buffer[] = [];
      for await (const c of part.content ?? []) chunks.push(c as Buffer);
      const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
      expect(sha(Buffer.concat(chunks))).toBe(sha(attachment));
    } finally {
      await imap.logout();
    }
  });
});
