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
import { MailParser, type AttachmentStream, type HeaderLines, type Headers } from 'mailparser';
import { LIMITS } from '../common/limits.ts';
import { PosternError } from '../common/errors.ts';

/** One leaf or multipart node of the MIME tree, as mailparser keeps it. */
export interface MimePart {
  contentType: string;
  /** mailparser's verdict: a non-text type, or a disposition other than inline. Absent on multipart nodes. */
  isAttachment: boolean;
  /** Decoded body of a text part that is not an attachment; '' when empty. */
  textContent: string | null;
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
}

/**
 * Parses `raw`. `keepContent(index)` says which attachments' bytes to keep;
 * attachments past LIMITS.maxAttachmentsListed are read through and not listed.
 */
export async function readMailParts(raw: Buffer, keepContent: (index: number) => boolean): Promise<MailParts> {
  if (raw.length > LIMITS.maxParseBytes) {
    throw new PosternError(
      'BAD_INPUT',
      `The message is ${formatMiB(raw.length)}, larger than the ${formatMiB(LIMITS.maxParseBytes)} Postern reads.`,
    );
  }
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
  const onParserError = (err: Error): void => {
    parserError = err;
    reading?.content.destroy(err);
  };
  parser.on('error', onParserError);
  try {
    parser.end(raw);
    for await (const data of parser as AsyncIterable<unknown>) {
      const item = data as { type?: unknown };
      if (item.type === 'text') {
        const text = data as { html?: unknown };
        if (typeof text.html === 'string') html = text.html;
        continue;
      }
      if (item.type !== 'attachment') continue;
      const att = data as AttachmentStream;
      const index = attachments.length;
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
  } catch (err) {
    if (err instanceof PosternError) throw err;
    throw new PosternError('BAD_INPUT', `The message could not be parsed: ${err instanceof Error ? err.message : String(err)}`, {
      cause: err,
    });
  } finally {
    parser.off('error', onParserError);
    parser.destroy();
  }
  const headers = parser.headers === false ? new Map() : parser.headers;
  const headerLines = parser.headerLines === false ? [] : parser.headerLines;
  return { headers, headerLines, attachments, html, tree: readPartTree((parser as unknown as { tree: unknown }).tree) };
}

function declaredType(headers: Headers): string | null {
  const value = headers.get('content-type');
  if (value !== null && typeof value === 'object' && 'value' in value && typeof value.value === 'string' && value.value !== '') {
    return value.value.toLowerCase();
  }
  return null;
}

/** Copies mailparser's internal tree into MimePart, checking every field it relies on. */
function readPartTree(node: unknown): MimePart {
  if (node === null || typeof node !== 'object') {
    throw new PosternError('INTERNAL', 'mailparser did not keep a MIME tree (has its internals changed?)');
  }
  const n = node as { contentType?: unknown; isAttachment?: unknown; textContent?: unknown; children?: unknown };
  if (typeof n.contentType !== 'string' || !Array.isArray(n.children)) {
    throw new PosternError('INTERNAL', 'mailparser kept a MIME tree of an unknown shape (has its internals changed?)');
  }
  return {
    contentType: n.contentType.toLowerCase(),
    isAttachment: n.isAttachment === true,
    textContent: typeof n.textContent === 'string' ? n.textContent : null,
    children: n.children.map(readPartTree),
  };
}

function formatMiB(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
