/**
 * The sandboxed preload: exposes `window.postern` (PreloadApi) through
 * contextBridge and nothing else. Only contract names pass; ipcRenderer and
 * IPC event objects never reach the page. Bundled by esbuild into one
 * CommonJS file, because a sandboxed preload can require only 'electron'.
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRenderer, IpcRendererEvent } from 'electron';
import { EVENT_NAMES, isCallName } from '../src-protocol/contract/contract.ts';
import type { Envelope } from '../src-protocol/contract/envelope.ts';
import { IPC_CHANNELS, type PreloadApi } from '../src-protocol/contract/preload-api.ts';

type IpcRendererLike = Pick<IpcRenderer, 'invoke' | 'send' | 'on' | 'removeListener'>;

function isEventName(name: unknown): boolean {
  return typeof name === 'string' && (EVENT_NAMES as readonly string[]).includes(name);
}

function isCallId(id: unknown): id is number {
  return typeof id === 'number' && Number.isSafeInteger(id) && id >= 0;
}

export function createPreloadApi(ipc: IpcRendererLike): PreloadApi {
  return {
    async call(id: number, name: string, input: unknown): Promise<Envelope<unknown>> {
      if (!isCallName(name)) {
        return { ok: false, error: { code: 'FORBIDDEN', message: `"${String(name)}" is not a call of the contract.` } };
      }
      if (!isCallId(id)) {
        return { ok: false, error: { code: 'BAD_INPUT', message: 'The call id must be a non-negative integer.' } };
      }
      try {
        return (await ipc.invoke(name, id, input)) as Envelope<unknown>;
      } catch (err) {
        return { ok: false, error: { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) } };
      }
    },

    cancel(id: number): void {
      if (isCallId(id)) ipc.send(IPC_CHANNELS.cancel, id);
    },

    subscribe(name: string, listener: (payload: unknown) => void): () => void {
      if (!isEventName(name)) throw new Error(`"${String(name)}" is not an event of the contract.`);
      if (typeof listener !== 'function') throw new TypeError('listener must be a function');
      // The IPC event object stays here: it carries `sender`, which is ipcRenderer.
      const relay = (_event: IpcRendererEvent, eventName: unknown, payload: unknown): void => {
        if (eventName === name) listener(payload);
      };
      ipc.on(IPC_CHANNELS.event, relay);
      let active = true;
      return () => {
        if (!active) return;
        active = false;
        ipc.removeListener(IPC_CHANNELS.event, relay);
      };
    },
  };
}

contextBridge.exposeInMainWorld('postern', createPreloadApi(ipcRenderer));
