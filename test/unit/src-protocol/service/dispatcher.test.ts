import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EnvCredentialStore } from '../../../../src-protocol/accounts/credentials.ts';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { createLogger } from '../../../../src-protocol/common/log.ts';
import { CALL_NAMES, type CallOutput, type CallParsedInput } from '../../../../src-protocol/contract/contract.ts';
import { createDispatcher, EventHub, type CallContext, type Handlers } from '../../../../src-protocol/service/dispatcher.ts';
import { createInProcessEngine, type InProcessEngine } from '../../../../src-protocol/service/engine.ts';

const ACCOUNT = {
  id: 'work', name: 'Work', email: 'me@example.test', user: 'me', kind: 'imap' as const,
  imap: { host: 'imap.example.test', port: 993, security: 'tls' as const },
  pop3: null,
  smtp: { host: 'smtp.example.test', port: 465, security: 'tls' as const },
  has_custom_ca: false,
  identities: [{ name: 'Work', address: 'me@example.test', signature: '' }],
};

/** Every handler fails loudly; a test gives real ones for the calls it exercises. */
function handlers(overrides: Partial<Handlers>): Handlers {
  const failing = Object.fromEntries(CALL_NAMES.map((name) => [name, async () => {
    throw new Error(`${name} must not be called in this test`);
  }])) as unknown as Handlers;
  return { ...failing, ...overrides };
}

/** A logger whose lines the test can read. */
function capturedLogger() {
  const lines: string[] = [];
  return { lines, logger: createLogger({}, (l) => lines.push(l), 'debug') };
}

describe('createDispatcher over the real MailService', () => {
  let dir: string;
  let engine: InProcessEngine;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'postern-dispatch-'));
    engine = createInProcessEngine({
      profileDir: join(dir, 'profile'), credentials: new EnvCredentialStore({}), logger: capturedLogger().logger,
    });
  });

  afterEach(async () => {
    await engine.dispatcher.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('mail:accounts.list on a fresh profile answers an empty list (input may be left out)', async () => {
    expect(await engine.dispatcher.call('mail:accounts.list', {})).toEqual({ ok: true, value: [] });
    expect(await engine.dispatcher.call('mail:accounts.list', undefined)).toEqual({ ok: true, value: [] });
  });

  it('mail:messages.list for an unknown account is NOT_FOUND naming it', async () => {
    const result = await engine.dispatcher.call('mail:messages.list', { account_id: 'nobody' });
    expect(result).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(!result.ok && result.error.message).toContain('nobody');
  });

  it('mail:messages.get for an unknown message is NOT_FOUND', async () => {
    expect(await engine.dispatcher.call('mail:messages.get', { id: 12345 })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
  });

  it('an unknown call name is BAD_INPUT, and so are names that only look like one', async () => {
    for (const name of ['mail:nope', '', 'mail:progress', 'constructor', '__proto__', 'toString']) {
      const result = await engine.dispatcher.call(name, {});
      expect(result, name).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
    const long = await engine.dispatcher.call(`mail:${'x'.repeat(5000)}`, {});
    expect(!long.ok && long.error.message.length).toBeLessThan(200);
  });

  it('invalid input is BAD_INPUT naming the field path', async () => {
    const badId = await engine.dispatcher.call('mail:messages.list', { account_id: 'Not An Id!' });
    expect(badId).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(!badId.ok && badId.error.message).toMatch(/mail:messages\.list \(account_id\)/);

    const badPort = await engine.dispatcher.call('mail:accounts.add', {
      name: 'Work', email: 'me@example.test', user: 'me', password: 'pw',
      imap: { host: 'imap.example.test', port: 0, security: 'tls' },
      smtp: { host: 'smtp.example.test', port: 465, security: 'tls' },
    });
    expect(!badPort.ok && badPort.error).toMatchObject({ code: 'BAD_INPUT', message: expect.stringContaining('(imap.port)') });

    const badFlag = await engine.dispatcher.call('mail:messages.setFlags', { id: 1, add: ['\\Seen', 'bad flag'] });
    expect(!badFlag.ok && badFlag.error.message).toContain('(add.1)');

    for (const input of [null, 'text', 42, [], { id: -1 }, { id: 1.5 }, { id: '1' }]) {
      expect(await engine.dispatcher.call('mail:messages.get', input), JSON.stringify(input)).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    }
  });
});

describe('createDispatcher with hand-built handlers', () => {
  it('passes validated input with the contract\'s defaults filled in', async () => {
    let seen: CallParsedInput<'mail:messages.list'> | undefined;
    const dispatcher = createDispatcher(handlers({
      'mail:messages.list': async (input) => {
        seen = input;
        return [];
      },
    }), new EventHub());
    expect(await dispatcher.call('mail:messages.list', { account_id: 'work' })).toEqual({ ok: true, value: [] });
    expect(seen).toEqual({ account_id: 'work', folder: 'INBOX', sort: 'date', descending: true, limit: 500, offset: 0 });
  });

  it('an answer outside the contract is INTERNAL, logged, and never reaches the caller', async () => {
    const { lines, logger } = capturedLogger();
    const dispatcher = createDispatcher(handlers({
      'mail:accounts.list': async () => [{ ...ACCOUNT, imap: { ...ACCOUNT.imap, port: 'nine' } }] as unknown as CallOutput<'mail:accounts.list'>,
    }), new EventHub(), logger);
    const result = await dispatcher.call('mail:accounts.list', {});
    expect(result).toEqual({ ok: false, error: { code: 'INTERNAL', message: 'Postern produced an invalid answer for mail:accounts.list.' } });
    expect(lines.join('\n')).toContain('mail:accounts.list');
  });

  it('fields the contract does not declare are stripped from answers', async () => {
    const dispatcher = createDispatcher(handlers({
      'mail:accounts.list': async () => [{ ...ACCOUNT, password: 'leaked?', credential: { kind: 'session' } }] as unknown as CallOutput<'mail:accounts.list'>,
    }), new EventHub());
    const result = await dispatcher.call('mail:accounts.list', {});
    expect(result).toEqual({ ok: true, value: [ACCOUNT] });
    expect(JSON.stringify(result)).not.toContain('leaked?');
  });

  it('a PosternError keeps its code and message; anything else is INTERNAL and logged', async () => {
    const { lines, logger } = capturedLogger();
    const dispatcher = createDispatcher(handlers({
      'mail:accounts.list': async () => {
        throw new PosternError('AUTH_FAILED', 'imap.example.test refused the password.');
      },
      'mail:folders.list': async () => {
        throw new TypeError('undefined is not a function');
      },
    }), new EventHub(), logger);
    expect(await dispatcher.call('mail:accounts.list', {})).toEqual({
      ok: false, error: { code: 'AUTH_FAILED', message: 'imap.example.test refused the password.' },
    });
    expect(await dispatcher.call('mail:folders.list', { account_id: 'work' })).toEqual({
      ok: false, error: { code: 'INTERNAL', message: 'undefined is not a function' },
    });
    expect(lines.some((l) => l.includes('mail:folders.list'))).toBe(true);
  });

  it('an abort before the call is CANCELLED and the handler never runs', async () => {
    let ran = false;
    const dispatcher = createDispatcher(handlers({
      'mail:accounts.list': async () => {
        ran = true;
        return [];
      },
    }), new EventHub());
    const controller = new AbortController();
    controller.abort();
    expect(await dispatcher.call('mail:accounts.list', {}, controller.signal)).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(ran).toBe(false);
  });

  it('an abort during the call is CANCELLED, and the handler sees the signal', async () => {
    let signalSeen: AbortSignal | undefined;
    const dispatcher = createDispatcher(handlers({
      'mail:sync.folder': async (_input, ctx: CallContext) => {
        signalSeen = ctx.signal;
        await new Promise((resolve) => setTimeout(resolve, 20));
        ctx.signal.throwIfAborted();
        throw new Error('should not get here');
      },
    }), new EventHub());
    const controller = new AbortController();
    const pending = dispatcher.call('mail:sync.folder', { account_id: 'work' }, controller.signal);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
    expect(signalSeen?.aborted).toBe(true);
  });

  it('forwards events to listeners until they stop, and close() clears them and runs onClose', async () => {
    const events = new EventHub();
    let closed = 0;
    const dispatcher = createDispatcher(handlers({}), events, undefined, async () => {
      closed++;
    });
    const a: unknown[] = [];
    const b: unknown[] = [];
    const stopA = dispatcher.onEvent((name, payload) => a.push([name, payload]));
    dispatcher.onEvent((name, payload) => b.push([name, payload]));
    const progress = { task: 'sync', account_id: 'work', folder: 'INBOX', phase: 'headers', done: 1, total: 2 };
    events.emit('mail:progress', progress);
    stopA();
    events.emit('mail:progress', { ...progress, done: 2 });
    expect(a).toEqual([['mail:progress', progress]]);
    expect(b).toHaveLength(2);

    await dispatcher.close();
    events.emit('mail:progress', progress);
    expect(b).toHaveLength(2);
    expect(closed).toBe(1);
  });
});
