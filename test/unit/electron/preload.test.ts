import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { PreloadApi } from '../../../src-protocol/contract/preload-api.ts';
import { IPC_CHANNELS } from '../../../src-protocol/contract/preload-api.ts';
import { contextBridge, ipcRenderer } from './fake-electron.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

await import('../../../electron/preload.ts');

function exposed(): { key: string; api: PreloadApi } {
  expect(contextBridge.exposeInMainWorld).toHaveBeenCalledTimes(1);
  const [key, api] = contextBridge.exposeInMainWorld.mock.calls[0] ?? [];
  return { key: key as string, api: api as PreloadApi };
}

beforeEach(() => {
  ipcRenderer.invoked.length = 0;
  ipcRenderer.sentMessages.length = 0;
  ipcRenderer.removeAllListeners();
  ipcRenderer.answer = async () => ({ ok: true, value: [] });
});

describe('preload', () => {
  it('exposes window.postern with call, cancel and subscribe only — never ipcRenderer', () => {
    const { key, api } = exposed();
    expect(key).toBe('postern');
    expect(Object.keys(api).sort()).toEqual(['call', 'cancel', 'subscribe']);
    expect(Object.values(api).every((v) => typeof v === 'function')).toBe(true);
    expect(Object.values(api)).not.toContain(ipcRenderer);
  });

  it('invokes a contract call with its id and input and returns the envelope', async () => {
    const { api } = exposed();
    ipcRenderer.answer = async (_channel, _id, input) => ({ ok: true, value: { echoed: input } });
    const answer = await api.call(3, 'mail:folders.list', { account_id: 'home' });
    expect(ipcRenderer.invoked).toEqual([{ channel: 'mail:folders.list', args: [3, { account_id: 'home' }] }]);
    expect(answer).toEqual({ ok: true, value: { echoed: { account_id: 'home' } } });
  });

  it.each([IPC_CHANNELS.cancel, IPC_CHANNELS.event, 'mail:progress', 'mail:nope', '__proto__', 'constructor'])(
    'refuses "%s", which is not a contract call, without sending anything',
    async (name) => {
      const { api } = exposed();
      expect(await api.call(1, name, {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
      expect(ipcRenderer.invoked).toEqual([]);
    },
  );

  it('turns a failed invoke into an error envelope', async () => {
    const { api } = exposed();
    ipcRenderer.answer = async () => { throw new Error('renderer went away'); };
    expect(await api.call(1, 'mail:accounts.list', {})).toEqual({
      ok: false,
      error: { code: 'INTERNAL', message: 'renderer went away' },
    });
  });

  it('cancel sends the id on the cancel channel', () => {
    const { api } = exposed();
    api.cancel(8);
    api.cancel(Number.NaN);
    expect(ipcRenderer.sentMessages).toEqual([{ channel: IPC_CHANNELS.cancel, args: [8] }]);
  });

  it('subscribe delivers only its event\'s payload, never the IPC event object', () => {
    const { api } = exposed();
    const received: unknown[][] = [];
    const stop = api.subscribe('mail:progress', (...args: unknown[]) => received.push(args));
    const ipcEventObject = { sender: ipcRenderer };
    ipcRenderer.emit(IPC_CHANNELS.event, ipcEventObject, 'mail:progress', { done: 1 });
    ipcRenderer.emit(IPC_CHANNELS.event, ipcEventObject, 'app:command', { command: 'new-message' });
    expect(received).toEqual([[{ done: 1 }]]);
    stop();
    ipcRenderer.emit(IPC_CHANNELS.event, ipcEventObject, 'mail:progress', { done: 2 });
    expect(received).toHaveLength(1);
    expect(ipcRenderer.listenerCount(IPC_CHANNELS.event)).toBe(0);
  });

  it('refuses to subscribe to names that are not contract events', () => {
    const { api } = exposed();
    expect(() => api.subscribe('mail:accounts.list', () => undefined)).toThrow(/not an event/);
    expect(() => api.subscribe(IPC_CHANNELS.cancel, () => undefined)).toThrow(/not an event/);
    expect(ipcRenderer.listenerCount(IPC_CHANNELS.event)).toBe(0);
  });
});
