/**
 * Reads what the message list needs (UID, flags, size, envelope, structure)
 * without downloading bodies. Nothing else is sent while a fetch is being
 * read: imapflow deadlocks on a command issued inside its fetch loop.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { LIST_HEADER_FIELDS, parseListHeaders } from '../mime/list-headers.ts';
import { canReadLean, fetchHeaderRows } from './header-fetch.ts';
import type { HeaderFetchRow } from './header-fetch-parser.ts';

export interface ServerHeader {
  uid: number;
  subject: string;
  from: { name: string; address: string }[];
  to: { name: string; address: string }[];
  date_ms: number | null;
  flags: string[];
  size: number;
  has_attachments: boolean;
  message_id: string | null;
  /** In-Reply-To then References, for conversations. */
  refs: string[];
}

export async function fetchUidFlags(client: ImapFlow): Promise<Map<number, string[]>> {
  const result = new Map<number, string[]>();
  if (!client.mailbox || client.mailbox.exists === 0) return result;
  for await (const msg of client.fetch('1:*', { uid: true, flags: true })) {
    result.set(msg.uid, storedFlags(msg.flags));
  }
  return result;
}

/** Flags changed since a CONDSTORE mod-sequence (RFC 7162 CHANGEDSINCE). */
export async function fetchFlagsChangedSince(client: ImapFlow, modseq: bigint): Promise<Map<number, string[]>> {
  const result = new Map<number, string[]>();
  if (!client.mailbox || client.mailbox.exists === 0) return result;
  for await (const msg of client.fetch('1:*', { uid: true, flags: true }, { changedSince: modseq })) {
    result.set(msg.uid, storedFlags(msg.flags));
  }
  return result;
}

/** Every UID in the selected mailbox: one UID SEARCH, cheaper than a FETCH. */
export async function searchAllUids(client: ImapFlow): Promise<Set<number>> {
  if (!client.mailbox || client.mailbox.exists === 0) return new Set();
  const uids = await client.search({ all: true }, { uid: true });
  return new Set(Array.isArray(uids) ? uids : []);
}

/** UIDs at or above `from` (new mail since the last sync). */
export async function searchUidsFrom(client: ImapFlow, from: number): Promise<number[]> {
  if (!client.mailbox || client.mailbox.exists === 0) return [];
  const uids = await client.search({ uid: `${from}:*` }, { uid: true });
  // "N:*" always matches the last message, even when its UID is below N.
  return (Array.isArray(uids) ? uids : []).filter((u) => u >= from);
}

export async function fetchHeaders(client: ImapFlow, uids: number[]): Promise<ServerHeader[]> {
  if (uids.length === 0) return [];
  if (canReadLean(client)) {
    try {
      const { rows } = await fetchHeaderRows(client, uidSet(uids), LIST_HEADER_FIELDS);
      const asked = new Set(uids);
      // Only the UIDs asked for, with their header block: a flag update another session caused
      // can come for any message, and a row stored without its headers would keep an empty
      // subject forever. A UID left out here is not stored, so the next sync asks for it again.
      return [...rows.values()].filter((r) => r.headers !== null && asked.has(r.uid)).map(rowToHeader);
    } catch (err) {
      // A throttled server is retried with back-off by imapflow's own fetch; anything else is an error.
      if ((err as { code?: unknown }).code !== 'ETHROTTLE') throw err;
    }
  }
  const out: ServerHeader[] = [];
  // A few header fields instead of ENVELOPE + BODYSTRUCTURE: imapflow parses those several times slower.
  const query = { uid: true, flags: true, size: true, internalDate: true, headers: [...LIST_HEADER_FIELDS] };
  for await (const msg of client.fetch(uidSet(uids), query, { uid: true })) out.push(toHeader(msg));
  return out;
}

/**
 * The same rows as fetchHeaders, handed to `onHeader` as they are read,
 * while the server is still sending the rest: a header sync parses and
 * writes one batch while the next arrives, instead of each FETCH waiting for
 * the parse of the one before. `update` is true for a row seen before in
 * this fetch (a flag change another session caused, arriving after ours):
 * its flags are the newer. A message whose items come in several responses
 * is handed over once it has its header block, flags and size, or at the
 * end with what came.
 */
export async function streamHeaders(client: ImapFlow, uids: number[], onHeader: (h: ServerHeader, update: boolean) => void): Promise<void> {
  if (uids.length === 0) return;
  const rows = new StreamedRows(uids, onHeader);
  if (canReadLean(client)) {
    try {
      await fetchHeaderRows(client, uidSet(uids), LIST_HEADER_FIELDS, (row) => rows.take(row));
      rows.finish();
      return;
    } catch (err) {
      // A throttled server is retried with back-off by imapflow's own fetch; anything else is an error.
      if ((err as { code?: unknown }).code !== 'ETHROTTLE') throw err;
    }
  }
  for (const h of await fetchHeaders(client, uids.filter((u) => !rows.given.has(u)))) onHeader(h, false);
}

/**
 * The rows of one streamed header FETCH, handed on as they become whole
 * (see streamHeaders): only UIDs asked for, each once with its header
 * block, then only newer flags.
 */
export class StreamedRows {
  /** UIDs handed on. */
  readonly given = new Set<number>();
  readonly #asked: Set<number>;
  readonly #incomplete = new Map<number, HeaderFetchRow>();
  readonly #onHeader: (h: ServerHeader, update: boolean) => void;

  constructor(uids: readonly number[], onHeader: (h: ServerHeader, update: boolean) => void) {
    this.#asked = new Set(uids);
    this.#onHeader = onHeader;
  }

  take(row: HeaderFetchRow): void {
    if (!this.#asked.has(row.uid)) return;
    if (this.given.has(row.uid)) {
      // Only the flags can be newer: the row is stored already (or on its way).
      if (row.flags) this.#onHeader(rowToHeader({ ...row, headers: null }), true);
      return;
    }
    const held = this.#incomplete.get(row.uid);
    const merged = held
      ? { ...held, flags: row.flags ?? held.flags, size: held.size ?? row.size, internalDate: held.internalDate ?? row.internalDate, headers: held.headers ?? row.headers }
      : row;
    if (merged.headers === null || merged.flags === null || merged.size === null) {
      this.#incomplete.set(row.uid, merged);
      return;
    }
    this.#incomplete.delete(row.uid);
    this.given.add(row.uid);
    this.#onHeader(rowToHeader(merged), false);
  }

  /** The command ended: what never came whole goes as it came; without a header block it is not stored, and the next sync asks again. */
  finish(): void {
    for (const row of this.#incomplete.values()) {
      if (row.headers === null) continue;
      this.given.add(row.uid);
      this.#onHeader(rowToHeader(row), false);
    }
    this.#incomplete.clear();
  }
}

function rowToHeader(row: HeaderFetchRow): ServerHeader {
  return header(row.uid, row.headers ?? undefined, row.internalDate, row.flags ?? [], row.size ?? 0);
}

function toHeader(msg: FetchMessageObject): ServerHeader {
  const internal = msg.internalDate === undefined ? null : msg.internalDate instanceof Date ? msg.internalDate.toISOString() : String(msg.internalDate);
  return header(msg.uid, msg.headers, internal, [...(msg.flags ?? [])], msg.size ?? 0);
}

function header(uid: number, block: Buffer | undefined, internalDate: string | null, flags: string[], size: number): ServerHeader {
  const h = parseListHeaders(block);
  let dateMs = h.date_ms;
  if (dateMs === null && internalDate !== null) {
    const internal = Date.parse(internalDate);
    dateMs = Number.isNaN(internal) ? null : internal;
  }
  return {
    uid, subject: h.subject, from: h.from, to: h.to, date_ms: dateMs, flags: storedFlags(flags),
    size, has_attachments: h.has_attachments, message_id: h.message_id, refs: h.refs,
  };
}

export async function fetchRaw(client: ImapFlow, uid: number): Promise<Buffer | null> {
  const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
  return msg && msg.source ? msg.source : null;
}

/** \Recent belongs to one session (RFC 3501 2.3.2); storing it would make every sync look like a change. */
export function storedFlags(flags: Iterable<string> | undefined): string[] {
  return [...new Set(flags ?? [])].filter((f) => f !== '\\Recent').sort();
}

/**
 * A list of UIDs as an IMAP sequence set with ranges ("1:500,502,510:512"):
 * the command stays short to build, send and parse whatever the batch size.
 */
export function uidSet(uids: readonly number[]): string {
  const sorted = [...new Set(uids)].sort((a, b) => a - b);
  const parts: string[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const first = sorted[i] as number;
    let last = first;
    while (i + 1 < sorted.length && sorted[i + 1] === last + 1) last = sorted[++i] as number;
    parts.push(first === last ? String(first) : `${first}:${last}`);
  }
  return parts.join(',');
}
