/**
 * Parses STAT, LIST and UIDL answers (RFC 1939): "count size", "msg size"
 * and "msg unique-id" lines. Strict about numbers, so a misread listing can
 * never make the sync layer download or delete the wrong message.
 */
import { PosternError } from '../common/errors.ts';

export interface Pop3Stat {
  /** Messages in the maildrop, not counting ones marked deleted. */
  count: number;
  /** Their total size in octets. */
  size: number;
}

export interface Pop3ScanListing {
  /** Message number: valid only for this session. */
  msg: number;
  size: number;
}

export interface Pop3UidListing {
  msg: number;
  /** Unique id: stable across sessions (1-70 printable characters, RFC 1939). */
  uid: string;
}

function whole(word: string | undefined, what: string, min: number): number {
  const n = word !== undefined && /^\d{1,15}$/.test(word) ? Number(word) : NaN;
  if (!Number.isSafeInteger(n) || n < min) {
    throw new PosternError('PROTOCOL', `The server sent ${JSON.stringify(word ?? '')} where a ${what} was expected.`);
  }
  return n;
}

/** Words of a listing line; servers may add more after the ones RFC 1939 defines. */
function words(line: string): string[] {
  return line.trim().split(/[ \t]+/);
}

export function parseStat(text: string): Pop3Stat {
  const [count, size] = words(text);
  return { count: whole(count, 'message count', 0), size: whole(size, 'maildrop size', 0) };
}

export function parseScanListing(line: string): Pop3ScanListing {
  const [msg, size] = words(line);
  return { msg: whole(msg, 'message number', 1), size: whole(size, 'message size', 0) };
}

export function parseUidListing(line: string): Pop3UidListing {
  const [msg, uid] = words(line);
  if (uid === undefined || !/^[\x21-\x7e]{1,512}$/.test(uid)) {
    throw new PosternError('PROTOCOL', `The server sent a unique id that is not valid: ${JSON.stringify(uid ?? '')}.`);
  }
  return { msg: whole(msg, 'message number', 1), uid };
}

/** Applies `parse` to every line of a multi-line listing body. */
export function parseListing<T>(body: Buffer, parse: (line: string) => T): T[] {
  // Listings are ASCII; latin1 maps any stray byte to one character.
  const lines = body.toString('latin1').split('\r\n');
  if (lines[lines.length - 1] === '') lines.pop();
  return lines.filter((line) => line.trim() !== '').map(parse);
}
