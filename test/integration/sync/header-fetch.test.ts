// The header sync's own FETCH reader against real Dovecot: it must give what
// imapflow's parser gives, take flag changes another session makes while it
// reads, leave the connection fit for the next command, and turn a dropped
// connection or a refused command into an error, never into a short list.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { ImapFlow } from 'imapflow';
import { createUser, openImap, seedMaildir, type SeedMessage } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { startTcpProxy, type TcpProxy } from '../../helpers/tcp-proxy.ts';
import { closeImap, connectImap } from '../../../src-protocol/imap/imap-connection.ts';
import { fetchHeaders, searchAllUids, storedFlags, streamHeaders, type ServerHeader } from '../../../src-protocol/imap/imap-headers.ts';
import { canReadLean, fetchHeaderRows } from '../../../src-protocol/imap/header-fetch.ts';
import { LIST_HEADER_FIELDS, parseListHeaders } from '../../../src-protocol/mime/list-headers.ts';

const servers = inject('servers');
const COUNT = 240;
let user: TestUser;
let proxy: TcpProxy;

function message(i: number): SeedMessage {
  // Long folded References and encoded words: multi-kilobyte literals, split over many TCP chunks.
  const refs = Array.from({ length: 60 + (i % 40) }, (_, k) => `<ref-${i}-${k}-${'x'.repeat(20)}@example.test>`).join('\r\n ');
  const raw = [
    `From: =?utf-8?q?S=C3=A9bastien_${i}?= <s${i % 7}@example.test>`, `To: ${user.email}`, `Cc: "Team (${i})" <team@example.test>`,
    `Subject: ${i % 3 === 0 ? 'Re: ' : ''}Topic ${i} {3}) ( "quoted"`, `Date: ${new Date(Date.UTC(2025, 0, 1) + i * 3_600_000).toUTCString()}`,
    `Message-ID: <m${i}@example.test>`, `References: ${refs}`, `In-Reply-To: <m${i - 1}@example.test>`,
    `Content-Type: ${i % 4 === 0 ? 'multipart/mixed; boundary=b' : 'text/plain'}`, '', `Body ${i}`, '',
  ].join('\r\n');
  return { raw, flags: i % 2 === 0 ? ['\\Seen'] : i % 5 === 0 ? ['\\Flagged', '\\Answered'] : [] };
}

async function connect(port = servers.ports.imaps): Promise<ImapFlow> {
  return connectImap({ host: 'localhost', port, security: 'tls', user: user.user, password: user.password, caPem: servers.caPem });
}

beforeAll(async () => {
  user = await createUser(servers, 'hdrfetch');
  await seedMaildir(servers, user.user, 'INBOX', Array.from({ length: COUNT }, (_, i) => message(i + 1)));
  proxy = await startTcpProxy(servers.ports.imaps);
});

afterAll(async () => {
  await proxy?.close();
});

/** A reader with INBOX open (read-write) and its UIDs, and a second session in INBOX that changes things meanwhile. */
async function withAnotherSession(fn: (reader: ImapFlow, writer: ImapFlow, uids: number[]) => Promise<void>): Promise<void> {
  const reader = await connect();
  const writer = await openImap(servers, user);
  try {
    const lock = await reader.getMailboxLock('INBOX');
    try {
      const uids = [...await searchAllUids(reader)].sort((a, b) => a - b);
      await writer.mailboxOpen('INBOX');
      await fn(reader, writer, uids);
    } finally {
      lock.release();
    }
  } finally {
    await writer.logout().catch(() => undefined);
    await closeImap(reader);
  }
}

describe('the header FETCH reader', () => {
  it('gives what imapflow parses, and the connection goes on working', async () => {
    const client = await connect();
    // The lean reader is what runs here, not the fallback to imapflow's fetch.
    expect(canReadLean(client)).toBe(true);
    try {
      const lock = await client.getMailboxLock('INBOX', { readOnly: true });
      try {
        const uids = [...await searchAllUids(client)].sort((a, b) => b - a);
        expect(uids).toHaveLength(COUNT);
        // Two batches asked for at once, as the sync does: each gets its own rows.
        const [first, second] = await Promise.all([fetchHeaders(client, uids.slice(0, 100)), fetchHeaders(client, uids.slice(100))]);
        const lean = [...first, ...second];
        expect(first.map((h) => h.uid).sort((a, b) => a - b)).toEqual(uids.slice(0, 100).sort((a, b) => a - b));
        expect(lean).toHaveLength(COUNT);

        const query = { uid: true, flags: true, size: true, internalDate: true, headers: [...LIST_HEADER_FIELDS] };
        const byImapflow = new Map<number, { flags: string[]; size: number; list: ReturnType<typeof parseListHeaders> }>();
        for await (const msg of client.fetch('1:*', query)) byImapflow.set(msg.uid, { flags: storedFlags(msg.flags), size: msg.size ?? 0, list: parseListHeaders(msg.headers) });
        for (const h of lean) {
          const ref = byImapflow.get(h.uid);
          expect(ref, `uid ${h.uid}`).toBeDefined();
          expect({ flags: h.flags, size: h.size, subject: h.subject, from: h.from, to: h.to, date_ms: h.date_ms, message_id: h.message_id, refs: h.refs, has_attachments: h.has_attachments })
            .toEqual({ ...ref?.list, flags: ref?.flags, size: ref?.size, date_ms: ref?.list.date_ms, subject: ref?.list.subject });
        }
        expect(lean.find((h) => h.message_id === '<m3@example.test>')?.subject).toBe('Re: Topic 3 {3}) ( "quoted"');
        expect(lean.find((h) => h.message_id === '<m3@example.test>')?.from).toEqual([{ name: 'Sébastien 3', address: 's3@example.test' }]);

        // Dovecot's answers are read by the lean reader itself, every one: a fall back to imapflow's
        // parser would give the same rows but lose the speed-up without a sound.
        const direct = await fetchHeaderRows(client, `${Math.min(...uids)}:${Math.max(...uids)}`, LIST_HEADER_FIELDS);
        expect(direct.rows.size).toBe(COUNT);
        expect(direct.readLean).toBe(COUNT);

        // imapflow's state is intact: later commands on the same connection work and agree.
        expect((await searchAllUids(client)).size).toBe(COUNT);
        expect(await fetchHeaders(client, [uids[0] as number])).toHaveLength(1);
      } finally {
        lock.release();
      }
    } finally {
      await closeImap(client);
    }
  });

  it('takes the flags another session changed, whether they come before or among the rows', async () => {
    await withAnotherSession(async (reader, writer, uids) => {
      const target = uids[10] as number;
      await writer.messageFlagsAdd(String(target), ['$Changed', '\\Flagged'], { uid: true });
      // Dovecot tells the reader about the other session's change with its next command's responses.
      const headers = await fetchHeaders(reader, uids);
      expect(headers).toHaveLength(COUNT);
      expect(headers.find((h) => h.uid === target)?.flags).toEqual(expect.arrayContaining(['$Changed', '\\Flagged']));
      expect(new Set(headers.map((h) => h.uid)).size).toBe(COUNT);
    });
  });

  it('streams the same rows as it reads them whole, each as it arrives, with the flags another session changed', async () => {
    await withAnotherSession(async (reader, writer, uids) => {
      const whole = await fetchHeaders(reader, uids);
      const target = uids[20] as number;
      await writer.messageFlagsAdd(String(target), ['$Streamed'], { uid: true });
      const streamed: ServerHeader[] = [];
      const updates: ServerHeader[] = [];
      let beforeEnd = 0;
      const done = streamHeaders(reader, uids, (h, update) => {
        (update ? updates : streamed).push(h);
      }).then(() => {
        beforeEnd = streamed.length;
      });
      // Rows come while the command runs, not all at its end.
      await new Promise((r) => setImmediate(r));
      await done;
      expect(beforeEnd).toBe(COUNT);
      const byUid = (a: ServerHeader, b: ServerHeader) => a.uid - b.uid;
      const withoutFlags = (h: ServerHeader) => ({ ...h, flags: [] });
      expect(streamed.sort(byUid).map(withoutFlags)).toEqual(whole.sort(byUid).map(withoutFlags));
      // The other session's change comes before the row or after it (then as an update): the last word has it.
      expect(updates.every((u) => u.uid === target)).toBe(true);
      const last = updates.at(-1) ?? streamed.find((h) => h.uid === target);
      expect(last?.flags).toContain('$Streamed');
      expect(new Set(streamed.map((h) => h.uid)).size).toBe(COUNT);
    });
  });

  it('fails on a refused command and leaves the connection usable', async () => {
    const client = await connect();
    try {
      const lock = await client.getMailboxLock('INBOX', { readOnly: true });
      try {
        await expect(fetchHeaderRows(client, 'not-a-set', LIST_HEADER_FIELDS)).rejects.toThrow();
        expect((await searchAllUids(client)).size).toBe(COUNT);
      } finally {
        lock.release();
      }
    } finally {
      await closeImap(client);
    }
  });

  it('fails, never returns a short list, when the connection drops in the middle of the response', async () => {
    const client = await connect(proxy.port);
    let failed: unknown;
    try {
      const lock = await client.getMailboxLock('INBOX', { readOnly: true });
      const uids = [...await searchAllUids(client)];
      proxy.limit(64 * 1024);
      const before = proxy.bytesDown;
      const pending = fetchHeaders(client, uids).then(
        (rows) => ({ rows }),
        (err: unknown) => ({ err }),
      );
      // Cut once part of the response (but not all of it: ~1 MB) has come through.
      while (proxy.bytesDown - before < 96 * 1024) await new Promise((resolve) => setTimeout(resolve, 20));
      await proxy.down();
      const outcome = await pending;
      failed = 'err' in outcome ? outcome.err : null;
      expect('rows' in outcome ? outcome.rows.length : null).toBeNull();
      lock.release();
    } finally {
      proxy.limit(null);
      await proxy.up();
      await closeImap(client);
    }
    expect(failed).toBeInstanceOf(Error);
  });
});
