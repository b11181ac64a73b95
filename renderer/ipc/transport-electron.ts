/**
 * The Electron transport: the preload exposes `window.postern` (a PreloadApi)
 * through contextBridge. Nothing to build here, only to find it.
 */
import type { PreloadApi } from '../../src-protocol/contract/index.ts';

declare global {
  interface Window {
    postern?: PreloadApi;
  }
}

export function electronTransport(): PreloadApi | null {
  const api = window.postern;
  if (api && typeof api.call === 'function' && typeof api.subscribe === 'function') return api;
  return null;
}
