/**
 * What the message list needs, read from a few raw header fields (IMAP
 * BODY.PEEK[HEADER.FIELDS (...)]) instead of ENVELOPE and BODYSTRUCTURE,
 * which imapflow takes several times longer to parse. RFC 2047 words and
 * address groups are decoded as in the full parser; whether there are
 * attachments is a guess from the top Content-Type until the body is
 * fetched (then the message model says for sure).
 */
import libmime from 'libmime';
import addressparser from 'nodemailer/lib/addressparser';
import { parseMailDateMs } from './date-header.ts';

export const LIST_HEADER_FIELDS = ['from', 'to', 'cc', 'subject', 'date', 'message-id', 'in-reply-to', 'references', 'content-type'] as const;

export interface ListHeaders {
  subject: string;
  from: { name: string; address: string }[];
  /** To and Cc. */
  to: { name: string; address: string }[];
  /** The Date header in ms (UTC); null when missing or not a date. */
  date_ms: number | null;
  message_id: string | null;
  /** References, then In-Reply-To (at most 50). */
  refs: string[];
  has_attachments: boolean;
}

export function parseListHeaders(block: Buffer | undefined): ListHeaders {
  const fields = headerFields(block === undefined ? '' : block.toString('utf8'));
  const ids = (v: string | undefined): string[] => [...(v?.match(/<[^<>\s]{1,250}>/g) ?? [])];
  const refs = ids(fields.get('references'));
  const reply = ids(fields.get('in-reply-to'))[0];
  if (reply && !refs.includes(reply)) refs.push(reply);
  const type = (fields.get('content-type') ?? 'text/plain').split(';')[0]?.trim().toLowerCase() ?? 'text/plain';
  return {
    subject: decode(fields.get('subject') ?? ''),
    from: addresses(fields.get('from')),
    to: addresses(fields.get('cc'), addresses(fields.get('to'))),
    date_ms: fields.has('date') ? parseMailDateMs(fields.get('date') as string) : null,
    message_id: ids(fields.get('message-id'))[0] ?? null,
    refs: refs.slice(-50),
    has_attachments: type === 'multipart/mixed' || !/^(text\/|multipart\/(alternative|related))/.test(type),
  };
}

const SP = 0x20;
const TAB = 0x09;
const CR = 0x0d;

/**
 * The fields of a header block by lower-case name, unfolded (a line break
 * and the white space after it read as one space) and trimmed; the first
 * occurrence of a name wins, as in the full parser. One pass over the
 * lines: a header sync reads 10k blocks, and unfolding each whole block with
 * a regular expression, then splitting it with another, cost about a third
 * of this function (10k blocks in a new process: 80-89 ms, now 57-62 ms).
 * It reads every block as that did, nonsense included.
 */
function headerFields(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  // The line being read, its continuations joined to it.
  let line = '';
  const field = (): void => {
    const colon = line.indexOf(':');
    if (colon <= 0) return;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!fields.has(name)) fields.set(name, line.slice(colon + 1).trim());
  };
  for (let pos = 0; pos < text.length;) {
    let next = text.indexOf('\n', pos);
    if (next < 0) next = text.length;
    const end = next > pos && text.charCodeAt(next - 1) === CR ? next - 1 : next;
    const first = text.charCodeAt(pos);
    if (pos > 0 && (first === SP || first === TAB)) {
      // A continuation: the break before it and its leading white space become one space.
      let from = pos;
      while (from < end && (text.charCodeAt(from) === SP || text.charCodeAt(from) === TAB)) from++;
      line += ' ' + text.slice(from, end);
    } else {
      field();
      line = text.slice(pos, end);
    }
    pos = next + 1;
  }
  field();
  return fields;
}

function decode(value: string): string {
  // Most values hold no encoded word; libmime would run three regular expressions over them anyway.
  if (!value.includes('=?')) return value;
  try {
    return libmime.decodeWords(value);
  } catch {
    return value;
  }
}

type Address = { name: string; address: string };

/**
 * The same From and To values come back again and again in a folder (a
 * person's own address, mailing lists, colleagues), so their parses are kept:
 * a header sync parsed each one anew. Bounded: when full it starts over.
 */
const ADDRESS_CACHE_MAX = 2000;
const addressCache = new Map<string, readonly Address[]>();

/**
 * The addresses of a field, appended to `into` (a new list by default).
 * Always one list built by push, never an empty literal returned in one case
 * and a map()'s copy in another: V8 saw two kinds of array where To and Cc
 * were joined, threw away parseListHeaders' optimized code and compiled it
 * again (20-40 ms of compiling in each new engine).
 */
function addresses(value: string | undefined, into: Address[] = []): Address[] {
  if (!value) return into;
  let parsed = addressCache.get(value);
  if (!parsed) {
    const out: Address[] = [];
    for (const a of addressparser(value, { flatten: true })) {
      const address = a.address ?? '';
      const name = decode(a.name ?? '');
      if (address || name) out.push({ name, address });
    }
    parsed = out;
    if (addressCache.size >= ADDRESS_CACHE_MAX) addressCache.clear();
    addressCache.set(value, parsed);
  }
  // Copies: the caller owns what it gets and may change it.
  for (const a of parsed) into.push({ name: a.name, address: a.address });
  return into;
}
