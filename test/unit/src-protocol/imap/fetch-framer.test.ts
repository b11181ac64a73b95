// The header sync's framer in front of imapflow's line splitter (ImapStream):
// whatever the chunking, the responses that come out (taken by the framer or
// pushed by imapflow) must be exactly the ones imapflow alone gives, in the
// same order, and imapflow's own limits must still fail the stream.
import { ImapStream } from 'imapflow/lib/handler/imap-stream.js';
import { describe, expect, it } from 'vitest';
import { canFrame, frameResponse, installFetchFramer } from '../../../../src-protocol/imap/fetch-framer.ts';

interface Seen {
  how: 'taken' | 'pushed';
  payload: string;
  literals: string[];
}

const quiet = { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The framer takes FETCH responses of even sequence numbers; the rest are left to imapflow. */
function wanted(payload: Buffer): boolean {
  const m = /^\* (\d+) FETCH /.exec(payload.toString('latin1', 0, 30));
  return m !== null && Number(m[1]) % 2 === 0;
}

/** Runs `chunks` through an ImapStream, with or without the framer; what came out, in order, and the stream's error. */
async function run(chunks: readonly Buffer[], framed: boolean, limits: Record<string, number> = {}): Promise<{ seen: Seen[]; error: Error | null }> {
  const stream = new ImapStream({ logger: quiet, ...limits });
  const seen: Seen[] = [];
  let error: Error | null = null;
  stream.on('error', (err: Error) => {
    error = err;
  });
  stream.on('data', (item: { payload: Buffer; literals: Buffer[]; next: () => void }) => {
    seen.push({ how: 'pushed', payload: item.payload.toString('latin1'), literals: item.literals.map((l) => l.toString('latin1')) });
    item.next();
  });
  if (framed) {
    expect(canFrame(stream)).toBe(true);
    installFetchFramer(stream, (payload, literals) => {
      if (!wanted(payload)) return false;
      seen.push({ how: 'taken', payload: payload.toString('latin1'), literals: literals.map((l) => l.toString('latin1')) });
      return true;
    });
  }
  for (const c of chunks) {
    if (error) break;
    await new Promise<void>((resolve) => stream.write(c, () => resolve()));
  }
  await new Promise<void>((resolve) => setImmediate(resolve));
  stream.destroy();
  return { seen, error };
}

/** A header block literal, with bytes a careless splitter would trip on. */
function block(i: number): string {
  return `Subject: ${'x'.repeat(i % 50)} {12}\r\nFrom: <a${i}@example.test>\r\nReferences: <r${i}@x> ) "q"\r\n\r\n`;
}

/** A FETCH answer with all the shapes the splitter knows: literals of every size, several per response, bare LF, other responses between. */
function answer(): Buffer {
  const parts: string[] = [];
  for (let i = 1; i <= 120; i++) {
    const h = block(i);
    if (i % 17 === 0) parts.push(`* ${i} EXISTS\r\n`);
    if (i % 23 === 0) parts.push(`* OK [ALERT] note {3}\r\nabc\r\n`);
    if (i % 13 === 0) parts.push(`* ${i} FETCH (UID ${i} FLAGS (\\Seen))\r\n`);
    else if (i % 11 === 0) parts.push(`* ${i} FETCH (UID ${i} BODY[HEADER.FIELDS (SUBJECT)] {0}\r\n BODY[1] {${h.length}}\r\n${h})\r\n`);
    else if (i % 7 === 0) parts.push(`* ${i} FETCH (UID ${i} BODY[HEADER.FIELDS (SUBJECT)] {00${h.length}}\n${h})\n`);
    else parts.push(`* ${i} FETCH (UID ${i} FLAGS () RFC822.SIZE ${i * 10} BODY[HEADER.FIELDS (SUBJECT FROM)] {${h.length}}\r\n${h})\r\n`);
    if (i % 29 === 0) parts.push('\r\n* 5 RECENT }\r\n');
  }
  parts.push('A7 OK UID FETCH done\r\n');
  return Buffer.from(parts.join(''), 'latin1');
}

function cut(buf: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  for (let i = 0; i < buf.length; i += size) out.push(buf.subarray(i, i + size));
  return out;
}

describe('the FETCH framer', () => {
  const bytes = answer();

  it('gives, whole in one chunk, every response imapflow gives, and takes every one offered to it', async () => {
    const plain = await run([bytes], false);
    const framed = await run([bytes], true);
    expect(plain.error).toBeNull();
    expect(framed.error).toBeNull();
    // The other responses (EXISTS, the alert, the odd rows, the tagged OK) are still imapflow's.
    expect(plain.seen.length).toBeGreaterThan(130);
    expect(framed.seen).toEqual(plain.seen.map((s) => ({ ...s, how: wanted(Buffer.from(s.payload, 'latin1')) ? 'taken' : 'pushed' })));
    expect(framed.seen.filter((s) => s.how === 'taken').length).toBe(60);
  });

  it('gives the same responses in the same order whatever the chunking', async () => {
    const plain = (await run([bytes], false)).seen.map(({ payload, literals }) => ({ payload, literals }));
    for (const size of [1, 2, 3, 5, 16, 97, 255, 1024, 4093]) {
      const framed = await run(cut(bytes, size), true);
      expect(framed.error, `chunks of ${size}`).toBeNull();
      expect(framed.seen.map(({ payload, literals }) => ({ payload, literals })), `chunks of ${size}`).toEqual(plain);
    }
  });

  it('takes most rows itself when chunks are as large as a socket read', async () => {
    const framed = await run(cut(bytes, 16 * 1024), true);
    const taken = framed.seen.filter((s) => s.how === 'taken').length;
    // Only a row cut by a chunk's end goes through imapflow.
    expect(taken).toBeGreaterThanOrEqual(55);
  });

  it('leaves imapflow\'s limits in force: an over-long line or literal fails the stream as without it', async () => {
    const cases: Record<string, number>[] = [{ maxLineLength: 70 }, { maxLiteralSize: 100 }, { maxResponseSize: 150 }];
    for (const limits of cases) {
      for (const chunks of [[bytes], cut(bytes, 512)]) {
        const plain = await run(chunks, false, limits);
        const framed = await run(chunks, true, limits);
        expect(plain.error, JSON.stringify(limits)).not.toBeNull();
        expect(framed.error?.message).toBe(plain.error?.message);
        expect(framed.seen.map(({ payload }) => payload)).toEqual(plain.seen.map(({ payload }) => payload));
      }
    }
  });

  it('reads a response only when all of it is in the chunk', () => {
    const limits = { maxLineLength: 1e6, maxLiteralSize: 1e6, maxResponseSize: 1e6 };
    const one = Buffer.from('* 2 FETCH (UID 4 BODY[] {5}\r\nHello)\r\n* 3 EXISTS\r\n', 'latin1');
    const framed = frameResponse(one, 0, limits);
    expect(framed?.payload.toString('latin1')).toBe('* 2 FETCH (UID 4 BODY[] {5}\r\n)');
    expect(framed?.literals.map((l) => l.toString('latin1'))).toEqual(['Hello']);
    expect(framed?.end).toBe(one.indexOf('* 3'));
    for (let end = 0; end < (framed?.end ?? 0); end++) expect(frameResponse(one.subarray(0, end), 0, limits)).toBeNull();
  });
});
