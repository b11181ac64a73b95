import { describe, expect, it } from 'vitest';
import { envVariable, hostPort, positiveInt, required, security } from '../../../../src-protocol/cli/args.ts';
import { PosternError } from '../../../../src-protocol/common/errors.ts';

function badInput(fn: () => unknown): PosternError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(PosternError);
    expect((err as PosternError).code).toBe('BAD_INPUT');
    return err as PosternError;
  }
  throw new Error('expected BAD_INPUT');
}

describe('hostPort', () => {
  it('reads HOST:PORT for names and IPv4', () => {
    expect(hostPort('imap.example.com:993', '--imap')).toEqual({ host: 'imap.example.com', port: 993 });
    expect(hostPort('127.0.0.1:1143', '--imap')).toEqual({ host: '127.0.0.1', port: 1143 });
    expect(hostPort('localhost:1', '--smtp')).toEqual({ host: 'localhost', port: 1 });
    expect(hostPort('mx:65535', '--smtp')).toEqual({ host: 'mx', port: 65535 });
  });

  it('reads [IPv6]:PORT and drops the brackets', () => {
    expect(hostPort('[::1]:993', '--imap')).toEqual({ host: '::1', port: 993 });
    expect(hostPort('[2001:db8::25]:587', '--smtp')).toEqual({ host: '2001:db8::25', port: 587 });
  });

  it('refuses anything else with BAD_INPUT that names the flag and shows an example', () => {
    const bad = [
      undefined, '', 'imap.example.com', 'imap.example.com:', ':993', 'imap.example.com:0', 'imap.example.com:65536',
      'imap.example.com:99999', 'imap.example.com:123456', 'imap.example.com:-1', 'imap.example.com:99a',
      '::1:993', '[::1]', 'imap example.com:993', 'imap.example.com:993 ', 'a:b:993',
    ];
    for (const value of bad) {
      const err = badInput(() => hostPort(value, '--imap'));
      expect(err.message, String(value)).toContain('--imap takes HOST:PORT');
    }
  });
});

describe('security', () => {
  it('defaults to implicit TLS on the implicit-TLS ports (IMAP 993, SMTP 465), STARTTLS elsewhere', () => {
    expect(security(undefined, '--imap-security', 993, [993])).toBe('tls');
    expect(security(undefined, '--smtp-security', 465, [465])).toBe('tls');
    expect(security(undefined, '--imap-security', 143, [993])).toBe('starttls');
    expect(security(undefined, '--smtp-security', 587, [465])).toBe('starttls');
    // A port is implicit only for its own protocol.
    expect(security(undefined, '--smtp-security', 993, [465])).toBe('starttls');
  });

  it('an explicit choice wins over the port', () => {
    expect(security('starttls', '--imap-security', 993, [993])).toBe('starttls');
    expect(security('tls', '--smtp-security', 587, [465])).toBe('tls');
  });

  it('never offers plain text: any other value is BAD_INPUT naming the flag', () => {
    for (const value of ['none', 'plain', 'ssl', 'TLS', '']) {
      expect(badInput(() => security(value, '--imap-security', 143, [993])).message).toContain('--imap-security');
    }
  });
});

describe('required, positiveInt, envVariable', () => {
  it('required refuses a missing or empty value, naming the flag', () => {
    expect(required('x', '--name')).toBe('x');
    expect(badInput(() => required(undefined, '--name')).message).toBe('--name is required.');
    badInput(() => required('', '--email'));
  });

  it('positiveInt takes whole numbers from 1 up, or the fallback when absent', () => {
    expect(positiveInt(undefined, '--limit', 50)).toBe(50);
    expect(positiveInt('1', '--limit', 50)).toBe(1);
    expect(positiveInt('250', '--limit', 50)).toBe(250);
    for (const value of ['0', '-3', '1.5', 'ten', '', 'NaN', 'Infinity', '9007199254740993']) {
      expect(badInput(() => positiveInt(value, '--limit', 50)).message, value).toContain('--limit');
    }
  });

  it('envVariable takes a variable name, never a value', () => {
    expect(envVariable(undefined)).toBeUndefined();
    expect(envVariable('POSTERN_PASSWORD')).toBe('POSTERN_PASSWORD');
    expect(envVariable('_pw2')).toBe('_pw2');
    for (const value of ['', '2PW', 'my password', 'PW=secret', 'a-b', '$PW']) {
      badInput(() => envVariable(value));
    }
  });
});
