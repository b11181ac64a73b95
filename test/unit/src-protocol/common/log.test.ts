import { describe, expect, it } from 'vitest';
import { createLogger, redact, type LogLevel } from '../../../../src-protocol/common/log.ts';

const SECRET = 'hunter2-very-secret';

/** A logger whose lines are collected and parsed. */
function capture(level: LogLevel, base: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const logger = createLogger(base, (line) => lines.push(line), level);
  const records = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  return { logger, lines, records };
}

describe('redact', () => {
  it('hides passwords, tokens, secrets and message content by key, at any depth', () => {
    const input = {
      user: 'alice',
      password: SECRET,
      pass: SECRET,
      auth: { user: 'alice', pass: SECRET },
      nested: { deeper: { token: SECRET, accessToken: SECRET, clientSecret: SECRET, keep: 'visible' } },
      list: [{ credential: SECRET }, { html: `<p>${SECRET}</p>` }, { ok: 1 }],
      message: { text: SECRET, body: SECRET, raw: SECRET, content: SECRET, subjectLength: 12 },
    };
    const out = redact(input);
    expect(JSON.stringify(out)).not.toContain(SECRET);
    expect(out).toEqual({
      user: 'alice',
      password: '[redacted]',
      pass: '[redacted]',
      auth: '[redacted]',
      nested: { deeper: { token: '[redacted]', accessToken: '[redacted]', clientSecret: '[redacted]', keep: 'visible' } },
      list: [{ credential: '[redacted]' }, { html: '[redacted]' }, { ok: 1 }],
      message: { text: '[redacted]', body: '[redacted]', raw: '[redacted]', content: '[redacted]', subjectLength: 12 },
    });
  });

  it('matches keys whatever their case', () => {
    expect(redact({ PASSWORD: SECRET, Token: SECRET, X_Auth_Header: SECRET })).toEqual({
      PASSWORD: '[redacted]', Token: '[redacted]', X_Auth_Header: '[redacted]',
    });
  });

  it('does not follow structures deeper than it can check, so nothing below leaks', () => {
    let deep: Record<string, unknown> = { password: SECRET, note: SECRET };
    for (let i = 0; i < 20; i++) deep = { level: i, child: deep };
    expect(JSON.stringify(redact(deep))).not.toContain(SECRET);
  });

  it('survives a cycle', () => {
    const a: Record<string, unknown> = { name: 'a' };
    a['self'] = a;
    expect(() => JSON.stringify(redact(a))).not.toThrow();
  });

  it('turns an Error into name, message and code, dropping everything else it carries', () => {
    const err = Object.assign(new Error('Command failed'), { code: 'EAUTH', response: '535 denied', pass: SECRET, command: `AUTH PLAIN ${SECRET}` });
    expect(redact({ err })).toEqual({ err: { name: 'Error', message: 'Command failed', code: 'EAUTH' } });
  });

  it('leaves plain values alone', () => {
    expect(redact('text')).toBe('text');
    expect(redact(42)).toBe(42);
    expect(redact(null)).toBeNull();
    expect(redact([1, 'a'])).toEqual([1, 'a']);
  });
});

describe('createLogger', () => {
  it('writes one JSON object a line with time, level, message and redacted fields', () => {
    const { logger, lines, records } = capture('debug', { component: 'sync' });
    logger.warn('login failed', { account: 'work', password: SECRET, detail: { token: SECRET } });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(lines[0]).not.toContain(SECRET);
    const [record] = records();
    expect(record).toMatchObject({
      level: 'warn', msg: 'login failed', component: 'sync', account: 'work', password: '[redacted]', detail: { token: '[redacted]' },
    });
    expect(new Date(String(record?.['t'])).toISOString()).toBe(record?.['t']);
  });

  it('drops lines below its level', () => {
    const { logger, records } = capture('warn');
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');
    expect(records().map((r) => [r['level'], r['msg']])).toEqual([['warn', 'w'], ['error', 'e']]);

    const all = capture('debug');
    all.logger.debug('d');
    all.logger.info('i');
    expect(all.records().map((r) => r['level'])).toEqual(['debug', 'info']);

    const quiet = capture('error');
    quiet.logger.warn('w');
    expect(quiet.lines).toEqual([]);
  });

  it('an unknown level falls back to warn', () => {
    const { logger, records } = capture('verbose' as LogLevel);
    logger.info('i');
    logger.warn('w');
    expect(records().map((r) => r['msg'])).toEqual(['w']);
  });

  it('a child adds its fields, keeps the level and redacts its fields too', () => {
    const { logger, records } = capture('info', { component: 'engine' });
    const child = logger.child({ account: 'work', token: SECRET });
    child.debug('hidden');
    child.info('syncing', { folder: 'INBOX' });
    const [record] = records();
    expect(records()).toHaveLength(1);
    expect(record).toMatchObject({ component: 'engine', account: 'work', token: '[redacted]', folder: 'INBOX', msg: 'syncing' });
  });

  it('the level comes from POSTERN_LOG when none is given', () => {
    const saved = process.env['POSTERN_LOG'];
    process.env['POSTERN_LOG'] = 'debug';
    try {
      const lines: string[] = [];
      createLogger({}, (l) => lines.push(l)).debug('seen');
      expect(lines).toHaveLength(1);
    } finally {
      if (saved === undefined) delete process.env['POSTERN_LOG'];
      else process.env['POSTERN_LOG'] = saved;
    }
  });
});
