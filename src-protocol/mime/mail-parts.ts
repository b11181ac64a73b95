/**
 * Runs mailparser's MailParser over a raw message and collects what the
 * model needs: the root headers, the attachments in order (hashed, and the
 * content of the ones asked for), the HTML view (html-view.ts), and the part
 * tree.
 *
 * Why MailParser and not simpleParser: simpleParser joins every text/plain
 * part into one `text` and invents one from the HTML when there is none, but
 * the model's `text` is the first real text/plain part. Only the part tree
 * that MailParser keeps (its `tree` property, not in its typings) says which
 * parts those are. Reading it is checked at run time (readPartTree), so a
 * mailparser upgrade that changes it fails loudly, and the tests catch it.
 * MailParser also lets us hash attachments as they stream and keep only the
 * content we were asked for, instead of buffering every attachment: read
 * from a file (raw-source.ts), a message with a large attachment is never
 * whole in memory, raw or decoded.
 */
import { createHash } from 'node:crypto';
import type { Readable, Writable } from 'node:stream';
import { MailParser, type AttachmentStream, type HeaderLines, type Headers } from 'mailparser';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';
import { mimeTree, type MimeNode } from './mime-tree.ts';
import { feedInto, formatMiB, openRaw, readRepaired, type RawSource } from './raw-source.ts';
import { htmlView } from './html-view.ts';

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
  /** Decoded bytes, only for the indexes the caller asked to keep. */
  content: Buffer | null;
}

export interface MailParts {
  headers: Headers;
  headerLines: HeaderLines;
  attachments: RawAttachment[];
  /** The HTML view (html-view.ts): the text/html parts in order, text parts outside an alternative turned into HTML; null when there is none. */
  html: string | null;
  tree: MimePart;
  /** The raw body after the root header, for a multipart whose parts could not be found (no boundary in the body); null otherwise. */
  unsplitBody: Buffer | null;
  /** What could not be read, in words for the person (ParsedMessage.notes). */
  notes: string[];
}

/**
 * What to do with an attachment's decoded bytes, besides counting and
 * hashing them: nothing ('drop'), keep them in memory ('keep', for
 * RawAttachment.content), or write them to a stream as they are decoded
 * (ended when the attachment ends; the parse waits when it asks to).
 */
export type ContentUse = 'drop' | 'keep' | Writable;

/**
 * Parses `source`. `contentFor(index)` says what to do with each attachment's
 * bytes; attachments past LIMITS.maxAttachmentsListed are read through and not
 * listed. Past the part or header size limit, parsing stops and what was read
 * so far is returned, with a note. `signal` stops the parse (CANCELLED).
 */
export async function readMailParts(source: RawSource, contentFor: (index: number) => ContentUse, signal?: AbortSignal): Promise<MailParts> {
  throwIfAborted(signal);
  const reader = await openRaw(source);
  const notes = [...reader.notes];
  const parser = new MailParser({
    // message/rfc822 parts stay single attachments: the model never descends into them.
    ignoreEmbedded: true,
    // A delivery report is an attachment, not body text.
    keepDeliveryStatus: true,
    // The model's text comes from real text/plain parts only.
    skipHtmlToText: true,
    // Nobody reads textAsHtml, and linkifying every text part is the costliest thing
    // mailparser does; html-view.ts converts the few text parts the HTML view shows.
    skipTextToHtml: true,
    // We hash with SHA-256 ourselves; mailparser's default is MD5.
    checksumAlgo: false,
    maxChildNodes: LIMITS.maxMimeParts,
    maxHeadSize: LIMITS.maxMimeHeaderBytes,
  });
  const attachments: RawAttachment[] = [];
  let attachmentCount = 0;
  let limitHit: string | null = null;
  let onAbort = (): void => undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      let settled = false;
      const fail = (err: unknown): void => {
        if (settled) return;
        settled = true;
        reject(err);
      };
      onAbort = () => fail(cancelled());
      signal?.addEventListener('abort', onAbort, { once: true });
      // It may have fired while the message was being opened.
      if (signal?.aborted === true) onAbort();
      parser.on('error', fail);
      // One attachment at a time: mailparser waits for its release() before going on.
      let reading = false;
      const readNext = (): void => {
        while (!settled && !reading) {
          const item = parser.read() as { type?: unknown } | null;
          if (item === null) return;
          if (item.type !== 'attachment') continue;
          reading = true;
          const index = attachmentCount++;
          const use = index < LIMITS.maxAttachmentsListed ? contentFor(index) : 'drop';
          readAttachment(item as AttachmentStream, use, fail, (attachment) => {
            if (index < LIMITS.maxAttachmentsListed) attachments.push(attachment);
            reading = false;
            readNext();
          });
        }
      };
      parser.on('readable', readNext);
      parser.on('end', () => {
        if (settled) return;
        settled = true;
        resolve();
      });
      feedInto(reader, parser).catch(fail);
    });
  } catch (err) {
    if (err instanceof PosternError) throw err;
    limitHit = limitNote(err);
    if (limitHit === null) {
      throw new PosternError('BAD_INPUT', `The message could not be parsed: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    notes.push(limitHit);
  } finally {
    signal?.removeEventListener('abort', onAbort);
    parser.destroy();
    await reader.close().catch(() => undefined);
  }
  const headers = parser.headers === false ? new Map() : parser.headers;
  const headerLines = parser.headerLines === false ? [] : parser.headerLines;
  // Stopped at a limit, mailparser's tree holds only the parts it had reached, which may be
  // none: the splitter runs ahead of it. The structure comes from a reading of the splitter
  // alone then, and the body texts are read from the raw parts (textContent null).
  const tree = limitHit === null ? readPartTree((parser as unknown as { tree: unknown }).tree) : fromMimeNode(await mimeTree(source, signal));
  let unsplitBody: Buffer | null = null;
  if (limitHit === null && tree.contentType.startsWith('multipart/') && tree.children.length === 0) {
    const raw = await readRepaired(source);
    unsplitBody = raw.subarray(bodyStart(raw));
    if (unsplitBody.toString('latin1', 0, 4096).trim() !== '') {
      notes.push('The parts of this message could not be found (its boundary never appears), so its body is shown as plain text.');
    }
  }
  if (attachmentCount > LIMITS.maxAttachmentsListed) {
    notes.push(`This message has more than ${LIMITS.maxAttachmentsListed} attachments; only the first ${LIMITS.maxAttachmentsListed} are listed.`);
  }
  return { headers, headerLines, attachments, html: htmlView(tree), tree, unsplitBody, notes };
}

/**
 * Reads one attachment's content as mailparser decodes it: counted, hashed,
 * and kept or written as `use` says. `done` gets its description once it has
 * ended and been released; `fail` any error on the way.
 */
function readAttachment(att: AttachmentStream, use: ContentUse, fail: (err: unknown) => void, done: (attachment: RawAttachment) => void): void {
  const hash = createHash('sha256');
  const chunks: Buffer[] = [];
  let size = 0;
  const content = att.content as Readable;
  const sink = typeof use === 'string' ? null : use;
  sink?.once('error', (err: Error) => fail(new PosternError('STORAGE', `The attachment could not be written: ${err.message}`, { cause: err })));
  content.on('data', (chunk: Buffer) => {
    hash.update(chunk);
    size += chunk.length;
    if (use === 'keep') chunks.push(chunk);
    else if (sink !== null && !sink.write(chunk)) {
      content.pause();
      sink.once('drain', () => content.resume());
    }
  });
  content.once('error', fail);
  content.once('end', () => {
    sink?.end();
    att.release?.();
    done({
      filename: att.filename ?? null,
      contentType: declaredType(att.headers) ?? att.contentType.toLowerCase(),
      contentId: att.cid !== undefined && att.cid !== '' ? att.cid : null,
      disposition: att.contentDisposition?.toLowerCase() ?? null,
      related: att.related === true,
      size,
      sha256: hash.digest('hex'),
      content: use === 'keep' ? Buffer.concat(chunks, size) : null,
    });
  });
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
