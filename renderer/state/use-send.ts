/** Sending one message with mail:send, and what came of it. */
import { useCallback, useState } from 'react';
import type { SendInput, SendResult } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import type { ShownError } from '../lib/loadable.ts';
import { useClient } from './client-context.tsx';

export type SendStatus =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'sent'; result: SendResult }
  | { state: 'error'; error: ShownError };

export interface SendState {
  status: SendStatus;
  send: (input: SendInput) => Promise<SendResult | null>;
  reset: () => void;
}

export function useSend(): SendState {
  const client = useClient();
  const [status, setStatus] = useState<SendStatus>({ state: 'idle' });

  const send = useCallback(
    async (input: SendInput) => {
      // Deliberately not cancellable: a send that the server may already have
      // accepted must not be abandoned halfway (closing the composer waits).
      setStatus({ state: 'sending' });
      try {
        const result = await client.call('mail:send', input);
        setStatus({ state: 'sent', result });
        return result;
      } catch (err) {
        setStatus({ state: 'error', error: toIpcError(err) });
        return null;
      }
    },
    [client],
  );

  const reset = useCallback(() => setStatus({ state: 'idle' }), []);

  return { status, send, reset };
}
