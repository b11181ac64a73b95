// The body download's own FETCH reader against real Dovecot: each message's
// bytes exactly as imapflow's fetch gives them (8-bit bytes, a body that
// spans many TLS records, a tiny one), every response read by the lean
// reader itself, and the connection fit for the next command.
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir, type SeedMessage } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { closeImap, connectImap } from '../../../src-protocol/imap/imap-connection.ts';
import { fetchSources } from '../../../src-protocol/imap/body-fetch.ts';
import { searchAllUids } from '../../../src-protocol/imap/imap-headers.ts';

const servers = inject('servers');
let user: TestUser;

function message(i: number): SeedMessage {
  const body = i % 10 === 0
    ? `${'A long line of text that repeats. '.repeat(8000)}\r\n` // ~270 kB: many TLS records
    : i % 3 === 0 ? 'x' : `Caf\u00e9 cr\u00e8me ${i} ) BODY[] {5}\r\n* 9 FETCH (UID 1)\r\n`;
  const raw = Buffer.concat([
    Buffer.from(`From: a${i}@example.test\r\nTo: ${user.email}\r\nSubject: Body ${i}\r\nMessage-ID: <b${i}@example.test>\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n`),
    Buffer.from(body, 'utf8'),
    Buffer.from([0xff, 0xfe, 0x0d, 0x0a]),
  ]);
  return { raw };
}

beforeAll(async () => {
  user = await createUser(servers, 'bodyfetch');
  await seedMaildir(servers, user.user, 'INBOX', Array.from({ length: 60 }, (_, i) => message(i + 1)));
});

describe('the body FETCH reader', () => {
  it('gives each message\'s bytes as imapflow does, reading every response itself', async () => {
    const client = await connectImap({ host: 'localhost', port: servers.ports.imaps, security: 'tls', user: user.user, password: user.password, caPem: servers.caPem });
    try {
      const lock = await client.getMailboxLock('INBOX', { readOnly: true });
      try {
        const uids = [...await searchAllUids(client)].sort((a, b) => a - b);
        expect(uids).toHaveLength(60);
        const lean = new Map<number, Buffer>();
        const readLean = await fetchSources(client, `${uids[0]}:${uids.at(-1)}`, (uid, source) => lean.set(uid, Buffer.from(source)));
        expect(readLean).toBe(60);

        const byImapflow = new Map<number, Buffer>();
        for await (const msg of client.fetch('1:*', { uid: true, source: true }, { uid: true })) if (msg.source) byImapflow.set(msg.uid, msg.source);
        expect([...lean.keys()].sort((a, b) => a - b)).toEqual(uids);
        for (const uid of uids) expect(lean.get(uid)?.equals(byImapflow.get(uid) as Buffer), `uid ${uid}`).toBe(true);
        expect([...lean.values()].some((b) => b.length > 250_000)).toBe(true);
        // What the server holds is what was seeded, 8-bit bytes included.
        expect([...lean.values()].every((b) => b.subarray(-4).equals(Buffer.from([0xff, 0xfe, 0x0d, 0x0a])))).toBe(true);
        // A UID that is gone gives nothing, and the connection goes on.
        expect(await fetchSources(client, '99999', () => { throw new Error('no message was asked for'); })).toBe(0);
        expect(await client.status('INBOX', { messages: true })).toMatchObject({ messages: 60 });
      } finally {
        lock.release();
      }
    } finally {
      await closeImap(client);
    }
  });
});
