// The POP3 client against the real Dovecot: STLS and POP3S with the test CA,
// sign-in, every listing command on a seeded maildrop, byte-identical
// downloads, and deletions that count only when QUIT confirms them.
import { randomUUID } from 'node:crypto';
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { PosternError } from '../../../src-protocol/common/errors.ts';
import { connectPop3 } from '../../../src-protocol/pop3/pop3-connect.ts';
import type { Pop3Client } from '../../../src-protocol/pop3/pop3-client.ts';
import type { Pop3Settings } from '../../../src-protocol/pop3/pop3-settings.ts';
import { createUser, messageCount, resetMailbox, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';

const servers = inject('servers');
let me: TestUser;

beforeAll(async () => {
  me = await createUser(servers, 'pop3');
});

beforeEach(async () => {
  // One user for the file, emptied before every test: each test seeds what it reads.
  await resetMailbox(servers, me);
});

function settings(overrides: Partial<Pop3Settings> = {}): Pop3Settings {
  return {
    host: servers.host,
    port: servers.ports.pop3s,
    security: 'tls',
    user: me.user,
    password: me.password,
    caPem: servers.caPem,
    servername: 'localhost',
    ...overrides,
  };
}

const starttls = (): Partial<Pop3Settings> => ({ port: servers.ports.pop3, security: 'starttls' });

async function failure(p: Promise<unknown>): Promise<PosternError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(PosternError);
    return err as PosternError;
  }
  throw new Error('expected the call to fail');
}

/** Opens a session, runs `fn`, and always ends it: QUIT when `fn` succeeds (unless it did), drop otherwise. */
async function withSession<T>(fn: (client: Pop3Client) => Promise<T>, overrides: Partial<Pop3Settings> = {}): Promise<T> {
  const client = await connectPop3(settings(overrides));
  try {
    const result = await fn(client);
    if (!client.closed) await client.quit();
    return result;
  } finally {
    client.close();
  }
}

/** A plain message with CRLF line ends, as Dovecot sends it. */
function message(subject: string, body = `Body of ${subject}.`): Buffer {
  return Buffer.from(
    [
      'From: Sender <sender@example.net>',
      `To: ${me.email}`,
      `Subject: ${subject}`,
      `Message-ID: <${randomUUID()}@postern.test>`,
      'Date: Sat, 01 Mar 2025 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=utf-8',
      '',
      body,
      '',
    ].join('\r\n'),
    'utf8',
  );
}

/** Lines beginning with dots, a line of exactly ".", and 8-bit bytes that are not UTF-8. */
const TRICKY = Buffer.concat([
  Buffer.from(
    [
      'From: Sender <sender@example.net>',
      'Subject: dots and bytes',
      'Message-ID: <tricky@postern.test>',
      'Date: Sat, 01 Mar 2025 10:00:00 +0000',
      'MIME-Version: 1.0',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: 8bit',
      '',
      '.a line that begins with a dot',
      '..two dots',
      '.',
      '..',
      '...',
      '',
    ].join('\r\n'),
    'latin1',
  ),
  Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x20, 0xff, 0xfe, 0x80, 0x81, 0xc3, 0x28, 0x0d, 0x0a]),
  Buffer.from('.\r\nlast line\r\n', 'latin1'),
]);

describe('connecting to Dovecot', () => {
  it('upgrades the POP3 port with STLS, verifying the certificate against the test CA', async () => {
    await seedMaildir(servers, me.user, 'INBOX', [{ raw: message('one') }]);
    const stat = await withSession(async (client) => {
      expect(client.info.capabilities?.has('UIDL')).toBe(true);
      return client.stat();
    }, starttls());
    expect(stat.count).toBe(1);
  });

  it('speaks TLS from the first byte on the POP3S port', async () => {
    const info = await withSession(async (client) => client.info);
    expect(info.greeting).toMatch(/ready/i);
  });

  it('refuses the server when the test CA is not trusted, on either port', async () => {
    expect((await failure(connectPop3(settings({ caPem: undefined })))).code).toBe('TLS_UNTRUSTED');
    expect((await failure(connectPop3(settings({ ...starttls(), caPem: undefined })))).code).toBe('TLS_UNTRUSTED');
  });

  it('reports a wrong password as AUTH_FAILED with the server text, never the password', async () => {
    const wrong = `${me.password}-wrong`;
    const err = await failure(connectPop3(settings({ password: wrong })));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.serverText).toMatch(/auth/i);
    expect(err.message).not.toContain(wrong);
  });

  it('signs in with SASL PLAIN when Dovecot offers it', async () => {
    const info = await withSession(async (client) => client.info, starttls());
    expect(info.mechanism).toBe('PLAIN');
  });

  it('signs in with USER/PASS when told to', async () => {
    await seedMaildir(servers, me.user, 'INBOX', [{ raw: message('one') }]);
    const stat = await withSession(async (client) => {
      expect(client.info.mechanism).toBe('USER');
      return client.stat();
    }, { authMethod: 'USER' });
    expect(stat.count).toBe(1);
  });
});

describe('reading a seeded maildrop', () => {
  it('lists, sizes and identifies every message, and fetches heads and whole messages', async () => {
    const seeded = [message('first'), message('second', 'A longer body.\r\nWith two lines.'), message('third')];
    await seedMaildir(servers, me.user, 'INBOX', seeded.map((raw) => ({ raw })));
    await withSession(async (client) => {
      const total = seeded.reduce((n, m) => n + m.length, 0);
      expect(await client.stat()).toEqual({ count: 3, size: total });
      expect(await client.list()).toEqual(seeded.map((m, i) => ({ msg: i + 1, size: m.length })));
      expect(await client.list(2)).toEqual({ msg: 2, size: seeded[1]?.length });

      const uids = await client.uidl();
      expect(uids.map((u) => u.msg)).toEqual([1, 2, 3]);
      expect(new Set(uids.map((u) => u.uid)).size).toBe(3);
      expect(await client.uidl(3)).toEqual(uids[2]);

      const second = seeded[1] as Buffer;
      const head = second.subarray(0, second.indexOf('\r\n\r\n') + 4);
      expect((await client.top(2, 0)).equals(head)).toBe(true);
      expect((await client.top(2, 1)).toString('latin1')).toBe(`${head.toString('latin1')}A longer body.\r\n`);

      for (const [i, raw] of seeded.entries()) expect((await client.retr(i + 1)).equals(raw), `message ${i + 1}`).toBe(true);
    });
  });

  it('downloads a message with leading dots, a lone ".", and 8-bit non-UTF-8 bytes byte-identical', async () => {
    await seedMaildir(servers, me.user, 'INBOX', [{ raw: TRICKY }]);
    const raw = await withSession((client) => client.retr(1), starttls());
    expect(raw.length).toBe(TRICKY.length);
    expect(raw.equals(TRICKY)).toBe(true);
  });

  it('reports a message number that does not exist as refused, and stays usable', async () => {
    await seedMaildir(servers, me.user, 'INBOX', [{ raw: message('only') }]);
    await withSession(async (client) => {
      const err = await failure(client.retr(5));
      expect(err.code).toBe('SERVER_REFUSED');
      expect((await client.stat()).count).toBe(1);
    });
  });
});

describe('deleting', () => {
  async function uidsOnServer(): Promise<string[]> {
    return withSession(async (client) => (await client.uidl()).map((u) => u.uid));
  }

  beforeEach(async () => {
    await seedMaildir(servers, me.user, 'INBOX', [{ raw: message('keep') }, { raw: message('delete me') }]);
  });

  it('removes a message when QUIT confirms the DELE', async () => {
    const before = await uidsOnServer();
    const confirmed = await withSession(async (client) => {
      await client.dele(2);
      expect((await client.stat()).count).toBe(1); // marked, hidden from this session
      return client.quit();
    });
    expect(confirmed).toBe(true);
    expect(await uidsOnServer()).toEqual([before[0]]);
    expect(await messageCount(servers, me.user, 'INBOX')).toBe(1);
  });

  it('deletes nothing when the connection drops after DELE, without QUIT', async () => {
    const before = await uidsOnServer();
    const client = await connectPop3(settings());
    await client.dele(1);
    await client.dele(2);
    client.close();
    expect(await uidsOnServer()).toEqual(before);
    expect(await messageCount(servers, me.user, 'INBOX')).toBe(2);
  });

  it('undoes DELE with RSET', async () => {
    const before = await uidsOnServer();
    const confirmed = await withSession(async (client) => {
      await client.dele(1);
      await client.rset();
      expect((await client.stat()).count).toBe(2);
      await client.noop();
      return client.quit();
    });
    expect(confirmed).toBe(true);
    expect(await uidsOnServer()).toEqual(before);
  });
});
