/**
 * One POP3 answer and how its status line reads: `+OK`, `-ERR`, or `+` (a
 * SASL challenge, RFC 5034), optionally followed by a response code in
 * brackets (RFC 2449, RFC 3206) such as `[IN-USE]` or `[SYS/TEMP]`.
 */
import { PosternError } from '../common/errors.ts';

export type Pop3Status = 'ok' | 'err' | 'continue';

export interface Pop3Response {
  status: Pop3Status;
  /**
   * The response code without brackets, upper-cased (`IN-USE`, `AUTH`,
   * `SYS/TEMP`, ...), when the server sent one.
   */
  code: string | undefined;
  /** The words after the indicator and the code, decoded for display only. */
  text: string;
  /** The status line exactly as received, without CRLF (APOP digests it). */
  line: Buffer;
  /**
   * A multi-line answer's body: dot-unstuffed, every line still ending in the
   * CRLF it came with, without the terminating ".CRLF". Undefined for
   * single-line answers and for every -ERR.
   */
  body: Buffer | undefined;
}

/** Parses a status line (CRLF removed). Anything else is a protocol error. */
export function parseStatusLine(line: Buffer): Omit<Pop3Response, 'body'> {
  // The indicator is ASCII; latin1 keeps each byte one character for matching.
  const head = line.subarray(0, 5).toString('latin1').toUpperCase();
  let status: Pop3Status;
  let rest: Buffer;
  if (head.startsWith('+OK') && (line.length === 3 || line[3] === 0x20)) {
    status = 'ok';
    rest = line.subarray(4);
  } else if (head.startsWith('-ERR') && (line.length === 4 || line[4] === 0x20)) {
    status = 'err';
    rest = line.subarray(5);
  } else if (head.startsWith('+') && (line.length === 1 || line[1] === 0x20)) {
    status = 'continue';
    rest = line.subarray(2);
  } else {
    throw new PosternError('PROTOCOL', `The server answered "${printable(line)}" where +OK or -ERR was expected.`);
  }
  // Text is for people: UTF-8 after the UTF8 command, and mostly ASCII before.
  const text = rest.toString('utf8');
  const coded = /^\[([^\]\s]{1,64})\]\s*/.exec(text);
  if (!coded || status === 'continue') return { status, code: undefined, text: text.trim(), line };
  return { status, code: (coded[1] ?? '').toUpperCase(), text: text.slice(coded[0].length).trim(), line };
}

/** A short, safe rendering of unexpected bytes for an error message. */
export function printable(bytes: Buffer, max = 80): string {
  const shown = bytes.subarray(0, max).toString('latin1').replace(/[^\x20-\x7e]/g, '?');
  return bytes.length > max ? `${shown}...` : shown;
}
