/**
 * The header sync's UID FETCH, read without imapflow's generic parser.
 *
 * imapflow still owns the connection: it sends the command, splits into
 * lines and literals whatever fetch-framer.ts does not read in place (a row
 * cut by a chunk's end, any other response), completes the tagged
 * OK/NO/BAD, and handles every response
 * that is not one of this command's FETCH rows (EXISTS, EXPUNGE, alerts,
 * BYE, a dropped connection). Only while our command is the one on the wire
 * are its "* n FETCH" lines offered to parseHeaderFetch first; whatever that
 * cannot vouch for goes through imapflow's own parser and formatter as
 * before. Fetching and reading 10k messages' list headers took about 1.5 s
 * of CPU through imapflow's fetch and 0.6 s this way (same rows, byte for
 * byte). It needs imapflow's internal `exec` and `handleResponse`; without
 * them (another imapflow) the public fetch is used.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { formatMessageResponse } from 'imapflow/lib/tools.js';
import { parseHeaderFetch, type HeaderFetchRow } from './header-fetch-parser.ts';
import { canFrame, installFetchFramer } from './fetch-framer.ts';

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
  /** imapflow's ImapStream, the line splitter (see fetch-framer.ts). */
  streamer?: unknown;
}

/** Per connection: the sink of the lean command in flight, keyed by its exec options (the identity imapflow keeps). */
const sinks = new WeakMap<ImapFlow, Map<object, (row: HeaderFetchRow) => void>>();
const originals = new WeakMap<ImapFlow, (data: StreamItem) => boolean | Promise<boolean>>();
/** Per connection: takes the framer away from imapflow's splitter. */
const framers = new WeakMap<ImapFlow, () => void>();

/** True when this imapflow exposes what the lean reader needs. */
export function canReadLean(client: ImapFlow): boolean {
  const c = client as unknown as ImapFlowInternals;
  return typeof c.exec === 'function' && typeof c.handleResponse === 'function' && 'currentRequest' in c;
}

export interface HeaderRows {
  /** By UID. */
  rows: Map<number, HeaderFetchRow>;
  /** How many responses the lean reader read itself (the rest went through imapflow's parser): a lost speed-up shows here. */
  readLean: number;
}

/**
 * UID FETCH of `set` with exactly the list items, returned by UID. Several
 * responses for one UID (a flag change from another session arriving next
 * to ours) merge: the later flags win, the header block is kept.
 *
 * With `onRow`, each response is handed over as soon as it is read (and
 * nothing is kept): the caller parses it while the server sends the next,
 * and merges for itself.
 */
export async function fetchHeaderRows(client: ImapFlow, set: string, fields: readonly string[], onRow?: (row: HeaderFetchRow) => void): Promise<HeaderRows> {
  let readLean = 0;
  const rows = new Map<number, HeaderFetchRow>();
  const add = (row: HeaderFetchRow): void => {
    if (onRow) {
      onRow(row);
      return;
    }
    const held = rows.get(row.uid);
    if (!held) rows.set(row.uid, row);
    else {
      if (row.flags) held.flags = row.flags;
      held.size ??= row.size;
      held.internalDate ??= row.internalDate;
      held.headers ??= row.headers;
    }
  };
  const internals = client as unknown as Required<ImapFlowInternals>;
  const options: ExecOptions = {
    untagged: {
      // Only responses the lean reader passed on come here: imapflow parsed them, its formatter reads them.
      FETCH: async (untagged) => {
        const mailbox = client.mailbox;
        if (!mailbox) return;
        const msg = await formatMessageResponse(untagged as Parameters<typeof formatMessageResponse>[0], mailbox, internals.idHashAlgorithm, client);
        const row = fromImapflow(msg);
        if (row) add(row);
      },
    },
  };
  const attributes = [
    { type: 'SEQUENCE', value: set },
    [
      { type: 'ATOM', value: 'UID' }, { type: 'ATOM', value: 'FLAGS' }, { type: 'ATOM', value: 'RFC822.SIZE' }, { type: 'ATOM', value: 'INTERNALDATE' },
      { type: 'ATOM', value: 'BODY.PEEK', section: [{ type: 'ATOM', value: 'HEADER.FIELDS' }, fields.map((f) => ({ type: 'ATOM', value: f.toUpperCase() }))] },
    ],
  ];
  const release = intercept(client, options, (row) => {
    readLean++;
    add(row);
  });
  try {
    const response = await internals.exec('UID FETCH', attributes, options);
    // imapflow holds its next command until the caller has taken the response.
    response.next();
  } finally {
    release();
  }
  return { rows, readLean };
}

/** A response imapflow formatted, in the lean reader's shape; null without a UID (nothing to file it under). */
function fromImapflow(msg: FetchMessageObject): HeaderFetchRow | null {
  if (!msg.uid) return null;
  return {
    uid: msg.uid,
    flags: msg.flags ? [...msg.flags] : null,
    size: msg.size ?? null,
    internalDate: msg.internalDate === undefined ? null : msg.internalDate instanceof Date ? msg.internalDate.toISOString() : String(msg.internalDate),
    headers: Buffer.isBuffer(msg.headers) ? msg.headers : null,
  };
}

/**
 * Offers the untagged FETCH lines of the command run with `options` to the
 * lean reader while that command is imapflow's current request. Returns the
 * function that stops it (the last one out puts imapflow's method back).
 */
function intercept(client: ImapFlow, options: object, sink: (row: HeaderFetchRow) => void): () => void {
  const internals = client as unknown as Required<ImapFlowInternals>;
  let mine = sinks.get(client);
  if (!mine) {
    mine = new Map();
    sinks.set(client, mine);
    const original = internals.handleResponse;
    originals.set(client, original);
    const active = mine;
    /** Reads one response for the lean command in flight; false when it is not one (imapflow reads it). */
    const takeRow = (payload: Buffer, literals: Buffer[]): boolean => {
      const current = internals.currentRequest?.options;
      const target = current ? active.get(current) : undefined;
      if (!target || !isUntaggedFetch(payload)) return false;
      const row = parseHeaderFetch(payload, literals);
      if (!row) return false;
      target(row);
      return true;
    };
    // Not async: imapflow's reader awaits the result either way, and a promise per row cost microtasks.
    internals.handleResponse = function leanHandleResponse(data: StreamItem): boolean | Promise<boolean> {
      return takeRow(data.payload, data.literals) || original.call(client, data);
    };
    // Responses whole in a chunk are read there, before imapflow's splitter copies them (fetch-framer.ts).
    if (canFrame(internals.streamer)) framers.set(client, installFetchFramer(internals.streamer, takeRow));
  }
  mine.set(options, sink);
  return () => {
    const held = sinks.get(client);
    if (!held) return;
    held.delete(options);
    if (held.size > 0) return;
    sinks.delete(client);
    framers.get(client)?.();
    framers.delete(client);
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
