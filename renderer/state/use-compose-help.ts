/**
 * What the composer asks the engine while it is open: address completion
 * (mail:contacts.search), the submission server's SIZE (mail:smtp.limits),
 * and the starting point of a reply or forward (mail:compose.reply/forward).
 */
import { useCallback, useEffect, useState } from 'react';
import type { Contact } from '../../src-protocol/contract/index.ts';
import type { AnswerKind, ComposeOrigin, ComposerFields } from '../lib/composer-fields.ts';
import { useClient } from './client-context.tsx';

const SUGGESTIONS = 8;

export function useContactSuggest(): (query: string) => Promise<Contact[]> {
  const client = useClient();
  return useCallback((query: string) => client.call('mail:contacts.search', { query: query.slice(0, 254), limit: SUGGESTIONS }), [client]);
}

/** The account's SIZE limit: undefined while unknown (or when it could not be asked), null when the server names none. */
export function useSmtpLimit(accountId: string | null): number | null | undefined {
  const client = useClient();
  const [limits, setLimits] = useState<ReadonlyMap<string, number | null>>(new Map());
  const known = accountId !== null && limits.has(accountId);
  useEffect(() => {
    if (accountId === null || known) return;
    let live = true;
    client.call('mail:smtp.limits', { account_id: accountId }).then(
      (r) => {
        if (live) setLimits((m) => new Map(m).set(accountId, r.max_size));
      },
      () => {
        // Unknown (server unreachable now): the engine still checks before uploading.
      },
    );
    return () => {
      live = false;
    };
  }, [client, accountId, known]);
  return accountId === null ? undefined : limits.get(accountId);
}

export interface ComposeAnswer {
  fields: ComposerFields;
  origin: ComposeOrigin;
}

/** The composer's starting point to answer message `id`; rejects with the IpcError. */
export function useComposeAnswer(): (id: number, kind: AnswerKind) => Promise<ComposeAnswer> {
  const client = useClient();
  return useCallback(
    async (id: number, kind: AnswerKind) => {
      const p =
        kind === 'reply' || kind === 'reply-all'
          ? await client.call('mail:compose.reply', { id, all: kind === 'reply-all' })
          : await client.call('mail:compose.forward', { id, as_attachment: kind === 'forward-attachment' });
      return {
        fields: { account_id: p.account_id, from: p.from, to: p.to, cc: p.cc, bcc: p.bcc, subject: p.subject, text: p.text, attachments: [] },
        origin: { in_reply_to_id: p.in_reply_to_id, forward_of_id: p.forward_of_id, forward_as_attachment: p.forward_as_attachment },
      };
    },
    [client],
  );
}
