// Proves the real-server harness (test/servers/): TLS with the per-run CA,
// logins, SMTP in through MX and submission, Maildir seeding, special-use
// folders, POP3S, and users made at run time.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import tls from 'node:tls';
import { setTimeout as sleep } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import { describe, expect, inject, it } from 'vitest';
import {
  createUser,
  deliver,
  imapOptions,
  messageCount,
  mxAccepts,
  openImap,
  resetMailbox,
  seedMaildir,
  submit,
  userOf,
} from '../servers/mail-tools.ts';

const servers = inject('servers');

function message(subject: string, to = 'someone@example.test'): { raw: string; messageId: string } {
  const messageId = `<${randomUUID()}@postern.test>`;
  const raw = [
    'From: Sender <sender@example.net>',
    `To: ${to}`,
    `Subject: ${subject}`,
    `Message-ID: ${messageId}`,
    'Date: Sat, 01 Mar 2025 10:00:00 +0000',
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    `Body of ${subject}.`,
    '',
  ].join('\r\n');
  return { raw, messageId };
}

/** Reads one CRLF-terminated line from a socket. */
function readLine(socket: net.Socket | tls.TLSSocket): Promise<string> {
  return new Promise((resolve, reject) => {
    let data = '';
    const onData = (chunk: Buffer): void => {
      data += chunk.toString('utf8');
      const end = data.indexOf('\r\n');
      if (end !== -1) {
        socket.off('data', onData);
        socket.off('error', reject);
        resolve(data.slice(0, end));
      }
    };
    socket.on('data', onData);
    socket.once('error', reject);
  });
}

function tlsConnect(options: tls.ConnectionOptions): Promise<tls.TLSSocket> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect(options, () => resolve(socket));
    socket.once('error', reject);
  });
}

async function uidsWithMessageId(client: ImapFlow, messageId: string): Promise<number[]> {
  const lock = await client.getMailboxLock('INBOX');
  try {
    const found = await client.search({ header: { 'message-id': messageId } }, { uid: true });
    return Array.isArray(found) ? found : [];
  } finally {
    lock.release();
  }
}

describe('TLS with the per-run test CA', () => {
  it('logs in over IMAPS when the client trusts the test CA', async () => {
    const client = await openImap(servers, 'alice');
    try {
      expect(client.secureConnection).toBe(true);
      expect(client.authenticated).toBeTruthy();
    } finally {
      await client.logout();
    }
  });

  it('upgrades the plain IMAP port with STARTTLS before logging in', async () => {
    const client = new ImapFlow(imapOptions(servers, 'alice', 'starttls'));
    await client.connect();
    try {
      expect(client.secureConnection).toBe(true);
      expect(client.authenticated).toBeTruthy();
    } finally {
      await client.logout();
    }
  });

  it('refuses a client that does not trust the test CA', async () => {
    const client = new ImapFlow({ ...imapOptions(servers, 'alice'), tls: { servername: 'localhost' } });
    client.on('error', () => undefined);
    const error = await client.connect().then(
      () => undefined,
      (err: unknown) => err as NodeJS.ErrnoException,
    );
    expect(error?.code).toMatch(/UNABLE_TO_VERIFY_LEAF_SIGNATURE|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_GET_ISSUER_CERT/);
  });

  it('presents a certificate valid for localhost and 127.0.0.1, and for no other name', async () => {
    const byName = await tlsConnect({ host: servers.host, port: servers.ports.imaps, ca: servers.caPem, servername: 'localhost' });
    expect(byName.authorized).toBe(true);
    byName.destroy();
    // No servername: Node checks the IP address against the IP SAN.
    const byIp = await tlsConnect({ host: servers.host, port: servers.ports.imaps, ca: servers.caPem });
    expect(byIp.authorized).toBe(true);
    byIp.destroy();
    await expect(
      tlsConnect({ host: servers.host, port: servers.ports.imaps, ca: servers.caPem, servername: 'mail.example.org' }),
    ).rejects.toMatchObject({ code: 'ERR_TLS_CERT_ALTNAME_INVALID' });
  });
});

describe('logins', () => {
  it('rejects a wrong password, without slowing the next login down', async () => {
    const client = new ImapFlow(imapOptions(servers, 'alice', 'imaps', { auth: { user: 'alice', pass: 'wrong' } }));
    client.on('error', () => undefined);
    await expect(client.connect()).rejects.toMatchObject({ authenticationFailed: true });
    // Dovecot's auth penalty would delay this by 2-15 s; the harness turns it off.
    const started = Date.now();
    const good = await openImap(servers, 'alice');
    await good.logout();
    expect(Date.now() - started).toBeLessThan(1500);
  });

  it('accepts the full address as login name', async () => {
    const client = new ImapFlow(
      imapOptions(servers, 'alice', 'imaps', { auth: { user: 'alice@example.test', pass: 'alicepw' } }),
    );
    await client.connect();
    expect(client.authenticated).toBeTruthy();
    await client.logout();
  });

  it('greets over POP3S with a certificate the CA vouches for', async () => {
    const socket = await tlsConnect({ host: servers.host, port: servers.ports.pop3s, ca: servers.caPem, servername: 'localhost' });
    try {
      expect(socket.authorized).toBe(true);
      expect(await readLine(socket)).toMatch(/^\+OK/);
    } finally {
      socket.destroy();
    }
  });

  it('offers STLS on the plain POP3 port', async () => {
    const socket = net.connect({ host: servers.host, port: servers.ports.pop3 });
    try {
      expect(await readLine(socket)).toMatch(/^\+OK/);
      socket.write('STLS\r\n');
      expect(await readLine(socket)).toMatch(/^\+OK/);
      const secure = await tlsConnect({ socket, ca: servers.caPem, servername: 'localhost' });
      expect(secure.authorized).toBe(true);
      secure.destroy();
    } finally {
      socket.destroy();
    }
  });
});

describe('mail in', () => {
  it('delivers mail submitted with STARTTLS and AUTH into the recipient INBOX', async () => {
    const alice = userOf('alice');
    const bob = userOf('bob');
    const { raw, messageId } = message('submitted', bob.email);
    const report = await submit(servers, alice, raw, [bob.email]);
    expect(report.recipients).toEqual([expect.objectContaining({ to: bob.email, status: 'sent' })]);

    const client = await openImap(servers, bob);
    try {
      expect(await uidsWithMessageId(client, messageId)).toHaveLength(1);
    } finally {
      await client.logout();
    }
  });

  it('delivers over submissions (implicit TLS) too', async () => {
    const dest = await createUser(servers, 'subs');
    const { raw } = message('implicit tls', dest.email);
    const report = await submit(servers, userOf('carol'), raw, [dest.email], { port: 'submissions' });
    expect(report.recipients.map((r) => r.status)).toEqual(['sent']);
    expect(await messageCount(servers, dest.user, 'INBOX')).toBe(1);
  });

  it('bounces mail for other domains back into the sender INBOX instead of sending it out', async () => {
    const sender = await createUser(servers, 'bounce');
    const report = await submit(servers, sender, message('to the outside', 'x@example.org').raw, ['x@example.org']);
    expect(report.recipients).toEqual([expect.objectContaining({ to: 'x@example.org', status: 'bounced' })]);
    const client = await openImap(servers, sender);
    try {
      const lock = await client.getMailboxLock('INBOX');
      try {
        let subject: string | undefined;
        const deadline = Date.now() + 10_000;
        while (subject === undefined && Date.now() < deadline) {
          const [first] = await client.fetchAll('1:*', { envelope: true }).catch(() => []);
          subject = first?.envelope?.subject;
          if (subject === undefined) {
            await sleep(50);
            await client.noop();
          }
        }
        expect(subject).toMatch(/Undelivered Mail Returned to Sender/);
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it('refuses submission without AUTH', async () => {
    const { default: nodemailer } = await import('nodemailer');
    const transport = nodemailer.createTransport({
      host: servers.host,
      port: servers.ports.submission,
      requireTLS: true,
      tls: { ca: servers.caPem, servername: 'localhost' },
    });
    try {
      await expect(
        transport.sendMail({ envelope: { from: 'x@example.net', to: ['bob@example.test'] }, raw: message('noauth').raw }),
      ).rejects.toMatchObject({ responseCode: 554 });
    } finally {
      transport.close();
    }
  });

  it('MX accepts only existing @example.test users', async () => {
    expect(await mxAccepts(servers, 'bob@example.test')).toBe(true);
    expect(await mxAccepts(servers, 'bob+tag@example.test')).toBe(true);
    expect(await mxAccepts(servers, 'nobody@example.test')).toBe(false);
    expect(await mxAccepts(servers, 'bob@example.org')).toBe(false);
  });
});

describe('users and mailboxes made by tests', () => {
  it('createUser makes a user who can log in and receive mail at once', async () => {
    const dave = await createUser(servers, 'dave');
    expect(dave.email).toMatch(/^dave-[0-9a-f]{6}@example\.test$/);
    const { raw, messageId } = message('hello dave', dave.email);
    await deliver(servers, raw, [dave.email]);
    const client = await openImap(servers, dave);
    try {
      expect(await uidsWithMessageId(client, messageId)).toHaveLength(1);
    } finally {
      await client.logout();
    }
  });

  it('seeds a Maildir: message count, flags, order, dates and sizes as written', async () => {
    const user = await createUser(servers, 'seed');
    const date = new Date('2024-02-03T04:05:06Z');
    const lfOnly = 'Subject: three\nFrom: a@example.net\n\nline one\nline two\n';
    const count = await seedMaildir(servers, user.user, 'INBOX', [
      { raw: message('one').raw, flags: ['\\Seen'] },
      { raw: message('two').raw, flags: ['\\Flagged', '\\Seen', '\\Answered'] },
      { raw: lfOnly, date },
    ]);
    expect(count).toBe(3);

    const client = await openImap(servers, user);
    try {
      const status = await client.status('INBOX', { messages: true, unseen: true });
      expect(status).toMatchObject({ messages: 3, unseen: 1 });
      const lock = await client.getMailboxLock('INBOX');
      try {
        const rows: { subject: string; flags: string[]; size: number; internalDate: Date }[] = [];
        for await (const msg of client.fetch('1:*', { envelope: true, flags: true, size: true, internalDate: true })) {
          rows.push({
            subject: msg.envelope?.subject ?? '',
            // \Recent belongs to the session, not to what was seeded.
            flags: [...(msg.flags ?? [])].filter((f) => f !== '\\Recent').sort(),
            size: msg.size ?? -1,
            internalDate: new Date(msg.internalDate ?? 0),
          });
        }
        expect(rows.map((r) => r.subject)).toEqual(['one', 'two', 'three']);
        expect(rows.map((r) => r.flags)).toEqual([['\\Seen'], ['\\Answered', '\\Flagged', '\\Seen'], []]);
        // RFC822.SIZE counts LF as CRLF: 5 lines -> 5 extra bytes.
        expect(rows[2]?.size).toBe(Buffer.byteLength(lfOnly) + 5);
        expect(rows[2]?.internalDate.getTime()).toBe(date.getTime());
      } finally {
        lock.release();
      }
    } finally {
      await client.logout();
    }
  });

  it('lists the special-use folders, subscribed', async () => {
    const user = await createUser(servers, 'folders');
    const client = await openImap(servers, user);
    try {
      const list = await client.list();
      const special = Object.fromEntries(list.filter((f) => f.specialUse).map((f) => [f.specialUse, f.path]));
      expect(special).toEqual({
        '\\Inbox': 'INBOX',
        '\\Drafts': 'Drafts',
        '\\Sent': 'Sent',
        '\\Trash': 'Trash',
        '\\Junk': 'Junk',
        '\\Archive': 'Archive',
      });
      expect(list.filter((f) => f.subscribed).map((f) => f.path).sort()).toEqual(
        ['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash'],
      );
    } finally {
      await client.logout();
    }
  });

  it('seeds into a new folder and resetMailbox empties everything', async () => {
    const user = await createUser(servers, 'reset');
    await seedMaildir(servers, user.user, 'Projects', [{ raw: message('p1').raw }, { raw: message('p2').raw }]);
    await seedMaildir(servers, user.user, 'Sent', [{ raw: message('s1').raw, flags: ['\\Seen'] }]);
    await deliver(servers, message('in').raw, [user.email]);
    expect(await messageCount(servers, user.user, 'Projects')).toBe(2);

    await resetMailbox(servers, user);
    const client = await openImap(servers, user);
    try {
      const list = await client.list({ statusQuery: { messages: true } });
      expect(list.map((f) => f.path).sort()).toEqual(['Archive', 'Drafts', 'INBOX', 'Junk', 'Sent', 'Trash']);
      expect(list.map((f) => f.status?.messages)).toEqual([0, 0, 0, 0, 0, 0]);
    } finally {
      await client.logout();
    }
  });
});
