// The kept IMAP connection (imap/imap-pool.ts) against real Dovecot, counted
// through a TCP relay: the next call signs in no more, a folder left open is
// closed without expunging anything, and a connection that failed, was
// cancelled, was cut while waiting, or waited too long is never used again.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImapFlow } from 'imapflow';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { ImapPool } from '../../../src-protocol/imap/imap-pool.ts';
import type { ImapSettings } from '../../../src-protocol/imap/imap-connection.ts';
import { createInProcessEngine } from '../../../src-protocol/service/engine.ts';
import { EnvCredentialStore } from '../../../src-protocol/accounts/credentials.ts';

const servers = inject('servers');
let user: TestUser;
let other: TestUser;
let proxy: TcpProxy;

const settings = (u: TestUser = user): ImapSettings => ({ host: 'localhost', port: proxy.port, security: 'tls', user: u.user, password: u.password, caPem: servers.caPem });
/** INBOX's message count as the server says; null when it refuses. */
async function inboxCount(client: ImapFlow): Promise<number | null> {
  const status = await client.status('INBOX', { messages: true });
  return status ? status.messages ?? null : null;
}
const seed = (n: number) => Array.from({ length: n }, (_, i) => ({ raw: `Subject: pool ${i}\r\nMessage-ID: <pool${i}@example.test>\r\n\r\nbody ${i}\r\n` }));

beforeAll(async () => {
  user = await createUser(servers, 'pool');
  other = await createUser(servers, 'pool2');
  await seedMaildir(servers, user.user, 'INBOX', seed(3));
  proxy = await startTcpProxy(servers.ports.imaps);
});

afterAll(async () => {
  await proxy?.close();
});

describe('the kept IMAP connection', () => {
  it('serves the next call without signing in again, with the folder the last call opened closed and nothing expunged', async () => {
    const pool = new ImapPool();
    const before = proxy.accepted;
    try {
      await pool.use('a', settings(), async (client) => {
        const lock = await client.getMailboxLock('INBOX');
        try {
          // Marked for deletion but not expunged: a CLOSE would expunge it, UNSELECT must not.
          await client.messageFlagsAdd('1', ['\\Deleted'], { uid: true });
        } finally {
          lock.release();
        }
      });
      expect(pool.size).toBe(1);
      const { open, messages } = await pool.use('a', settings(), async (client) => ({
        open: client.mailbox,
        messages: await inboxCount(client),
      }));
      expect(open).toBe(false);
      expect(messages).toBe(3);
      expect(proxy.accepted - before).toBe(1);
    } finally {
      await pool.close();
    }
    expect(pool.size).toBe(0);
  });

  it('makes a new connection after a failed or cancelled call, and for another user', async () => {
    const pool = new ImapPool();
    const before = proxy.accepted;
    try {
      await expect(pool.use('a', settings(), async () => { throw new Error('the call went wrong'); })).rejects.toThrow('the call went wrong');
      expect(pool.size).toBe(0);
      const stop = new AbortController();
      const cancelled = pool.use('a', settings(), async (client) => {
        stop.abort();
        await client.noop();
      }, stop.signal);
      await expect(cancelled).rejects.toMatchObject({ code: 'CANCELLED' });
      expect(pool.size).toBe(0);
      await pool.use('a', settings(), async () => undefined);
      expect(pool.size).toBe(1);
      // Same key, another user: the waiting connection is signed in as someone else.
      const who = await pool.use('a', settings(other), inboxCount);
      expect(who).toBe(0);
      expect(proxy.accepted - before).toBe(4);
    } finally {
      await pool.close();
    }
  });

  it('replaces a connection the network dropped while it waited', async () => {
    const pool = new ImapPool();
    const before = proxy.accepted;
    try {
      await pool.use('a', settings(), async () => undefined);
      await proxy.down();
      await proxy.up();
      const messages = await pool.use('a', settings(), inboxCount);
      expect(messages).toBe(3);
      expect(proxy.accepted - before).toBe(2);
    } finally {
      await pool.close();
    }
  });

  it('logs a waiting connection out after the idle time', async () => {
    const pool = new ImapPool({ idleMs: 100 });
    try {
      let kept: { usable: boolean } | null = null;
      await pool.use('a', settings(), async (client) => {
        kept = client;
      });
      expect(pool.size).toBe(1);
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(pool.size).toBe(0);
      expect((kept as { usable: boolean } | null)?.usable).toBe(false);
    } finally {
      await pool.close();
    }
  });
});

describe('adding an account', () => {
  it('keeps the connection that checked the settings for the first sync; a refused account keeps nothing', async () => {
    const engine = createInProcessEngine({ profileDir: join(await mkdtemp(join(tmpdir(), 'postern-pool-add-')), 'p'), credentials: new EnvCredentialStore({}) });
    const call = async (name: string, input: unknown) => {
      const r = await engine.dispatcher.call(name, input);
      if (!r.ok) throw Object.assign(new Error(r.error.message), { code: r.error.code });
      return r.value;
    };
    const account = (name: string, password: string) => ({
      name, email: user.email, user: user.user, password, ca_pem: servers.caPem,
      imap: { host: 'localhost', port: proxy.port, security: 'tls' }, smtp: { host: 'localhost', port: servers.ports.submissions, security: 'tls' },
    });
    try {
      const before = proxy.accepted;
      await expect(call('mail:accounts.add', account('Refused', 'not the password'))).rejects.toMatchObject({ code: 'AUTH_FAILED' });
      const { id } = (await call('mail:accounts.add', account('Pooled', user.password))) as { id: string };
      expect(proxy.accepted - before).toBe(2);
      const synced = (await call('mail:sync.folder', { account_id: id, folder: 'INBOX' })) as { total: number };
      expect(synced.total).toBe(3);
      // The sync signed in on the add's connection: no third one.
      expect(proxy.accepted - before).toBe(2);
    } finally {
      await engine.dispatcher.close();
    }
  });
});
