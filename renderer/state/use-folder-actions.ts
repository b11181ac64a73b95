/**
 * Creating, renaming and deleting folders. Each call goes to the server
 * (local folders for POP3 accounts) and then the account's folder list is
 * reloaded. Errors reject with the IpcError, for the dialog to show.
 */
import { useCallback } from 'react';
import { useClient } from './client-context.tsx';

export interface FolderActions {
  create: (accountId: string, path: string) => Promise<string>;
  rename: (accountId: string, path: string, newPath: string) => Promise<string>;
  remove: (accountId: string, path: string) => Promise<void>;
}

export function useFolderActions(reload: (accountId: string, refresh: boolean) => Promise<void>): FolderActions {
  const client = useClient();
  const create = useCallback(
    async (accountId: string, path: string) => {
      const r = await client.call('mail:folders.create', { account_id: accountId, path });
      await reload(accountId, false);
      return r.path;
    },
    [client, reload],
  );
  const rename = useCallback(
    async (accountId: string, path: string, newPath: string) => {
      const r = await client.call('mail:folders.rename', { account_id: accountId, path, new_path: newPath });
      await reload(accountId, false);
      return r.path;
    },
    [client, reload],
  );
  const remove = useCallback(
    async (accountId: string, path: string) => {
      await client.call('mail:folders.delete', { account_id: accountId, path });
      await reload(accountId, false);
    },
    [client, reload],
  );
  return { create, rename, remove };
}
