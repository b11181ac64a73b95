/**
 * Runs a UID FETCH whose rows are read by the lean reader (fetch-parser.ts)
 * instead of imapflow's generic parser.
 *
 * imapflow still owns the connection: it sends the command, splits the
 * response into lines and literals (ImapStream: any literal size, any TCP
 * chunking), completes the tagged OK/NO/BAD, and handles every response
 * that is not one of this command's FETCH rows (EXISTS, EXPUNGE, alerts,
 * BYE, a dropped connection). Only while our command is the one on the wire
 * are its "* n FETCH" lines offered to parseFetch first; whatever that
 * cannot vouch for goes through imapflow's own parser and formatter as
 * before. It needs imapflow's internal `exec` and `handleResponse`; without
 * them (another imapflow) callers use the public fetch (canReadLean).
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { formatMessageResponse } from 'imapflow/lib/tools.js';
import { parseFetch, type FetchRow } from './fetch-parser.ts';

/** What imapflow's line splitter hands its reader for one response. */
interface StreamItem {
  payload: Buffer;
  literals: Buffer[];
}

type ExecOptions = { untagged: { FETCH: (untagged: unknown) => Promise<void> } };

/** The imapflow internals used here (imap-flow.js: exec, handleResponse, currentRequest). */
interface ImapFlowInternals {
  exec?: (command: string, attributes: unknown[], options: ExecOptions) => Promise<{ next: () => void }>;
  handleResponse?: (data: StreamItem) => boolean | Promise<boolean>;
  currentRequest?: { options?: unknown } | null;
  idHashAlgorithm?: string;
}

/** One item of the command's list: an atom, or BODY.PEEK with its section. */
export type FetchItem = { type: 'ATOM'; value: string; section?: unknown[] };

/** Per connection: the sink of the lean command in flight, keyed by its exec options (the identity imapflow keeps). */
const sinks = new WeakMap<ImapFlow, Map<object, (row: FetchRow) => void>>();
const originals = new WeakMap<ImapFlow, (data: StreamItem) => boolean | Promise<boolean>>();

/** True when this imapflow exposes what the lean reader needs. */
export function canReadLean(client: ImapFlow): boolean {
  const c = client as unknown as ImapFlowInternals;
  return typeof c.exec === 'function' && typeof c.handleResponse === 'function' && 'currentRequest' in c;
}

/**
 * UID FETCH of `set` with `items`. Each row the lean reader reads goes to
 * `onRow` as it arrives; a response it leaves to imapflow goes to
 * `onImapflow` as imapflow formats it. Resolves with how many rows the lean
 * reader read itself (a lost speed-up shows there) once the command is done.
 */
export async function leanUidFetch(
  client: ImapFlow, set: string, items: FetchItem[],
  onRow: (row: FetchRow) => void, onImapflow: (msg: FetchMessageObject) => void,
): Promise<number> {
  let readLean = 0;
  const internals = client as unknown as Required<ImapFlowInternals>;
  const options: ExecOptions = {
    untagged: {
      // Only responses the lean reader passed on come here: imapflow parsed them, its formatter reads them.
      FETCH: async (untagged) => {
        const mailbox = client.mailbox;
        if (!mailbox) return;
        onImapflow(await formatMessageResponse(untagged as Parameters<typeof formatMessageResponse>[0], mailbox, internals.idHashAlgorithm, client));
      },
    },
  };
  const release = intercept(client, options, (row) => {
    readLean++;
    onRow(row);
  });
  try {
    const response = await internals.exec('UID FETCH', [{ type: 'SEQUENCE', value: set }, items], options);
    // imapflow holds its next command until the caller has taken the response.
    response.next();
  } finally {
    release();
  }
  return readLean;
}

/**
 * Offers the untagged FETCH lines of the command run with `options` to the
 * lean reader while that command is imapflow's current request. Returns the
 * function that stops it (the last one out puts imapflow's method back).
 */
function intercept(client: ImapFlow, options: object, sink: (row: FetchRow) => void): () => void {
  const internals = client as unknown as Required<ImapFlowInternals>;
  let mine = sinks.get(client);
  if (!mine) {
    mine = new Map();
    sinks.set(client, mine);
    const original = internals.handleResponse;
    originals.set(client, original);
    const active = mine;
    // Not async: imapflow's reader awaits the result either way, and a promise per row cost microtasks.
    internals.handleResponse = function leanHandleResponse(data: StreamItem): boolean | Promise<boolean> {
      const current = internals.currentRequest?.options;
      const target = current ? active.get(current) : undefined;
      if (target && isUntaggedFetch(data.payload)) {
        const row = parseFetch(data.payload, data.literals);
        if (row) {
          target(row);
          return true;
        }
      }
      return original.call(client, data);
    };
  }
  mine.set(options, sink);
  return () => {
    const held = sinks.get(client);
    if (!held) return;
    held.delete(options);
    if (held.size > 0) return;
    sinks.delete(client);
    const original = originals.get(client);
    originals.delete(client);
    // The method lives on imapflow's prototype; removing ours uncovers it again.
    if (original && Object.prototype.hasOwnProperty.call(client, 'handleResponse')) {
      delete (client as unknown as { handleResponse?: unknown }).handleResponse;
      if (internals.handleResponse !== original) internals.handleResponse = original;
    }
  };
}

/** "* " then digits then " FETCH": cheap enough to run on every line before the real reader. */
function isUntaggedFetch(payload: Buffer): boolean {
  if (payload.length < 10 || payload[0] !== 0x2a || payload[1] !== 0x20) return false;
  let i = 2;
  while (i < payload.length && (payload[i] as number) >= 0x30 && (payload[i] as number) <= 0x39) i++;
  return i > 2 && payload.toString('latin1', i, i + 7).toUpperCase() === ' FETCH ';
}
