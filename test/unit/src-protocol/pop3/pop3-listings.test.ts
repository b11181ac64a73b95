import { describe, expect, it } from 'vitest';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { parseCapabilities, saslMechanisms } from '../../../../src-protocol/pop3/pop3-capabilities.ts';
import { parseListing, parseScanListing, parseStat, parseUidListing } from '../../../../src-protocol/pop3/pop3-listings.ts';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

function code(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof PosternError ? err.code : 'not a PosternError';
  }
  return 'no error';
}

describe('STAT, LIST and UIDL answers', () => {
  it('reads counts, sizes and unique ids', () => {
    expect(parseStat('2 320')).toEqual({ count: 2, size: 320 });
    expect(parseStat('0 0')).toEqual({ count: 0, size: 0 });
    expect(parseListing(b('1 120\r\n2 200 extra words\r\n'), parseScanListing)).toEqual([
      { msg: 1, size: 120 },
      { msg: 2, size: 200 },
    ]);
    expect(parseListing(b('1 whqtswO00WBw418f9t5JxYwZ\r\n2 QhdPYR:00WBw1Ph7x7\r\n'), parseUidListing)).toEqual([
      { msg: 1, uid: 'whqtswO00WBw418f9t5JxYwZ' },
      { msg: 2, uid: 'QhdPYR:00WBw1Ph7x7' },
    ]);
    expect(parseListing(b(''), parseUidListing)).toEqual([]);
    expect(parseUidListing('3 abc')).toEqual({ msg: 3, uid: 'abc' });
  });

  it('refuses anything that could make the caller act on the wrong message', () => {
    for (const bad of ['', 'two 320', '-1 5', '1.5 3', '1']) expect(code(() => parseStat(bad)), bad).toBe('PROTOCOL');
    for (const bad of ['0 100', 'x 100', '1', '1 -5', '99999999999999999 1']) expect(code(() => parseScanListing(bad)), bad).toBe('PROTOCOL');
    for (const bad of ['1', '0 abc', `1 ${'\u00e9'}`]) expect(code(() => parseUidListing(bad)), bad).toBe('PROTOCOL');
  });
});

describe('CAPA answers', () => {
  it('reads keywords and arguments, SASL names upper-cased', () => {
    const caps = parseCapabilities(b('TOP\r\nUSER\r\nSASL plain XOAUTH2\r\nLOGIN-DELAY 900\r\nUTF8 USER\r\nstls\r\n'));
    expect([...caps.keys()]).toEqual(['TOP', 'USER', 'SASL', 'LOGIN-DELAY', 'UTF8', 'STLS']);
    expect(saslMechanisms(caps)).toEqual(['PLAIN', 'XOAUTH2']);
    expect(caps.get('LOGIN-DELAY')).toEqual(['900']);
    expect(saslMechanisms(undefined)).toEqual([]);
  });
});
