// The outbox against the real Postfix and Dovecot: a send is stored before it
// goes, waits while the server cannot be reached, and is delivered exactly
// once, with exactly one copy in Sent, even when the process is killed at
// each step of the send.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import type { OutboxItem, SendResult } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let sender: TestUser;
let rcpt: TestUser;
let profile: string;
let smtp: TcpProxy;
const env = () => ({ OUT_PW: sender.password });
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: env() });

async function copies(user: TestUser, folder: string, messageId: string): Promise<number> {
  const imap = await openImap(servers, user);
  try {
    await imap.mailboxOpen(folder, { readOnly: true });
    const found = await imap.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(found) ? found.length : 0;
  } finally {
    await imap.logout();
  }
}

/** Waits for delivery through Postfix, then counts. */
async function eventually(count: () => Promise<number>, expected: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const n = await count();
    if (n === expected || Date.now() > deadline) return n;
    await new Promise((r) => setTimeout(r, 200));
  }
}

function send(subject: string, extra: string[] = [], more: Record<string, string> = {}) {
  return runCli(['send', '--profile', profile, '--account', 'Out', '--to', rcpt.email, '--subject', subject, '--text', `Body of ${subject}`, '--json', ...extra],
    { env: { ...env(), ...more } });
}

beforeAll(async () => {
  [sender, rcpt] = await Promise.all([createUser(servers, 'outs'), createUser(servers, 'outr')]);
  const work = await mkdtemp(join(tmpdir(), 'postern-outbox-'));
  profile = join(work, 'profile');
  const caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  smtp = await startTcpProxy(servers.ports.submissions);
  await cli(['account', 'add', '--name', 'Out', '--email', sender.email, '--user', sender.user, '--imap', `localhost:${servers.ports.imaps}`,
    '--imap-security', 'tls', '--smtp', `localhost:${smtp.port}`, '--smtp-security', 'tls', '--ca', caFile, '--password-env', 'OUT_PW']);
});

afterAll(async () => {
  await smtp?.close();
});

describe('outbox', () => {
  it('waits while the submission server is unreachable, then sends once', async () => {
    await smtp.down();
    let queued: SendResult;
    try {
      const r = await send('Offline send');
      expect(r.code, r.stderr).toBe(75);
      queued = JSON.parse(r.stdout) as SendResult;
      expect(queued).toMatchObject({ state: 'queued', last_error: expect.stringMatching(/could not be reached/) });
      const list = await cli<OutboxItem[]>(['outbox', 'list']);
      expect(list).toEqual([expect.objectContaining({ id: queued.outbox_id, state: 'queued', subject: 'Offline send', attempts: 1 })]);
    } finally {
      await smtp.up();
    }
    await cli(['outbox', 'retry', '--all']);
    expect(await eventually(() => copies(rcpt, 'INBOX', queued.message_id), 1)).toBe(1);
    expect(await copies(sender, 'Sent', queued.message_id)).toBe(1);
    expect(await cli<OutboxItem[]>(['outbox', 'list'])).toEqual([]);
    // Retrying again sends nothing more.
    await cli(['outbox', 'retry', '--all']);
    expect(await copies(rcpt, 'INBOX', queued.message_id)).toBe(1);
  });

  for (const point of ['send:before-submit', 'send:after-submit', 'send:before-sent-copy'] as const) {
    it(`killed at ${point}: after a restart the recipient and Sent each have exactly one copy`, async () => {
      const killed = await send(`Killed at ${point}`, [], { POSTERN_FAILPOINT: point });
      expect(killed.code).not.toBe(0);
      expect(killed.code).not.toBe(75);
      const [waiting] = await cli<OutboxItem[]>(['outbox', 'list']);
      expect(waiting?.subject).toBe(`Killed at ${point}`);
      await cli(['outbox', 'retry', '--all']);
      const id = waiting?.message_id as string;
      expect(await eventually(() => copies(rcpt, 'INBOX', id), 1)).toBe(1);
      expect(await copies(sender, 'Sent', id)).toBe(1);
      expect(await cli<OutboxItem[]>(['outbox', 'list'])).toEqual([]);
      const all = await cli<OutboxItem[]>(['outbox', 'list', '--all']);
      expect(all.find((o) => o.message_id === id)).toMatchObject({ state: 'sent', sent_copy: true, accepted: [rcpt.email] });
    });
  }

  it('reports a refused recipient per address and still delivers to the others', async () => {
    const r = await send('Partly refused', ['--to', 'nobody-here@example.test']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ state: 'sent', accepted: [rcpt.email], rejected: ['nobody-here@example.test'] });
  });

  it('stops on a permanent refusal, with the server\'s words, and keeps the message', async () => {
    const r = await runCli(['send', '--profile', profile, '--account', 'Out', '--to', 'nobody-at-all@example.test', '--subject', 'Refused', '--text', 'x', '--json'], { env: env() });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/refused.*\[SEND_REJECTED\]/s);
    expect(await cli<OutboxItem[]>(['outbox', 'list'])).toEqual([expect.objectContaining({ subject: 'Refused', state: 'failed', last_error: expect.stringMatching(/5\d\d/) })]);
  });

  it('sends later, and can be taken back before then (undo)', async () => {
    const later = new Date(Date.now() + 3600_000).toISOString();
    const r = await send('Tomorrow, maybe', ['--send-at', later]);
    expect(r.code).toBe(75);
    const queued = JSON.parse(r.stdout) as SendResult;
    const list = await cli<OutboxItem[]>(['outbox', 'list']);
    expect(list.find((o) => o.id === queued.outbox_id)).toMatchObject({ state: 'queued', send_at_iso: later });
    const undone = await cli<{ cancelled: boolean; draft: { subject: string; to: string[]; text: string } }>(['outbox', 'cancel', String(queued.outbox_id)]);
    expect(undone).toMatchObject({ cancelled: true, draft: { subject: 'Tomorrow, maybe', to: [rcpt.email], text: 'Body of Tomorrow, maybe' } });
    expect((await cli<OutboxItem[]>(['outbox', 'list'])).some((o) => o.id === queued.outbox_id)).toBe(false);
    expect(await copies(rcpt, 'INBOX', queued.message_id)).toBe(0);
  });
});
