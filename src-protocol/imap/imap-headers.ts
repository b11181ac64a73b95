/**
 * Reads what the message list needs (UID, flags, size, envelope, structure)
 * without downloading bodies. Nothing else is sent while a fetch is being
 * read: imapflow deadlocks on a command issued inside its fetch loop.
 */
import type { FetchMessageObject, ImapFlow } from 'imapflow';
import { LIST_HEADER_FIELDS, parseListHeaders } from '../mime/list-headers.ts';

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
  const out: ServerHeader[] = [];
  // A few header fields instead of ENVELOPE + BODYSTRUCTURE: imapflow parses those several times slower.
  const query = { uid: true, flags: true, size: true, internalDate: true, headers: [...LIST_HEADER_FIELDS] };
  for await (const msg of client.fetch(uidSet(uids), query, { uid: true })) out.push(toHeader(msg));
  return out;
}

function toHeader(msg: FetchMessageObject): ServerHeader {
  const h = parseListHeaders(msg.headers);
  const internal = msg.internalDate ? new Date(msg.internalDate).getTime() : NaN;
  const dateMs = h.date_iso !== null ? Date.parse(h.date_iso) : Number.isNaN(internal) ? null : internal;
  return {
    uid: msg.uid, subject: h.subject, from: h.from, to: h.to, date_ms: dateMs, flags: storedFlags(msg.flags),
    size: msg.size ?? 0, has_attachments: h.has_attachments, message_id: h.message_id, refs: h.refs,
  };
}

export async function fetchRaw(client: ImapFlow, uid: number): Promise<Buffer | null> {
  const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
  return msg && msg.source ? msg.source : null;
}

/** \Recent belongs to one session (RFC 3501 2.3.2); storing it would make every sync look like a change. */
export function storedFlags(flags: Set<string> | undefined): string[] {
  return [...(flags ?? [])].filter((f) => f !== '\\Recent').sort();
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
