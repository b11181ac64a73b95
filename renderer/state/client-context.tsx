/** Provides the IPC client to the hooks, so a whole tree can run against any transport. */
import { createContext, useContext, type ReactNode } from 'react';
import type { IpcClient } from '../ipc/client.ts';

const ClientContext = createContext<IpcClient | null>(null);

export function ClientProvider(props: { client: IpcClient; children: ReactNode }) {
  return <ClientContext value={props.client}>{props.children}</ClientContext>;
}

export function useClient(): IpcClient {
  const client = useContext(ClientContext);
  if (!client) throw new Error('useClient() outside <ClientProvider>');
  return client;
}
