/**
 * Signing an OAuth account in: mail:accounts.oauthStart gives the provider's
 * page, which opens in the system browser (Electron hands window.open to
 * it; in a browser it is a new tab); mail:accounts.oauthFinish waits for the
 * provider's redirect to the engine's loopback port. Cancel abandons the wait.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import type { AccountSummary } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import type { ShownError } from '../lib/loadable.ts';
import { useClient } from './client-context.tsx';

export type SignInStatus =
  | { state: 'idle' }
  | { state: 'waiting'; accountId: string; url: string }
  | { state: 'error'; accountId: string; error: ShownError };

export interface OAuthSignIn {
  status: SignInStatus;
  /** Resolves with the signed-in account, or null when it failed or was cancelled (status says which). */
  signIn: (accountId: string) => Promise<AccountSummary | null>;
  cancel: () => void;
}

export function useOAuthSignIn(): OAuthSignIn {
  const client = useClient();
  const [status, setStatus] = useState<SignInStatus>({ state: 'idle' });
  const running = useRef<AbortController | null>(null);

  const cancel = useCallback(() => {
    running.current?.abort();
    running.current = null;
    setStatus({ state: 'idle' });
  }, []);

  const signIn = useCallback(
    async (accountId: string) => {
      running.current?.abort();
      const ac = new AbortController();
      running.current = ac;
      try {
        const { flow_id, url } = await client.call('mail:accounts.oauthStart', { account_id: accountId }, { signal: ac.signal });
        setStatus({ state: 'waiting', accountId, url });
        window.open(url, '_blank', 'noopener,noreferrer');
        const account = await client.call('mail:accounts.oauthFinish', { flow_id }, { signal: ac.signal });
        setStatus({ state: 'idle' });
        return account;
      } catch (err) {
        if (!ac.signal.aborted) setStatus({ state: 'error', accountId, error: toIpcError(err) });
        return null;
      } finally {
        if (running.current === ac) running.current = null;
      }
    },
    [client],
  );

  useEffect(() => () => running.current?.abort(), []);

  return { status, signIn, cancel };
}
