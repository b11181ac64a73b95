// The header sync's FETCH reader, fed the way it is fed in the app: server
// bytes through imapflow's own line splitter (ImapStream), cut into TCP
// chunks at every possible offset. It must read exactly what imapflow's
// parser would, and say "not mine" (null) to anything else, never a
// half-read row.
import { ImapStream } from 'imapflow/lib/handler/imap-stream.js';
import { describe, expect, it } from 'vitest';
import { parseHeaderFetch, type HeaderFetchRow } from '../../../../src-protocol/imap/header-fetch-parser.ts';

interface Item {
  payload: Buffer;
  literals: Buffer[];
}

/** Runs `chunks` through imapflow's line splitter and returns what it emits. */
async function split(chunks: readonly Buffer[]): Promise<Item[]> {
  const stream = new ImapStream({ logger: { trace: () => undefined, debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined } });
  const items: Item[] = [];
  stream.on('data', (item: Item & { next: () => void }) => {
    items.push({ payload: item.payload, literals: item.literals });
    item.next();
  });
  for (const c of chunks) await new Promise<void>((resolve, reject) => stream.write(c, (err) => (err ? reject(err) : resolve())));
  await new Promise<void>((resolve) => setImmediate(resolve));
  stream.destroy();
  return items;
}

const HEADER_A = 'From: "Ann (a) {5}" <ann@example.test>\r\nSubject: ) BODY[ {3}\r\n * 9 FETCH (UID 1)\r\n\r\n';
const HEADER_B = 'Subject: caf\u00e9 \u2615\r\n\r\n';

function literal(text: string): string {
  return `{${Buffer.byteLength(text)}}\r\n${text}`;
}

/** A session's worth of server output: our rows, other untagged responses, a flag update, the tagged OK. */
const WIRE = Buffer.from([
  `* 1 FETCH (UID 101 FLAGS (\\Seen $Label1) RFC822.SIZE 2345 INTERNALDATE "17-Jul-1996 02:44:25 -0700" BODY[HEADER.FIELDS (FROM TO SUBJECT)] ${literal(HEADER_A)})\r\n`,
  '* 3 EXISTS\r\n',
  '* 2 FETCH (FLAGS (\\Answered) UID 102)\r\n',
  `* 2 FETCH (UID 102 MODSEQ (12345) FLAGS () RFC822.SIZE 77 INTERNALDATE " 1-Jan-2025 00:00:00 +0000" BODY[HEADER.FIELDS (FROM TO SUBJECT)] ${literal(HEADER_B)})\r\n`,
  `* 3 FETCH (UID 103 FLAGS (\\Recent) RFC822.SIZE 5 INTERNALDATE "01-Jan-2025 00:00:00 +0000" BODY[HEADER.FIELDS (FROM TO SUBJECT)] {0}\r\n)\r\n`,
  'A7 OK Fetch completed.\r\n',
].join(''), 'utf8');

const EXPECTED: (HeaderFetchRow | null)[] = [
  { uid: 101, flags: ['\\Seen', '$Label1'], size: 2345, internalDate: '17-Jul-1996 02:44:25 -0700', headers: Buffer.from(HEADER_A) },
  null,
  { uid: 102, flags: ['\\Answered'], size: null, internalDate: null, headers: null },
  { uid: 102, flags: [], size: 77, internalDate: ' 1-Jan-2025 00:00:00 +0000', headers: Buffer.from(HEADER_B, 'utf8') },
  { uid: 103, flags: ['\\Recent'], size: 5, internalDate: '01-Jan-2025 00:00:00 +0000', headers: Buffer.alloc(0) },
  null,
];

const rowsOf = (items: Item[]) => items.map((i) => parseHeaderFetch(i.payload, i.literals));

describe('parseHeaderFetch', () => {
  it('reads rows, flag updates and leaves other responses alone, in one chunk', async () => {
    expect(rowsOf(await split([WIRE]))).toEqual(EXPECTED);
  });

  it('reads the same whatever byte the TCP chunks split at (every offset, two chunks)', async () => {
    for (let at = 1; at < WIRE.length; at++) {
      expect(rowsOf(await split([WIRE.subarray(0, at), WIRE.subarray(at)])), `split at ${at}`).toEqual(EXPECTED);
    }
  });

  it('reads the same from one-byte chunks', async () => {
    const chunks: Buffer[] = [];
    for (let i = 0; i < WIRE.length; i++) chunks.push(WIRE.subarray(i, i + 1));
    expect(rowsOf(await split(chunks))).toEqual(EXPECTED);
  });

  it('takes a literal of a megabyte and one of any bytes (NUL, CR alone, "}")', async () => {
    const big = `X-Big: ${'y'.repeat(1_000_000)}\r\n\r\n`;
    const odd = Buffer.from([0x00, 0x0d, 0x7d, 0x29, 0x0a, 0xff, 0x22]);
    const wire = Buffer.concat([
      Buffer.from(`* 1 FETCH (UID 7 BODY[HEADER.FIELDS (X-BIG)] ${literal(big)})\r\n`),
      Buffer.from(`* 2 FETCH (UID 8 BODY[HEADER.FIELDS (X-ODD)] {${odd.length}}\r\n`), odd, Buffer.from(')\r\n'),
    ]);
    const rows = rowsOf(await split([wire.subarray(0, 70_000), wire.subarray(70_000, 500_000), wire.subarray(500_000)]));
    expect(rows[0]?.headers?.length).toBe(Buffer.byteLength(big));
    expect(rows[1]?.headers).toEqual(odd);
  });

  it('reads what odd servers send: other item order, lower case, extra items, quoted or NIL header values', () => {
    const line = (text: string, literals: Buffer[] = []) => parseHeaderFetch(Buffer.from(text, 'utf8'), literals);
    expect(line('* 4 fetch (internaldate "02-Feb-2024 10:00:00 +0100" body[header.fields ("From" "Subject")] "Subject: hi\\"x\\"\\\\" uid 9 rfc822.size 12 flags (\\Flagged))'))
      .toEqual({ uid: 9, flags: ['\\Flagged'], size: 12, internalDate: '02-Feb-2024 10:00:00 +0100', headers: Buffer.from('Subject: hi"x"\\') });
    // Gmail-style extras with nested lists, quoted strings and literals of their own; a Dovecot EMAILID.
    const extra = Buffer.from('label with ) and (');
    expect(line(`* 5 FETCH (X-GM-LABELS ("\\\\Inbox" "a b" {${extra.length}}\r\n) EMAILID (M6d2f) X-GM-MSGID 1278455344230334865 UID 10 MODSEQ (99) BODY[HEADER.FIELDS (SUBJECT)] NIL FLAGS ())`, [extra]))
      .toEqual({ uid: 10, flags: [], size: null, internalDate: null, headers: Buffer.alloc(0) });
    expect(line('* 6 FETCH  ( UID 11  FLAGS ( \\Seen  \\Draft )  )')).toEqual({ uid: 11, flags: ['\\Seen', '\\Draft'], size: null, internalDate: null, headers: null });
    // A keyword in UTF-8 (not allowed, but seen) is read as UTF-8, as imapflow does.
    expect(line('* 7 FETCH (UID 12 FLAGS (caf\u00e9))')?.flags).toEqual(['caf\u00e9']);
  });

  it('says null to what it cannot vouch for, so imapflow reads it', () => {
    const line = (text: string, literals: Buffer[] = []) => parseHeaderFetch(Buffer.from(text, 'latin1'), literals);
    expect(line('* 3 EXISTS')).toBeNull();
    expect(line('A1 OK done')).toBeNull();
    expect(line('* 1 FETCH (FLAGS (\\Seen))')).toBeNull(); // no UID: nothing to file it under
    expect(line('* 1 FETCH (UID 0 FLAGS ())')).toBeNull();
    expect(line('* 1 FETCH (UID 5 FLAGS ("quoted"))')).toBeNull();
    expect(line('* 1 FETCH (UID 5) trailing')).toBeNull();
    expect(line('* 1 FETCH (UID 5 BODY[HEADER.FIELDS (FROM)] {4}\r\n)', [Buffer.from('abc')])).toBeNull(); // literal shorter than announced
    expect(line('* 1 FETCH (UID 5 BODY[HEADER.FIELDS (FROM)] {3}\r\n)', [Buffer.from('abc'), Buffer.from('x')])).toBeNull(); // a literal too many
    expect(line('* 1 FETCH (UID 5 BODY[HEADER.FIELDS (FROM)] {3}\r\n)', [])).toBeNull();
    expect(line('* 1 FETCH (UID 5 BODY[HEADER.FIELDS (FROM)]<0> {3}\r\n)', [Buffer.from('abc')])?.headers).toBeNull(); // a partial is not our block
    expect(line('* 1 FETCH (UID 99999999999999999999)')).toBeNull();
    expect(line(`* 1 FETCH (UID 5 X ${'('.repeat(100)}${')'.repeat(100)})`)).toBeNull();
  });

  it('reads each row\'s own section, also when it differs from the row before', () => {
    const line = (section: string, value: string) => parseHeaderFetch(Buffer.from(`* 1 FETCH (UID 7 BODY[${section}] "${value}")`, 'latin1'), []);
    expect(line('HEADER.FIELDS (FROM SUBJECT)', 'a')?.headers).toEqual(Buffer.from('a'));
    expect(line('HEADER.FIELDS (FROM SUBJECT)', 'b')?.headers).toEqual(Buffer.from('b'));
    // Longer, shorter, and the same bytes with more after them: each read as itself.
    expect(line('HEADER.FIELDS (FROM SUBJECT DATE)', 'c')?.headers).toEqual(Buffer.from('c'));
    expect(line('HEADER.FIELDS (FROM)', 'd')?.headers).toEqual(Buffer.from('d'));
    expect(line('TEXT', 'e')?.headers).toBeNull();
    expect(line('HEADER.FIELDS (FROM)', 'f')?.headers).toEqual(Buffer.from('f'));
    expect(line('HEADER.FIELDS (FROM)]X[', 'g')).toBeNull();
    expect(line('HEADER.FIELDS.NOT (FROM)', 'h')?.headers).toBeNull();
  });

  it('never returns a row for a cut-off response, wherever it is cut', () => {
    const text = `* 1 FETCH (UID 101 FLAGS (\\Seen) RFC822.SIZE 2345 INTERNALDATE "17-Jul-1996 02:44:25 -0700" BODY[HEADER.FIELDS (FROM)] {5}\r\n)`;
    const whole = Buffer.from(text);
    expect(parseHeaderFetch(whole, [Buffer.from('From:')])?.uid).toBe(101);
    for (let end = 0; end < whole.length; end++) {
      const cut = whole.subarray(0, end);
      // The literal counts only once its marker is in the cut.
      const literals = cut.includes('{5}\r\n') ? [Buffer.from('From:')] : [];
      expect(parseHeaderFetch(cut, literals), `cut at ${end}`).toBeNull();
    }
  });
});
