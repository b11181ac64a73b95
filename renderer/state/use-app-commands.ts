/**
 * Commands from the app's own menu (Electron's File menu and its shortcuts),
 * which arrive as `app:command` events rather than as key presses in the page.
 */
import { useEffect, useRef } from 'react';
import type { EventPayload } from '../../src-protocol/contract/index.ts';
import { useClient } from './client-context.tsx';

export type AppCommand = EventPayload<'app:command'>['command'];

export function useAppCommands(handlers: Partial<Record<AppCommand, () => void>>): void {
  const client = useClient();
  // The latest handlers, without re-subscribing on every render.
  const current = useRef(handlers);
  current.current = handlers;
  useEffect(() => client.on('app:command', ({ command }) => current.current[command]?.()), [client]);
}
