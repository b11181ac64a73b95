// Push against the real Dovecot: with the app's engine running, new mail and
// changes made by another client reach the store (and a 'mail:changed'
// event) without anyone asking; after the connection is cut, the engine
// reconnects by itself and push works again.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, inject, it } from 'vitest';
import { createUser, deliver, openImap } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import { createInProcessEngine, type InProcessEngine } from '../../../src-protocol/service/engine.ts';
import { EnvCredentialStore } from '../../../src-protocol/accounts/credentials.ts';
import type { MessageSummary } from '../../../src-protocol/contract/index.ts';

const servers = inject('servers');
let user: TestUser;
let proxy: TcpProxy;
let engine: InProcessEngine;
const changes: { folder: string; added: number; removed: number; flags_changed: number }[] = [];

async function call<T>(name: string, input: unknown): Promise<T> {
  const r = await engine.dispatcher.call(name, input);
  if (!r.ok) throw new Error(`${name}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

async function until<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const note = (subject: string) => plainMessage({ from: 'p@example.net', to: user.email, subject, body: subject, date: 'Mon, 01 Sep 2025 10:00:00 +0000', id: `${subject.replace(/\W/g, '')}@example.net` });

beforeAll(async () => {
  user = await createUser(servers, 'push');
  proxy = await startTcpProxy(servers.ports.imaps);
  const profile = join(await mkdtemp(join(tmpdir(), 'postern-push-')), 'profile');
  engine = createInProcessEngine({ profileDir: profile, credentials: new EnvCredentialStore({}) });
  engine.dispatcher.onEvent((name, payload) => {
    if (name === 'mail:changed') changes.push(payload as (typeof changes)[number]);
  });
  await call('mail:accounts.add', {
    name: 'Push', email: user.email, user: user.user, password: user.password, ca_pem: servers.caPem,
    imap: { host: 'localhost', port: proxy.port, security: 'tls' }, smtp: { host: 'localhost', port: servers.ports.submissions, security: 'tls' },
  });
  await call('mail:sync.account', { account_id: 'push' });
  await engine.service.resume();
});

afterAll(async () => {
  await engine?.dispatcher.close();
  await proxy?.close();
});

const inbox = () => call<MessageSummary[]>('mail:messages.list', { account_id: 'push', folder: 'INBOX' });

describe('push', () => {
  it('brings new mail in without a sync being asked for', async () => {
    await deliver(servers, note('Pushed one'), [user.email]);
    await until('the new message', async () => ((await inbox()).some((m) => m.subject === 'Pushed one') ? true : undefined));
    // The event follows the sync that stored it.
    await until('the mail:changed event', () => (changes.some((c) => c.folder === 'INBOX' && c.added >= 1) ? true : undefined));
  });

  it('follows flag changes made by another client', async () => {
    const other = await openImap(servers, user);
    try {
      await other.mailboxOpen('INBOX');
      await other.messageFlagsAdd('1:*', ['\\Flagged']);
    } finally {
      await other.logout();
    }
    await until('the flag', async () => ((await inbox()).every((m) => m.flags.includes('\\Flagged')) ? true : undefined));
  });

  it('reconnects by itself after the connection is cut, and pushes again', async () => {
    await proxy.down();
    await new Promise((r) => setTimeout(r, 500));
    await proxy.up();
    await deliver(servers, note('After the outage'), [user.email]);
    await until('mail after the outage', async () => ((await inbox()).some((m) => m.subject === 'After the outage') ? true : undefined), 30_000);
  });
});
