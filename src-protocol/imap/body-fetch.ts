/**
 * The body download's UID FETCH (UID BODY.PEEK[]), read by the lean reader
 * (lean-fetch.ts) without imapflow's generic parser and formatter, which
 * were about a sixth of the engine thread's time in a body sync: each
 * message's bytes reach the caller as its response is read, as imapflow's
 * line splitter gathered them. Without the lean reader (another imapflow)
 * the public fetch is used.
 */
import type { ImapFlow } from 'imapflow';
import { canReadLean, leanUidFetch } from './lean-fetch.ts';

/**
 * Calls `onSource` with each message of `set` as it arrives; resolves once
 * the command is done, with how many responses the lean reader read itself.
 */
export async function fetchSources(client: ImapFlow, set: string, onSource: (uid: number, source: Buffer) => void): Promise<number> {
  if (!canReadLean(client)) {
    for await (const msg of client.fetch(set, { uid: true, source: true }, { uid: true })) if (msg.uid && msg.source) onSource(msg.uid, msg.source);
    return 0;
  }
  return leanUidFetch(
    client, set, [{ type: 'ATOM', value: 'UID' }, { type: 'ATOM', value: 'BODY.PEEK', section: [] }],
    (row) => {
      if (row.source) onSource(row.uid, row.source);
    },
    (msg) => {
      if (msg.uid && msg.source) onSource(msg.uid, msg.source);
    },
  );
}
