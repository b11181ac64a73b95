/** The configured accounts, and adding one. */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AccountAddInput, AccountSummary, Identity } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import { LOADING, type Loadable } from '../lib/loadable.ts';
import { useClient } from './client-context.tsx';

export interface AccountsState {
  accounts: Loadable<AccountSummary[]>;
  reload: () => void;
  /** Rejects with the IpcError so the form can show it where it happened. */
  add: (input: AccountAddInput) => Promise<AccountSummary>;
  /** The account's From addresses and signatures (mail:identities.set); rejects with the IpcError. */
  setIdentities: (accountId: string, identities: Identity[]) => Promise<AccountSummary>;
  replace: (account: AccountSummary) => void;
}

export function useAccounts(): AccountsState {
  const client = useClient();
  const [accounts, setAccounts] = useState<Loadable<AccountSummary[]>>(LOADING);
  const controller = useRef<AbortController | null>(null);

  const reload = useCallback(() => {
    controller.current?.abort();
    const ac = new AbortController();
    controller.current = ac;
    setAccounts((prev) => ({ ...prev, loading: true, error: null }));
    client.call('mail:accounts.list', {}, { signal: ac.signal }).then(
      (data) => {
        if (!ac.signal.aborted) setAccounts({ data, loading: false, error: null });
      },
      (err: unknown) => {
        if (!ac.signal.aborted) setAccounts((prev) => ({ ...prev, loading: false, error: toIpcError(err) }));
      },
    );
  }, [client]);

  useEffect(() => {
    reload();
    return () => controller.current?.abort();
  }, [reload]);

  const add = useCallback(
    async (input: AccountAddInput) => {
      const account = await client.call('mail:accounts.add', input);
      setAccounts((prev) => ({
        data: [...(prev.data ?? []).filter((a) => a.id !== account.id), account],
        loading: false,
        error: null,
      }));
      return account;
    },
    [client],
  );

  const setIdentities = useCallback(
    async (accountId: string, identities: Identity[]) => {
      const account = await client.call('mail:identities.set', { account_id: accountId, identities });
      setAccounts((prev) => ({ ...prev, data: (prev.data ?? []).map((a) => (a.id === account.id ? account : a)) }));
      return account;
    },
    [client],
  );

  /** Puts a newer summary of an account in place (after a sign-in, say). */
  const replace = useCallback((account: AccountSummary) => {
    setAccounts((prev) => ({ ...prev, data: (prev.data ?? []).map((a) => (a.id === account.id ? account : a)) }));
  }, []);

  return { accounts, reload, add, setIdentities, replace };
}
