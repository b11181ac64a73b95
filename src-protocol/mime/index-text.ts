/**
 * Raw message bytes -> the words the local search index needs: the decoded
 * text of its text/plain parts (or, when it has none, of its text/html parts
 * stripped to words) and the file names of its attachments.
 *
 * This is not the display parser (parse.ts): it builds no model, sanitises
 * nothing and never decodes an attachment's body, so indexing a whole
 * account costs a fraction of parsing it. It reads the buffer in place, in
 * one synchronous pass, and decides which parts are text and which are
 * attachments the same way the display parser does (a part whose
 * Content-Disposition is present and not inline, or whose type is neither
 * text/plain nor text/html, is an attachment; message/rfc822 parts are
 * single attachments, never opened).
 *
 * Bounded like the parser: at most LIMITS.maxParseBytes of the message are
 * read, LIMITS.maxMimeParts parts and LIMITS.maxMimeHeaderBytes of header
 * per part; past a limit the text found so far is returned. Damage never
 * throws: a part that cannot be read adds nothing.
 */
import { isUtf8 } from 'node:buffer';
import libmime from 'libmime';
import { LIMITS } from '../common/limits.ts';
import { decodeDeclaredAsIs, isUtf8OrAscii } from './text-decoding.ts';

/**
 * Text for the search index: UTF-8 bytes, or a string. A plain part in
 * UTF-8 (or ASCII) stays bytes: the index stores UTF-8, and decoding the
 * text into a string only for SQLite to encode it again was most of the
 * garbage a body sync made. Bytes may be a view of the message given to
 * extractIndexText(): copy them before that memory is used again.
 */
export type IndexBody = string | Uint8Array;

export interface IndexText {
  /**
   * The plain text parts joined, or the HTML parts' words when there is no
   * plain text; line breaks as the message has them (the index takes any
   * break for a break).
   */
  body: IndexBody;
  /** Attachment file names as the message gives them (RFC 2047/2231 decoded); unnamed attachments add none. */
  attachmentNames: string[];
  /** Whether any part is an attachment (named or not). */
  hasAttachments: boolean;
}

/** Multipart nesting deeper than this is read as opaque: real mail nests a handful of levels. */
const MAX_DEPTH = 50;

interface Walk {
  raw: Buffer;
  parts: number;
  plain: IndexBody[];
  /** HTML parts, decoded only when there is no plain text (an alternative's HTML usually is not needed). */
  html: { bytes: Uint8Array; charset: string | null }[];
  names: string[];
  attachments: number;
}

export function extractIndexText(input: Buffer): IndexText {
  const raw = input.length > LIMITS.maxParseBytes ? input.subarray(0, LIMITS.maxParseBytes) : input;
  const walk: Walk = { raw, parts: 0, plain: [], html: [], names: [], attachments: 0 };
  readPart(walk, 0, raw.length, 0, 'text/plain');
  const plain = joinPlain(walk.plain);
  return {
    body: plain.length > 0 ? plain : walk.html.map((h) => htmlToWords(decodeDeclaredAsIs(h.bytes, h.charset))).join(' ').trim(),
    attachmentNames: walk.names,
    hasAttachments: walk.attachments > 0,
  };
}

/** Reads the part in raw[start, end): its header, then its body (recursing into multiparts). */
function readPart(walk: Walk, start: number, end: number, depth: number, defaultType: string): void {
  if (++walk.parts > LIMITS.maxMimeParts) return;
  const { headers, bodyStart } = readHeaders(walk.raw, start, end);
  const type = parseValue(headers.get('content-type'));
  const contentType = type?.value.toLowerCase() || defaultType;
  const disposition = parseValue(headers.get('content-disposition'));

  if (contentType.startsWith('multipart/')) {
    const boundary = type?.params['boundary'];
    if (boundary && depth < MAX_DEPTH) {
      // The children of multipart/digest are messages unless they say otherwise (RFC 2046 5.1.5).
      const childDefault = contentType === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
      for (const [s, e] of splitMultipart(walk.raw, bodyStart, end, boundary)) {
        readPart(walk, s, e, depth + 1, childDefault);
        if (walk.parts > LIMITS.maxMimeParts) return;
      }
      return;
    }
    // A multipart without a boundary cannot be split: its body is read as text, as the parser shows it.
  }

  const dispositionValue = disposition?.value.toLowerCase() ?? null;
  const isText = contentType === 'text/plain' || contentType === 'text/html' || contentType.startsWith('multipart/');
  const isAttachment = !isText || (dispositionValue !== null && dispositionValue !== 'inline');
  if (isAttachment) {
    walk.attachments++;
    const name = disposition?.params['filename'] ?? type?.params['name'];
    if (name && walk.names.length < LIMITS.maxAttachmentsListed) walk.names.push(decodeWords(name));
    return;
  }
  const bytes = decodeTransfer(walk.raw.subarray(bodyStart, end), (headers.get('content-transfer-encoding') ?? '').trim().toLowerCase());
  const charset = type?.params['charset'] ?? null;
  if (contentType === 'text/html') walk.html.push({ bytes, charset });
  // Bytes that are UTF-8 and say so (or say nothing) go to the index as they are.
  else walk.plain.push(isUtf8OrAscii(charset) && isUtf8(bytes) ? bytes : decodeDeclaredAsIs(bytes, charset));
}

const LF = new Uint8Array([0x0a]);
const asText = new TextDecoder();

/**
 * The plain parts joined by line breaks, without white space at either end:
 * bytes when every part is bytes, else a string. An empty result means no
 * plain text (the HTML's words are used). For bytes, "white space" is ASCII
 * white space: a part of nothing but non-breaking spaces counts as text.
 */
function joinPlain(parts: IndexBody[]): IndexBody {
  if (parts.every((p): p is Uint8Array => typeof p !== 'string')) {
    return trimBytes(parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts.flatMap((p, i) => (i === 0 ? [p] : [LF, p]))));
  }
  return parts.map((p) => (typeof p === 'string' ? p : asText.decode(p))).join('\n').trim();
}

function trimBytes(bytes: Uint8Array): Uint8Array {
  let start = 0;
  let end = bytes.length;
  while (start < end && isAsciiSpace(bytes[start] as number)) start++;
  while (end > start && isAsciiSpace(bytes[end - 1] as number)) end--;
  return start === 0 && end === bytes.length ? bytes : bytes.subarray(start, end);
}

function isAsciiSpace(c: number): boolean {
  return c === 0x20 || (c >= 0x09 && c <= 0x0d);
}

/**
 * The first occurrence of each Content-* header field of the part (names in
 * lower case, folded lines joined), and where its body starts: after the
 * first empty line, or at the end when there is none. Header bytes are read
 * as UTF-8, as the header-fields parser for the list reads them.
 */
function readHeaders(raw: Buffer, start: number, end: number): { headers: Map<string, string>; bodyStart: number } {
  const headers = new Map<string, string>();
  // A part that starts with an empty line has no header.
  if (raw[start] === 0x0a) return { headers, bodyStart: start + 1 };
  if (raw[start] === 0x0d && raw[start + 1] === 0x0a) return { headers, bodyStart: start + 2 };
  // Only the header size limit is searched, so a part without an empty line costs no more than that.
  const limit = Math.min(end, start + LIMITS.maxMimeHeaderBytes);
  const head = raw.subarray(start, limit);
  let headEnd = limit;
  // No empty line: all header (or a header past the limit), no body.
  let bodyStart = end;
  const crlf = head.indexOf('\n\r\n');
  // A bare-LF empty line counts only before the CRLF one, so only that much is
  // searched: searching the whole part would read every attachment twice.
  const lf = (crlf >= 0 ? head.subarray(0, crlf + 2) : head).indexOf('\n\n');
  if (crlf >= 0 && (lf < 0 || crlf < lf)) {
    headEnd = start + crlf + 1;
    bodyStart = start + crlf + 3;
  } else if (lf >= 0) {
    headEnd = start + lf + 1;
    bodyStart = start + lf + 2;
  }
  // Only Content-* fields decide anything here: the rest (Received, DKIM, ...,
  // most of a message's header) is stepped over as bytes, never made a string.
  let line = start;
  while (line < headEnd) {
    // The field: this line and the folded lines after it (they start with white space).
    let end = lineEnd(raw, line, headEnd);
    while (end + 1 < headEnd && (raw[end + 1] === 0x20 || raw[end + 1] === 0x09)) end = lineEnd(raw, end + 1, headEnd);
    let at = line;
    while (at < end && (raw[at] === 0x20 || raw[at] === 0x09)) at++;
    if (startsWithContent(raw, at, end)) {
      const field = raw.toString('utf8', at, end).replace(/\r?\n[ \t]+/g, ' ');
      const colon = field.indexOf(':');
      if (colon > 0) {
        const name = field.slice(0, colon).trim().toLowerCase();
        if (!headers.has(name)) headers.set(name, field.slice(colon + 1).trim());
      }
    }
    line = end + 1;
  }
  return { headers, bodyStart };
}

/** Where the line starting at `from` ends: its LF, or `limit`. */
function lineEnd(raw: Buffer, from: number, limit: number): number {
  const lf = raw.indexOf(0x0a, from);
  return lf < 0 || lf >= limit ? limit : lf;
}

const CONTENT = Buffer.from('content-');

/** "Content-" in any case at raw[at]. */
function startsWithContent(raw: Buffer, at: number, end: number): boolean {
  if (end - at < CONTENT.length) return false;
  for (let i = 0; i < CONTENT.length; i++) {
    const c = raw[at + i] as number;
    if ((c >= 0x41 && c <= 0x5a ? c | 0x20 : c) !== CONTENT[i]) return false;
  }
  return true;
}

/**
 * The [start, end) ranges of a multipart body's parts: between delimiter
 * lines "--boundary" that begin a line. The line break before a delimiter
 * belongs to the delimiter; the preamble and the epilogue are skipped. A
 * missing close delimiter ends the last part at the end of the body.
 */
function splitMultipart(raw: Buffer, start: number, end: number, boundary: string): [number, number][] {
  const delimiter = Buffer.from(`--${boundary}`, 'utf8');
  const ranges: [number, number][] = [];
  let partStart = -1;
  let at = start;
  while (at < end) {
    const found = raw.indexOf(delimiter, at);
    if (found < 0 || found + delimiter.length > end) break;
    at = found + delimiter.length;
    if (found !== start && raw[found - 1] !== 0x0a) continue;
    // The delimiter line: "--boundary", "--" when it closes, then optional white space.
    const closes = raw[at] === 0x2d && raw[at + 1] === 0x2d;
    let lineEnd = closes ? at + 2 : at;
    while (lineEnd < end && (raw[lineEnd] === 0x20 || raw[lineEnd] === 0x09)) lineEnd++;
    if (lineEnd < end && raw[lineEnd] !== 0x0d && raw[lineEnd] !== 0x0a) continue; // "--boundaryX": a longer boundary
    if (partStart >= 0) {
      let partEnd = found;
      if (partEnd > partStart && raw[partEnd - 1] === 0x0a) partEnd--;
      if (partEnd > partStart && raw[partEnd - 1] === 0x0d) partEnd--;
      ranges.push([partStart, partEnd]);
      if (ranges.length >= LIMITS.maxMimeParts) return ranges;
    }
    if (closes) return ranges;
    if (raw[lineEnd] === 0x0d) lineEnd++;
    if (raw[lineEnd] === 0x0a) lineEnd++;
    partStart = lineEnd;
    at = lineEnd;
  }
  if (partStart >= 0 && partStart < end) ranges.push([partStart, end]);
  return ranges;
}

function decodeTransfer(body: Buffer, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.toString('latin1'), 'base64');
  if (encoding === 'quoted-printable') return decodeQuotedPrintable(body);
  return body;
}

/** RFC 2045 6.7: "=XX" is a byte, "=" at the end of a line is a soft break; anything else is kept as it is. */
export function decodeQuotedPrintable(body: Buffer): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let n = 0;
  let i = 0;
  while (i < body.length) {
    // Runs without "=" are copied whole (most of a text is such runs).
    const eq = body.indexOf(0x3d, i);
    const runEnd = eq < 0 ? body.length : eq;
    if (runEnd > i) n += body.copy(out, n, i, runEnd);
    if (eq < 0) break;
    // Soft line break: "=" then optional white space then CRLF or LF.
    let j = eq + 1;
    while (j < body.length && (body[j] === 0x20 || body[j] === 0x09)) j++;
    if (body[j] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (body[j] === 0x0d && body[j + 1] === 0x0a) {
      i = j + 2;
      continue;
    }
    if (j === body.length) break;
    const hi = hexValue(body[eq + 1]);
    const lo = hexValue(body[eq + 2]);
    if (hi >= 0 && lo >= 0) {
      out[n++] = hi * 16 + lo;
      i = eq + 3;
    } else {
      out[n++] = 0x3d;
      i = eq + 1;
    }
  }
  return out.subarray(0, n);
}

function hexValue(c: number | undefined): number {
  if (c === undefined) return -1;
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  return -1;
}

type HeaderValue = { value: string; params: Record<string, string> };

/**
 * Most parts' Content-Type and Content-Disposition are one of a few values
 * ("text/plain; charset=utf-8", "inline"), and libmime's parser was a sixth
 * of the extraction's time, so parses are kept. Bounded: when full it starts
 * over. Nothing here changes a parsed value, so they are shared.
 */
const VALUE_CACHE_MAX = 256;
const valueCache = new Map<string, HeaderValue | null>();

function parseValue(value: string | undefined): HeaderValue | null {
  if (value === undefined) return null;
  const cached = valueCache.get(value);
  if (cached !== undefined) return cached;
  let result: HeaderValue | null;
  try {
    const parsed = libmime.parseHeaderValue(value);
    const params: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed.params)) if (typeof v === 'string') params[k.toLowerCase()] = v;
    result = { value: parsed.value, params };
  } catch {
    result = null;
  }
  if (valueCache.size >= VALUE_CACHE_MAX) valueCache.clear();
  valueCache.set(value, result);
  return result;
}

function decodeWords(value: string): string {
  try {
    return libmime.decodeWords(value).trim();
  } catch {
    return value.trim();
  }
}

const ENTITIES: Record<string, string> = { nbsp: ' ', amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const SCRIPT_END = /<\/script\s*>/gi;
const STYLE_END = /<\/style\s*>/gi;

/**
 * HTML -> its words for the index: scripts, styles, comments and tags
 * dropped, the common entities and numeric references decoded, white space
 * collapsed. Not for showing: nothing here is sanitised. One pass with
 * indexOf (no backtracking regular expression), so hostile markup such as
 * thousands of unclosed "<" costs linear time.
 */
export function htmlToWords(html: string): string {
  const out: string[] = [];
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      out.push(html.slice(i));
      break;
    }
    out.push(html.slice(i, lt), ' ');
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    const gt = html.indexOf('>', lt + 1);
    // No tag closes any more: the rest is text.
    if (gt < 0) {
      out.push(html.slice(lt));
      break;
    }
    i = gt + 1;
    const name = html.slice(lt + 1, lt + 7).toLowerCase();
    const end = name.startsWith('script') ? SCRIPT_END : name.startsWith('style') ? STYLE_END : null;
    if (end) {
      end.lastIndex = i;
      const match = end.exec(html);
      i = match ? match.index + match[0].length : html.length;
    }
  }
  return out.join('')
    .replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,5});/gi, (whole, ref: string) => {
      if (ref[0] !== '#') return ENTITIES[ref.toLowerCase()] ?? whole;
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : ' ';
    })
    .replace(/\s+/g, ' ')
    .trim();
}
