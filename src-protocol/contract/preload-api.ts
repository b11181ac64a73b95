/**
 * What the Electron preload exposes as `window.postern` through
 * contextBridge. Only contract names pass; ipcRenderer itself never does.
 * The web bridge's client offers the same shape over a WebSocket, so the
 * renderer has one client for both transports.
 */
import type { Envelope } from './envelope.ts';

export interface PreloadApi {
  /** `id` is chosen by the caller so that the call can be cancelled. */
  call(id: number, name: string, input: unknown): Promise<Envelope<unknown>>;
  cancel(id: number): void;
  /** Listens to one contract event; returns the function that stops it. */
  subscribe(name: string, listener: (payload: unknown) => void): () => void;
}

/** Electron IPC channel names besides the contract's own call names. */
export const IPC_CHANNELS = {
  cancel: 'postern:cancel',
  event: 'postern:event',
} as const;

/** The web bridge's paths; the token travels in the page URL's #fragment. */
export const BRIDGE_PATHS = {
  socket: '/ipc',
} as const;
