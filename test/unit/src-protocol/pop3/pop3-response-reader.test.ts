import { describe, expect, it } from 'vitest';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { isMultiLine } from '../../../../src-protocol/pop3/pop3-command-shape.ts';
import { parseStatusLine } from '../../../../src-protocol/pop3/pop3-response.ts';
import type { Pop3Response } from '../../../../src-protocol/pop3/pop3-response.ts';
import { Pop3ResponseReader } from '../../../../src-protocol/pop3/pop3-response-reader.ts';
import { multiLine } from './scripted-pop3-server.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

/** Feeds `chunks` to a fresh reader expecting one answer; returns it (or undefined if incomplete). */
function read(chunks: readonly Buffer[], multi = true, reader = new Pop3ResponseReader()): Pop3Response | undefined {
  let done = reader.expect(multi);
  for (const chunk of chunks) {
    const r = reader.push(chunk);
    if (r) {
      expect(done).toBeUndefined();
      done = r;
    }
  }
  return done;
}

function protocolError(fn: () => unknown): PosternError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PosternError);
    expect((err as PosternError).code).toBe('PROTOCOL');
    return err as PosternError;
  }
  throw new Error('expected a PROTOCOL error');
}

/** A message with everything that trips readers: dots, 8-bit bytes, a bare LF, a bare CR. */
const TRICKY = Buffer.concat([
  b('Subject: dots\r\n\r\n'),
  b('.leading dot\r\n'),
  b('..two dots\r\n'),
  b('.\r\n'), // a line of exactly "." in the message
  b('..\r\n'),
  Buffer.from([0xe9, 0xff, 0x80, 0x00, 0xc3, 0x28, 0x0d, 0x0a]), // not UTF-8, and a NUL
  b('bare\nLF and bare\rCR\r\n'),
  b('x\n.\r\n'), // a "." after a bare LF is not a line start
  b('last line\r\n'),
]);

describe('Pop3ResponseReader: multi-line answers', () => {
  const wire = multiLine('+OK 300 octets', TRICKY);

  it('undoes dot-stuffing and keeps every other byte, including 8-bit bytes, bare LF and bare CR', () => {
    const r = read([wire]);
    expect(r?.status).toBe('ok');
    expect(r?.text).toBe('300 octets');
    expect(r?.body?.equals(TRICKY)).toBe(true);
  });

  it('finds the end whichever byte a chunk boundary falls on', () => {
    for (let cut = 1; cut < wire.length; cut++) {
      const r = read([wire.subarray(0, cut), wire.subarray(cut)]);
      expect(r?.body?.equals(TRICKY), `cut at ${cut}`).toBe(true);
    }
  });

  it('finds the end when every byte arrives on its own (the terminator in 5 chunks)', () => {
    const chunks = [...wire].map((byte) => Buffer.from([byte]));
    expect(read(chunks)?.body?.equals(TRICKY)).toBe(true);
  });

  it('finds the end when the terminator is split over 2, 3, 4 and 5 chunks', () => {
    const head = b('+OK\r\nline\r\n');
    for (const tail of [['.', '\r\n'], ['.\r', '\n'], ['.', '\r', '\n']]) {
      expect(read([head, ...tail.map(b)])?.body?.toString('latin1')).toBe('line\r\n');
    }
    expect(read([b('+OK\r\nline\r'), b('\n'), b('.'), b('\r'), b('\n')])?.body?.toString('latin1')).toBe('line\r\n');
    expect(read([b('+OK\r\nline'), b('\r'), b('\n.'), b('\r\n')])?.body?.toString('latin1')).toBe('line\r\n');
  });

  it('is not fooled by a split that looks like the end', () => {
    const reader = new Pop3ResponseReader();
    reader.expect(true);
    expect(reader.push(b('+OK\r\na\r\n.'))).toBeUndefined();
    expect(reader.push(b('.\r\n'))).toBeUndefined(); // "..": a stuffed ".", not the end
    expect(reader.push(b('.x\r\n'))).toBeUndefined();
    expect(reader.push(b('.\r\n'))?.body?.toString('latin1')).toBe('a\r\n.\r\nx\r\n');
  });

  it('reads an empty body when "." follows the status line at once, in the same or a later chunk', () => {
    expect(read([b('+OK 0 messages\r\n.\r\n')])?.body?.length).toBe(0);
    expect(read([b('+OK 0 messages\r\n'), b('.\r\n')])?.body?.length).toBe(0);
    expect(read([b('+OK\r\n.'), b('\r\n')])?.body?.length).toBe(0);
  });

  it('maps "..foo" to ".foo", a line ".." to "." and "..." to ".."', () => {
    const r = read([b('+OK\r\n..foo\r\n..\r\n...\r\n. x\r\n.\r\n')]);
    expect(r?.body?.toString('latin1')).toBe('.foo\r\n.\r\n..\r\n x\r\n');
  });

  it('treats -ERR to a multi-line command as a one-line answer', () => {
    const r = read([b('-ERR no such message\r\n')]);
    expect(r).toMatchObject({ status: 'err', text: 'no such message', body: undefined });
  });

  it('keeps bytes after an answer for the next one', () => {
    const reader = new Pop3ResponseReader();
    reader.expect(true);
    const first = reader.push(b('+OK\r\none\r\n.\r\n+OK 2 3\r\n+OK\r\ntw'));
    expect(first?.body?.toString('latin1')).toBe('one\r\n');
    expect(reader.expect(false)?.text).toBe('2 3');
    expect(reader.expect(true)).toBeUndefined();
    expect(reader.push(b('o\r\n.\r\n'))?.body?.toString('latin1')).toBe('two\r\n');
    expect(reader.bufferedBytes).toBe(0);
  });
});

describe('Pop3ResponseReader: limits', () => {
  it('refuses a status line longer than its limit, even before its CRLF arrives', () => {
    const reader = new Pop3ResponseReader({ maxStatusLineBytes: 16 });
    reader.expect(false);
    expect(reader.push(b('+OK 0123456789'))).toBeUndefined();
    protocolError(() => reader.push(b('abcdef')));
  });

  it('refuses a body line longer than its limit', () => {
    const reader = new Pop3ResponseReader({ maxLineBytes: 10 });
    reader.expect(true);
    reader.push(b('+OK\r\n0123456789\r\n'));
    expect(protocolError(() => reader.push(b('0123456789A\r\n'))).message).toMatch(/longer than 10 bytes/);
  });

  it('refuses an answer larger than its limit', () => {
    const reader = new Pop3ResponseReader({ maxResponseBytes: 20 });
    reader.expect(true);
    reader.push(b('+OK\r\n0123456789\r\n'));
    expect(protocolError(() => reader.push(b('0123456789\r\n'))).message).toMatch(/larger than 20 bytes/);
  });

  it('refuses a flood of bytes nobody asked for', () => {
    const reader = new Pop3ResponseReader({ maxStatusLineBytes: 16 });
    protocolError(() => reader.push(Buffer.alloc(100, 0x41)));
  });
});

describe('parseStatusLine', () => {
  it('reads +OK, -ERR and SASL continuations', () => {
    expect(parseStatusLine(b('+OK'))).toMatchObject({ status: 'ok', text: '', code: undefined });
    expect(parseStatusLine(b('+OK 2 320'))).toMatchObject({ status: 'ok', text: '2 320' });
    expect(parseStatusLine(b('-ERR'))).toMatchObject({ status: 'err', text: '' });
    expect(parseStatusLine(b('+ '))).toMatchObject({ status: 'continue', text: '' });
    expect(parseStatusLine(b('+ eyJzdGF0dXMiOiI0MDEifQ=='))).toMatchObject({ status: 'continue', text: 'eyJzdGF0dXMiOiI0MDEifQ==' });
  });

  it('parses the response codes of RFC 2449 and RFC 3206 into their own field', () => {
    for (const code of ['IN-USE', 'LOGIN-DELAY', 'AUTH', 'SYS/TEMP', 'SYS/PERM']) {
      expect(parseStatusLine(b(`-ERR [${code}] the words`))).toMatchObject({ status: 'err', code, text: 'the words' });
    }
    expect(parseStatusLine(b('-ERR [in-use] locked'))).toMatchObject({ code: 'IN-USE', text: 'locked' });
    expect(parseStatusLine(b('-ERR not [IN-USE] here'))).toMatchObject({ code: undefined, text: 'not [IN-USE] here' });
  });

  it('rejects anything else', () => {
    for (const line of ['HELLO', '+OKAY', '-ERROR', 'OK', '', '*', '+OKAY there']) {
      protocolError(() => parseStatusLine(b(line)));
    }
  });
});

describe('isMultiLine', () => {
  it('follows RFC 1939: LIST and UIDL depend on the argument, RETR, TOP and CAPA are always multi-line', () => {
    expect(isMultiLine('LIST', [])).toBe(true);
    expect(isMultiLine('LIST', ['3'])).toBe(false);
    expect(isMultiLine('UIDL', [])).toBe(true);
    expect(isMultiLine('UIDL', ['3'])).toBe(false);
    expect(isMultiLine('RETR', ['1'])).toBe(true);
    expect(isMultiLine('TOP', ['1', '0'])).toBe(true);
    expect(isMultiLine('CAPA', [])).toBe(true);
    for (const verb of ['STAT', 'DELE', 'RSET', 'NOOP', 'QUIT', 'USER', 'PASS', 'APOP', 'STLS', 'UTF8', 'AUTH']) {
      expect(isMultiLine(verb, verb === 'DELE' ? ['1'] : []), verb).toBe(false);
    }
  });
});
