/**
 * Runs mailparser's MailParser over a raw message and collects what the
 * model needs: the root headers, the attachments in order (hashed, and the
 * content of the ones asked for), the HTML view mailparser builds, and the
 * part tree.
 *
 * Why MailParser and not simpleParser: simpleParser joins every text/plain
 * part into one `text` and invents one from the HTML when there is none, but
 * the model's `text` is the first real text/plain part. Only the part tree
 * that MailParser keeps (its `tree` property, not in its typings) says which
 * parts those are. Reading it is checked at run time (readPartTree), so a
 * mailparser upgrade that changes it fails loudly, and the tests catch it.
 * MailParser also lets us hash attachments as they stream and keep only the
 * content we were asked for, instead of buffering every attachment.
 */
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { MailParser, type AttachmentStream, type HeaderLines, type Headers } from 'mailparser';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { repairRaw } from './raw-repair.ts';
import { mimeTree, type MimeNode } from './mime-tree.ts';

/** One leaf or multipart node of the MIME tree, as mailparser keeps it. */
export interface MimePart {
  contentType: string;
  /** mailparser's verdict: a non-text type, or a disposition other than inline. Absent on multipart nodes. */
  isAttachment: boolean;
  /** Decoded body of a text part that is not an attachment; '' when empty, null when not read (a limit stopped the parse first). */
  textContent: string | null;
  /** The declared charset parameter, null when none. */
  charset: string | null;
  /** IMAP part number as mime-tree.ts numbers it ('1', '1.2'; '' for the top multipart), to read the part again. */
  partNumber: string;
  children: MimePart[];
}

export interface RawAttachment {
  filename: string | null;
  /** The declared type, lower case: mailparser guesses one from the file name for octet-stream, we keep what the sender said. */
  contentType: string;
  contentId: string | null;
  /** The Content-Disposition value as written (lower case), null when absent. */
  disposition: string | null;
  /** Inside multipart/related and carrying a Content-ID: an embedded image. */
  related: boolean;
  size: number;
  sha256: string;
  /** Decoded bytes, only for the indexes the caller asked for. */
  content: Buffer | null;
}

export interface MailParts {
  headers: Headers;
  headerLines: HeaderLines;
  attachments: RawAttachment[];
  /** mailparser's HTML view: the text/html parts in order (text parts outside an alternative turned into HTML); null when no HTML part. */
  html: string | null;
  tree: MimePart;
  /** The raw body after the root header, for a multipart whose parts could not be found (no boundary in the body); null otherwise. */
  unsplitBody: Buffer | null;
  /** What could not be read, in words for the person (ParsedMessage.notes). */
  notes: string[];
}

// The raw message is fed in slices through a stream with backpressure, not in one write,
// so the splitter works at the pace of the attachments being read (more of them are
// listed when it stops at a limit) and a large message is never one giant chunk.
const FEED_BYTES = 256 * 1024;

/**
 * Parses `raw`. `keepContent(index)` says which attachments' bytes to keep;
 * attachments past LIMITS.maxAttachmentsListed are read through and not listed.
 * Past the part or header size limit, parsing stops and what was read so far
 * is returned, with a note. `signal` stops the parse (CANCELLED).
 */
export async function readMailParts(input: Buffer, keepContent: (index: number) => boolean, signal?: AbortSignal): Promise<MailParts> {
  if (input.length > LIMITS.maxParseBytes) {
    throw new PosternError(
      'BAD_INPUT',
      `The message is ${formatMiB(input.length)}, larger than the ${formatMiB(LIMITS.maxParseBytes)} Postern reads.`,
    );
  }
  throwIfAborted(signal);
  const repaired = repairRaw(input);
  const raw = repaired.raw;
  const notes = [...repaired.notes];
  const parser = new MailParser({
    // message/rfc822 parts stay single attachments: the model never descends into them.
    ignoreEmbedded: true,
    // A delivery report is an attachment, not body text.
    keepDeliveryStatus: true,
    // The model's text comes from real text/plain parts only.
    skipHtmlToText: true,
    // We hash with SHA-256 ourselves; mailparser's default is MD5.
    checksumAlgo: false,
    maxChildNodes: LIMITS.maxMimeParts,
    maxHeadSize: LIMITS.maxMimeHeaderBytes,
  });
  const attachments: RawAttachment[] = [];
  let html: string | null = null;
  // The attachment whose content is being read. A parser error (too many parts, say)
  // does not end that content stream, so without this the read below would wait forever.
  let reading: AttachmentStream | null = null;
  let parserError: Error | null = null;
  const stop = (err: Error): void => {
    parserError ??= err;
    reading?.content.destroy(err);
    // Ends the for-await below with this error.
    parser.destroy(err);
  };
  const onAbort = (): void => stop(cancelled());
  parser.on('error', stop);
  signal?.addEventListener('abort', onAbort, { once: true });
  const feed = Readable.from(slices(raw), { objectMode: false });
  feed.on('error', stop);
  let limitHit: string | null = null;
  let attachmentCount = 0;
  try {
    feed.pipe(parser);
    for await (const data of parser as AsyncIterable<unknown>) {
      const item = data as { type?: unknown };
      if (item.type === 'text') {
        const text = data as { html?: unknown };
        if (typeof text.html === 'string') html = text.html;
        continue;
      }
      if (item.type !== 'attachment') continue;
      const att = data as AttachmentStream;
      const index = attachmentCount++;
      const keep = index < LIMITS.maxAttachmentsListed && keepContent(index);
      const hash = createHash('sha256');
      const chunks: Buffer[] = [];
      let size = 0;
      reading = att;
      if (parserError !== null) throw parserError;
      for await (const chunk of att.content as AsyncIterable<Buffer>) {
        hash.update(chunk);
        size += chunk.length;
        if (keep) chunks.push(chunk);
      }
      reading = null;
      att.release?.();
      if (index >= LIMITS.maxAttachmentsListed) continue;
      attachments.push({
        filename: att.filename ?? null,
        contentType: declaredType(att.headers) ?? att.contentType.toLowerCase(),
        contentId: att.cid !== undefined && att.cid !== '' ? att.cid : null,
        disposition: att.contentDisposition?.toLowerCase() ?? null,
        related: att.related === true,
        size,
        sha256: hash.digest('hex'),
        content: keep ? Buffer.concat(chunks, size) : null,
      });
    }
    if (parserError !== null) throw parserError;
  } catch (err) {
    const cause = parserError ?? err;
    if (cause instanceof PosternError) throw cause;
    limitHit = limitNote(cause);
    if (limitHit === null) {
      throw new PosternError('BAD_INPUT', `The message could not be parsed: ${cause instanceof Error ? cause.message : String(cause)}`, {
        cause,
      });
    }
    notes.push(limitHit);
  } finally {
    parser.off('error', stop);
    signal?.removeEventListener('abort', onAbort);
    feed.unpipe(parser);
    feed.destroy();
    parser.destroy();
  }
  const headers = parser.headers === false ? new Map() : parser.headers;
  const headerLines = parser.headerLines === false ? [] : parser.headerLines;
  // Stopped at a limit, mailparser's tree holds only the parts it had reached, which may be
  // none: the splitter runs ahead of it. The structure comes from a reading of the splitter
  // alone then, and the body texts are read from the raw parts (textContent null).
  const tree = limitHit === null ? readPartTree((parser as unknown as { tree: unknown }).tree) : fromMimeNode(await mimeTree(raw, signal));
  let unsplitBody: Buffer | null = null;
  if (limitHit === null && tree.contentType.startsWith('multipart/') && tree.children.length === 0) {
    unsplitBody = raw.subarray(bodyStart(raw));
    if (unsplitBody.toString('latin1', 0, 4096).trim() !== '') {
      notes.push('The parts of this message could not be found (its boundary never appears), so its body is shown as plain text.');
    }
  }
  if (attachmentCount > LIMITS.maxAttachmentsListed) {
    notes.push(`This message has more than ${LIMITS.maxAttachmentsListed} attachments; only the first ${LIMITS.maxAttachmentsListed} are listed.`);
  }
  return { headers, headerLines, attachments, html, tree, unsplitBody, notes };
}

function* slices(raw: Buffer): Generator<Buffer> {
  for (let i = 0; i < raw.length; i += FEED_BYTES) yield raw.subarray(i, i + FEED_BYTES);
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw cancelled();
}

function cancelled(): PosternError {
  return new PosternError('CANCELLED', 'Reading the message was stopped before it finished.');
}

/** The note for a splitter limit error, or null when `err` is not one. */
function limitNote(err: unknown): string | null {
  if (err === null || typeof err !== 'object' || (err as { code?: unknown }).code !== 'EMAXLEN') return null;
  const message = err instanceof Error ? err.message : '';
  if (/child nodes/i.test(message)) {
    return `This message has more than ${LIMITS.maxMimeParts} parts; only the first ones are shown.`;
  }
  if (/header size/i.test(message)) {
    return `A part of this message has a header larger than ${formatMiB(LIMITS.maxMimeHeaderBytes)}; the parts from there on are not shown.`;
  }
  return `This message is larger than Postern reads in one piece; only its beginning is shown.`;
}

// Types mailparser shows as body text (message/delivery-status is not: keepDeliveryStatus).
const TEXT_TYPES = new Set(['text/plain', 'text/html']);

/** mimeTree()'s node as a MimePart, deciding attachments the way mailparser does. */
function fromMimeNode(node: MimeNode): MimePart {
  const disposition = node.disposition === 'attachment' || node.disposition === 'inline' ? node.disposition : node.disposition === null ? null : 'attachment';
  const isText = TEXT_TYPES.has(node.content_type);
  return {
    contentType: node.content_type,
    isAttachment: node.content_type.startsWith('multipart/') ? false : !isText || (disposition ?? 'inline') !== 'inline',
    textContent: null,
    charset: node.charset,
    partNumber: node.part_number,
    children: node.children.map(fromMimeNode),
  };
}

/** Where the body starts: after the first empty line (LF or CRLF), or the end when there is none. */
function bodyStart(raw: Buffer): number {
  if (raw[0] === 0x0a) return 1;
  if (raw[0] === 0x0d && raw[1] === 0x0a) return 2;
  const lflf = raw.indexOf('\n\n');
  const crlf = raw.indexOf('\n\r\n');
  const candidates = [lflf === -1 ? -1 : lflf + 2, crlf === -1 ? -1 : crlf + 3].filter((n) => n !== -1);
  return candidates.length === 0 ? raw.length : Math.min(...candidates);
}

function declaredType(headers: Headers): string | null {
  const value = headers.get('content-type');
  if (value !== null && typeof value === 'object' && 'value' in value && typeof value.value === 'string' && value.value !== '') {
    return value.value.toLowerCase();
  }
  return null;
}

/** Copies mailparser's internal tree into MimePart, checking every field it relies on. */
function readPartTree(node: unknown, isRoot = true): MimePart {
  if (node === null || typeof node !== 'object') {
    throw new PosternError('INTERNAL', 'mailparser did not keep a MIME tree (has its internals changed?)');
  }
  const n = node as { contentType?: unknown; isAttachment?: unknown; textContent?: unknown; children?: unknown; charset?: unknown; node?: { partNr?: unknown } };
  if (typeof n.contentType !== 'string' || !Array.isArray(n.children)) {
    throw new PosternError('INTERNAL', 'mailparser kept a MIME tree of an unknown shape (has its internals changed?)');
  }
  return {
    contentType: n.contentType.toLowerCase(),
    isAttachment: n.isAttachment === true,
    textContent: typeof n.textContent === 'string' ? n.textContent : null,
    charset: typeof n.charset === 'string' ? n.charset : null,
    partNumber: partNumberOf(n.node?.partNr, isRoot, n.contentType),
    children: n.children.map((child) => readPartTree(child, false)),
  };
}

/** The splitter's part number (numbers and 'TEXT' markers) as mime-tree.ts writes it. */
function partNumberOf(partNr: unknown, isRoot: boolean, contentType: string): string {
  const numbers = Array.isArray(partNr) ? partNr.filter((n): n is number => typeof n === 'number') : [];
  if (numbers.length > 0) return numbers.join('.');
  return isRoot && !contentType.toLowerCase().startsWith('multipart/') ? '1' : '';
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
