import { afterEach, describe, expect, it } from 'vitest';
import type { IpcMain, WebContents } from 'electron';
import { bindContract } from '../../../electron/ipc-binding.ts';
import { isTrustedFrame } from '../../../electron/app-origin.ts';
import { CALL_NAMES } from '../../../src-protocol/contract/contract.ts';
import { IPC_CHANNELS } from '../../../src-protocol/contract/preload-api.ts';
import { PosternError } from '../../../src-protocol/common/errors.ts';
import { createDispatcher, EventHub, type CallContext, type Handlers } from '../../../src-protocol/service/dispatcher.ts';
import type { Dispatcher } from '../../../src-protocol/service/dispatcher-types.ts';
import { FakeIpcMain, FakeWebContents, ipcEvent, subFrame, topFrame } from './fake-electron.ts';

const APP_PAGE = 'postern://app/index.html';

/** Handlers of the real dispatcher: every call answers NOT_FOUND unless a test sets it. */
function handlers(overrides: Partial<Handlers> = {}): Handlers {
  const base = Object.fromEntries(
    CALL_NAMES.map((name) => [name, async () => { throw new PosternError('NOT_FOUND', `${name} is not set up in this test`); }]),
  ) as unknown as Handlers;
  return { ...base, ...overrides };
}

interface Rig {
  ipc: FakeIpcMain;
  events: EventHub;
  contents: FakeWebContents;
  calls: string[];
  dispose: () => void;
}

const rigs: Rig[] = [];

function rig(overrides: Partial<Handlers> = {}, dispatcherOverride?: Dispatcher): Rig {
  const ipc = new FakeIpcMain();
  const events = new EventHub();
  const calls: string[] = [];
  const real = createDispatcher(handlers(overrides), events);
  // Counts what reaches the dispatcher; forwards to the real one.
  const dispatcher: Dispatcher = dispatcherOverride ?? {
    call: (name, input, signal) => {
      calls.push(name);
      return real.call(name, input, signal);
    },
    onEvent: (listener) => real.onEvent(listener),
    close: () => real.close(),
  };
  const contents = new FakeWebContents();
  const dispose = bindContract(
    ipc as unknown as IpcMain,
    dispatcher,
    isTrustedFrame,
    () => contents as unknown as WebContents,
  );
  const r = { ipc, events, contents, calls, dispose };
  rigs.push(r);
  return r;
}

afterEach(() => {
  for (const r of rigs.splice(0)) r.dispose();
});

const folder = { account_id: 'home', path: 'INBOX', name: 'Inbox', delimiter: '/', special_use: 'inbox' as const, total: 3, unread: 1 };

describe('bindContract', () => {
  it('binds exactly the contract calls and the cancel channel', () => {
    const { ipc } = rig();
    expect([...ipc.handlers.keys()].sort()).toEqual([...CALL_NAMES].sort());
    expect([...ipc.listeners.keys()]).toEqual([IPC_CHANNELS.cancel]);
  });

  it('passes input through to the dispatcher and returns its envelope', async () => {
    let seen: unknown;
    const { ipc } = rig({
      'mail:folders.list': async (input) => {
        seen = input;
        return [folder];
      },
    });
    const answer = await ipc.invoke('mail:folders.list', ipcEvent(topFrame(APP_PAGE)), 7, { account_id: 'home', refresh: true });
    expect(seen).toEqual({ account_id: 'home', refresh: true });
    expect(answer).toEqual({ ok: true, value: [folder] });
  });

  it('returns the dispatcher\'s validation errors as they are', async () => {
    const { ipc } = rig();
    const answer = await ipc.invoke('mail:folders.list', ipcEvent(topFrame(APP_PAGE)), 1, { account_id: '../../etc' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });

  it.each([
    ['a destroyed frame', null],
    ['another origin', topFrame('https://evil.example/index.html')],
    ['a file: page', topFrame('file:///tmp/index.html')],
    ['another host of our scheme', topFrame('postern://evil/index.html')],
    ['a subframe of our page (a mail iframe)', subFrame('about:srcdoc')],
    ['a subframe even of our own origin', subFrame(APP_PAGE)],
  ])('refuses a call from %s with FORBIDDEN before the dispatcher sees it', async (_label, frame) => {
    const { ipc, calls } = rig({ 'mail:accounts.list': async () => [] });
    const answer = await ipc.invoke('mail:accounts.list', ipcEvent(frame), 1, {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(calls).toEqual([]);
  });

  it('cancel aborts the running call\'s signal', async () => {
    let signal: AbortSignal | undefined;
    const { ipc } = rig({
      'mail:sync.folder': (_input, ctx: CallContext) =>
        new Promise((_resolve, reject) => {
          signal = ctx.signal;
          ctx.signal.addEventListener('abort', () => reject(new PosternError('CANCELLED')));
        }),
    });
    const event = ipcEvent(topFrame(APP_PAGE));
    const pending = ipc.invoke('mail:sync.folder', event, 42, { account_id: 'home' });
    await new Promise((r) => setImmediate(r));
    expect(signal?.aborted).toBe(false);
    ipc.send(IPC_CHANNELS.cancel, event, 42);
    expect(signal?.aborted).toBe(true);
    expect(await pending).toMatchObject({ ok: false, error: { code: 'CANCELLED' } });
  });

  it('ignores a cancel from a foreign frame or for another window\'s call', async () => {
    let signal: AbortSignal | undefined;
    let finish: (() => void) | undefined;
    const { ipc } = rig({
      'mail:sync.folder': (input, ctx) =>
        new Promise((resolve) => {
          signal = ctx.signal;
          finish = () => resolve({ account_id: input.account_id, folder: input.folder, total: 0, added: 0, removed: 0, flags_changed: 0 });
        }),
    });
    const pending = ipc.invoke('mail:sync.folder', ipcEvent(topFrame(APP_PAGE), 1), 5, { account_id: 'home' });
    await new Promise((r) => setImmediate(r));
    ipc.send(IPC_CHANNELS.cancel, ipcEvent(subFrame('about:srcdoc'), 1), 5);
    ipc.send(IPC_CHANNELS.cancel, ipcEvent(topFrame('https://evil.example/'), 1), 5);
    ipc.send(IPC_CHANNELS.cancel, ipcEvent(topFrame(APP_PAGE), 2), 5);
    expect(signal?.aborted).toBe(false);
    finish?.();
    expect(await pending).toMatchObject({ ok: true });
  });

  it('refuses a second call with an id that is still running, and malformed ids', async () => {
    const { ipc } = rig({ 'mail:sync.folder': () => new Promise(() => undefined) });
    const event = ipcEvent(topFrame(APP_PAGE));
    void ipc.invoke('mail:sync.folder', event, 9, { account_id: 'home' });
    await new Promise((r) => setImmediate(r));
    expect(await ipc.invoke('mail:sync.folder', event, 9, { account_id: 'home' })).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    expect(await ipc.invoke('mail:accounts.list', event, 'x', {})).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
  });

  it('answers INTERNAL if the dispatcher breaks its promise and throws', async () => {
    const broken: Dispatcher = {
      call: async () => { throw new Error('boom'); },
      onEvent: () => () => undefined,
      close: async () => undefined,
    };
    const { ipc } = rig({}, broken);
    expect(await ipc.invoke('mail:accounts.list', ipcEvent(topFrame(APP_PAGE)), 1, {})).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'boom' },
    });
  });

  it('forwards contract events to the window, but only while it shows our page', () => {
    const { events, contents } = rig();
    const progress = { task: 'sync', account_id: 'home', folder: 'INBOX', phase: 'headers', done: 1, total: 2 };
    events.emit('mail:progress', progress);
    expect(contents.sent).toEqual([{ channel: IPC_CHANNELS.event, args: ['mail:progress', progress] }]);
    contents.mainFrame = topFrame('https://evil.example/');
    events.emit('mail:progress', progress);
    contents.destroyed = true;
    contents.mainFrame = topFrame(APP_PAGE);
    events.emit('mail:progress', progress);
    expect(contents.sent).toHaveLength(1);
  });

  it('the disposer removes every handler and listener and aborts running calls', async () => {
    let signal: AbortSignal | undefined;
    const { ipc, events, contents, dispose } = rig({
      'mail:sync.folder': (_input, ctx) => new Promise(() => { signal = ctx.signal; }),
    });
    void ipc.invoke('mail:sync.folder', ipcEvent(topFrame(APP_PAGE)), 1, { account_id: 'home' });
    await new Promise((r) => setImmediate(r));
    dispose();
    expect(ipc.handlers.size).toBe(0);
    expect(ipc.listeners.size).toBe(0);
    expect(signal?.aborted).toBe(true);
    events.emit('mail:progress', { task: 'sync', account_id: 'home', folder: null, phase: 'x', done: 0, total: null });
    expect(contents.sent).toEqual([]);
    // Binding again works: nothing was left registered.
    expect(() => bindContract(ipc as unknown as IpcMain, createDispatcher(handlers(), events), isTrustedFrame)()).not.toThrow();
  });
});
