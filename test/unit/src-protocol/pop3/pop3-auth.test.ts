import { describe, expect, it } from 'vitest';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import {
  apopDigest,
  chooseMechanism,
  greetingTimestamp,
  plainInitialResponse,
  xoauth2InitialResponse,
} from '../../../../src-protocol/pop3/pop3-auth.ts';
import { parseCapabilities } from '../../../../src-protocol/pop3/pop3-capabilities.ts';
import { parseStatusLine } from '../../../../src-protocol/pop3/pop3-response.ts';

const greeting = (line: string) => ({ ...parseStatusLine(Buffer.from(line, 'latin1')), body: undefined });
const caps = (...lines: string[]) => parseCapabilities(Buffer.from(lines.map((l) => `${l}\r\n`).join(''), 'latin1'));
const server = 'The POP3 server test:995';

describe('APOP', () => {
  it("computes RFC 1939's own example digest", () => {
    const g = greeting('+OK POP3 server ready <1896.697170952@dbc.mtview.ca.us>');
    const timestamp = greetingTimestamp(g);
    expect(timestamp).toBe('<1896.697170952@dbc.mtview.ca.us>');
    expect(apopDigest(timestamp as string, 'tanstaaf')).toBe('c4c9334bac560ecc979e58001b3e22fb');
  });

  it('finds no timestamp in a greeting without one', () => {
    expect(greetingTimestamp(greeting('+OK Dovecot ready.'))).toBeUndefined();
    expect(greetingTimestamp(greeting('+OK ready <not a msg-id>'))).toBeUndefined();
  });
});

describe('SASL initial responses (RFC 5034)', () => {
  it('PLAIN is base64 of NUL user NUL password, in UTF-8', () => {
    expect(Buffer.from(plainInitialResponse('alice', 'pässword'), 'base64').toString('utf8')).toBe('\0alice\0pässword');
    expect(plainInitialResponse('tim', 'tanstaaftanstaaf')).toBe('AHRpbQB0YW5zdGFhZnRhbnN0YWFm');
  });

  it('XOAUTH2 is base64 of user=..^Aauth=Bearer ..^A^A', () => {
    expect(Buffer.from(xoauth2InitialResponse('a@b.test', 'tok'), 'base64').toString('latin1')).toBe('user=a@b.test\x01auth=Bearer tok\x01\x01');
  });
});

describe('chooseMechanism', () => {
  const plain = greeting('+OK ready');
  const apop = greeting('+OK ready <1.2@host>');

  it('uses APOP only when the greeting offers it and the settings allow it', () => {
    const c = caps('USER', 'SASL PLAIN');
    expect(chooseMechanism({ user: 'a', password: 'p', allowApop: true }, { greeting: apop, capabilities: c, server })).toBe('APOP');
    expect(chooseMechanism({ user: 'a', password: 'p' }, { greeting: apop, capabilities: c, server })).toBe('PLAIN');
    expect(chooseMechanism({ user: 'a', password: 'p', allowApop: true }, { greeting: plain, capabilities: c, server })).toBe('PLAIN');
  });

  it('prefers SASL PLAIN, then falls back to USER/PASS (also without CAPA)', () => {
    expect(chooseMechanism({ user: 'a', password: 'p' }, { greeting: plain, capabilities: caps('USER', 'SASL LOGIN plain'), server })).toBe('PLAIN');
    expect(chooseMechanism({ user: 'a', password: 'p' }, { greeting: plain, capabilities: caps('USER', 'SASL CRAM-MD5'), server })).toBe('USER');
    expect(chooseMechanism({ user: 'a', password: 'p' }, { greeting: plain, capabilities: undefined, server })).toBe('USER');
  });

  it('uses XOAUTH2 for a token, and refuses when the server does not offer it', () => {
    expect(chooseMechanism({ user: 'a', accessToken: 't' }, { greeting: plain, capabilities: caps('SASL PLAIN XOAUTH2'), server })).toBe('XOAUTH2');
    let err: unknown;
    try {
      chooseMechanism({ user: 'a', accessToken: 't' }, { greeting: plain, capabilities: caps('SASL PLAIN'), server });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PosternError);
    expect((err as PosternError).code).toBe('AUTH_FAILED');
  });

  it('uses a method the settings force, if it can work at all', () => {
    const c = caps('USER', 'SASL PLAIN');
    expect(chooseMechanism({ user: 'a', password: 'p', method: 'USER' }, { greeting: plain, capabilities: c, server })).toBe('USER');
    expect(chooseMechanism({ user: 'a', password: 'p', method: 'APOP' }, { greeting: apop, capabilities: c, server })).toBe('APOP');
    const codeOf = (fn: () => unknown): string | undefined => {
      try {
        fn();
      } catch (e) {
        return (e as PosternError).code;
      }
      return undefined;
    };
    expect(codeOf(() => chooseMechanism({ user: 'a', password: 'p', method: 'APOP' }, { greeting: plain, capabilities: c, server }))).toBe('AUTH_FAILED');
    expect(codeOf(() => chooseMechanism({ user: 'a', password: 'p', method: 'XOAUTH2' }, { greeting: plain, capabilities: c, server }))).toBe('BAD_INPUT');
  });
});
