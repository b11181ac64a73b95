/**
 * Sending one message through the outbox, and what came of it. Every send
 * waits the undo window (Preferences, 5 s unless changed) in the outbox first: mail:drafts.send
 * when the message is a saved draft (which the engine then removes), else
 * mail:send.
 */
import { useCallback, useState } from 'react';
import type { SendInput, SendResult } from '../../src-protocol/contract/index.ts';
import { toIpcError } from '../ipc/client.ts';
import type { ShownError } from '../lib/loadable.ts';
import { readPreference } from '../lib/preferences.ts';
import { useClient } from './client-context.tsx';

export type SendStatus =
  | { state: 'idle' }
  | { state: 'sending' }
  | { state: 'sent'; result: SendResult }
  | { state: 'error'; error: ShownError };

/** The undo window: how long a sent message waits before it goes, as the person set it. */
export const undoSeconds = (): number => readPreference('undoSeconds');

export interface SendState {
  status: SendStatus;
  /**
   * `draftId`: the saved draft to send (its content must be saved first).
   * With `whole`, the input is sent as given and the draft deleted after:
   * drafts keep no From, HTML or reply/forward origin yet.
   */
  send: (input: SendInput, draftId: number | null, whole?: boolean) => Promise<SendResult | null>;
  reset: () => void;
}

export function useSend(): SendState {
  const client = useClient();
  const [status, setStatus] = useState<SendStatus>({ state: 'idle' });

  const send = useCallback(
    async (input: SendInput, draftId: number | null, whole = false) => {
      // Deliberately not cancellable: a send that the server may already have
      // accepted must not be abandoned halfway (closing the composer waits).
      setStatus({ state: 'sending' });
      const delay = undoSeconds();
      try {
        const result =
          draftId === null || whole
            ? await client.call('mail:send', { ...input, delay_seconds: delay })
            : await client.call('mail:drafts.send', { draft_id: draftId, delay_seconds: delay });
        if (draftId !== null && whole) {
          // The message is in the outbox; the draft is no longer wanted. A
          // failure here leaves a stale draft, never a lost message.
          await client.call('mail:drafts.delete', { draft_id: draftId }).catch(() => undefined);
        }
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
