// The renderer's client over an in-memory PreloadApi (the shape Electron's
// preload and the web bridge both provide): answers that break the contract
// become errors, engine errors keep their code and words, cancelling reaches
// the transport.
import { describe, expect, it } from 'vitest';
import type { Envelope, PreloadApi } from '../../../../src-protocol/contract/index.ts';
import { IpcError, createClient } from '../../../../renderer/ipc/client.ts';

function transport(answer: (name: string, input: unknown) => unknown): PreloadApi & { cancelled: number[]; emit: (name: string, p: unknown) => void } {
  const listeners = new Map<string, Set<(p: unknown) => void>>();
  const cancelled: number[] = [];
  return {
    cancelled,
    call: (_id, name, input) => Promise.resolve(answer(name, input) as Envelope<unknown>),
    cancel: (id) => void cancelled.push(id),
    subscribe(name, l) {
      const set = listeners.get(name) ?? new Set();
      listeners.set(name, set);
      set.add(l);
      return () => set.delete(l);
    },
    emit: (name, p) => listeners.get(name)?.forEach((l) => l(p)),
  };
}

const account = {
  id: 'alice',
  name: 'Alice',
  email: 'alice@example.test',
  user: 'alice',
  kind: 'imap',
  imap: { host: '127.0.0.1', port: 993, security: 'tls' },
  pop3: null,
  smtp: { host: '127.0.0.1', port: 587, security: 'starttls' },
  has_custom_ca: false,
  identities: [{ name: 'Alice', address: 'alice@example.test', signature: '' }],
};

async function failure(p: Promise<unknown>): Promise<IpcError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof IpcError) return err;
    throw err;
  }
  throw new Error('expected the call to fail');
}

describe('IPC client', () => {
  it('returns answers that match the contract', async () => {
    const client = createClient(transport(() => ({ ok: true, value: [account] })));
    expect(await client.call('mail:accounts.list', {})).toEqual([account]);
    expect(await client.calls['mail:accounts.list']({})).toEqual([account]);
  });

  it('turns an answer that breaks the contract into a PROTOCOL error', async () => {
    const client = createClient(transport(() => ({ ok: true, value: [{ ...account, imap: { host: 'x', port: 'nope' } }] })));
    const err = await failure(client.call('mail:accounts.list', {}));
    expect(err.code).toBe('PROTOCOL');
    expect(err.message).toMatch(/mail:accounts\.list/);
  });

  it('turns a malformed envelope into a PROTOCOL error', async () => {
    const client = createClient(transport(() => 'hello'));
    expect((await failure(client.call('mail:accounts.list', {}))).code).toBe('PROTOCOL');
  });

  it("keeps the engine's error code and words", async () => {
    const client = createClient(
      transport(() => ({ ok: false, error: { code: 'AUTH_FAILED', message: 'The IMAP server refused: Authentication failed.' } })),
    );
    const err = await failure(client.call('mail:folders.list', { account_id: 'alice' }));
    expect(err.code).toBe('AUTH_FAILED');
    expect(err.message).toBe('The IMAP server refused: Authentication failed.');
  });

  it('maps an unknown error code to INTERNAL', async () => {
    const client = createClient(transport(() => ({ ok: false, error: { code: 'WHATEVER', message: 'boom' } })));
    expect((await failure(client.call('mail:accounts.list', {}))).code).toBe('INTERNAL');
  });

  it('refuses bad input before it leaves, naming the field', async () => {
    let calls = 0;
    const client = createClient(
      transport(() => {
        calls++;
        return { ok: true, value: account };
      }),
    );
    const err = await failure(
      client.call('mail:accounts.add', {
        name: 'A',
        email: 'alice@example.test',
        user: 'alice',
        password: 'pw',
        imap: { host: 'bad host name', port: 993, security: 'tls' },
        smtp: { host: '127.0.0.1', port: 587, security: 'starttls' },
      }),
    );
    expect(err.code).toBe('BAD_INPUT');
    expect(err.field).toBe('imap.host');
    expect(calls).toBe(0);
  });

  it('cancels through the transport when the signal aborts', async () => {
    const t = transport(() => new Promise(() => undefined));
    t.call = () => new Promise(() => undefined);
    const client = createClient(t);
    const ac = new AbortController();
    const pending = client.call('mail:sync.folder', { account_id: 'alice' }, { signal: ac.signal });
    ac.abort();
    expect((await failure(pending)).code).toBe('CANCELLED');
    expect(t.cancelled).toHaveLength(1);
  });

  it('delivers events that match the contract and drops the rest', () => {
    const t = transport(() => null);
    const client = createClient(t);
    const seen: unknown[] = [];
    const off = client.on('mail:progress', (p) => seen.push(p));
    const good = { task: 'sync', account_id: 'alice', folder: 'INBOX', phase: 'headers', done: 1, total: 4 };
    t.emit('mail:progress', good);
    t.emit('mail:progress', { ...good, done: -1 });
    off();
    t.emit('mail:progress', good);
    expect(seen).toEqual([good]);
  });
});
