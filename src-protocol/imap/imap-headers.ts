/**
 * Reads what the message list needs (UID, flags, size, envelope, structure)
 * without downloading bodies. Nothing else is sent while a fetch is being
 * read: imapflow deadlocks on a command issued inside its fetch loop.
 */
import type { FetchMessageObject, ImapFlow, MessageStructureObject } from 'imapflow';

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
  const query = { uid: true, flags: true, size: true, envelope: true, bodyStructure: true, internalDate: true, headers: ['references'] };
  for await (const msg of client.fetch(uids.join(','), query, { uid: true })) out.push(toHeader(msg));
  return out;
}

function toHeader(msg: FetchMessageObject): ServerHeader {
  const env = msg.envelope;
  const date = env?.date ? new Date(env.date) : null;
  const internal = msg.internalDate ? new Date(msg.internalDate) : null;
  const dateMs = date && !Number.isNaN(date.getTime()) ? date.getTime() : internal && !Number.isNaN(internal.getTime()) ? internal.getTime() : null;
  return {
    uid: msg.uid,
    subject: env?.subject ?? '',
    from: (env?.from ?? []).map((a) => ({ name: a.name ?? '', address: a.address ?? '' })),
    to: [...(env?.to ?? []), ...(env?.cc ?? [])].map((a) => ({ name: a.name ?? '', address: a.address ?? '' })),
    date_ms: dateMs,
    flags: storedFlags(msg.flags),
    size: msg.size ?? 0,
    has_attachments: msg.bodyStructure ? hasAttachment(msg.bodyStructure) : false,
    message_id: env?.messageId ?? null,
    refs: messageRefs(env?.inReplyTo, msg.headers),
  };
}

/** The same rule as the message model: a leaf is an attachment when it is
 * marked as one, or is anything but a text/plain or text/html body. */
export function hasAttachment(node: MessageStructureObject): boolean {
  if (node.childNodes && node.childNodes.length > 0 && node.type.startsWith('multipart/')) {
    return node.childNodes.some(hasAttachment);
  }
  if (node.disposition && node.disposition.toLowerCase() !== 'inline') return true;
  const type = node.type.toLowerCase();
  return type !== 'text/plain' && type !== 'text/html' && !type.startsWith('multipart/');
}

export async function fetchRaw(client: ImapFlow, uid: number): Promise<Buffer | null> {
  const msg = await client.fetchOne(String(uid), { uid: true, source: true }, { uid: true });
  return msg && msg.source ? msg.source : null;
}

/** \Recent belongs to one session (RFC 3501 2.3.2); storing it would make every sync look like a change. */
export function storedFlags(flags: Set<string> | undefined): string[] {
  return [...(flags ?? [])].filter((f) => f !== '\\Recent').sort();
}

/** The Message-IDs a message refers to: In-Reply-To, then the References header (at most 50). */
function messageRefs(inReplyTo: string | undefined, headers: Buffer | undefined): string[] {
  const ids = [...(headers?.toString('latin1').match(/<[^<>\s]{1,250}>/g) ?? [])];
  const reply = inReplyTo?.match(/<[^<>\s]{1,250}>/)?.[0];
  if (reply && !ids.includes(reply)) ids.push(reply);
  return ids.slice(-50);
}
