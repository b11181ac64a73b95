/**
 * Raw message -> the message model (see message-model.ts). The message is
 * given as its bytes or as the file that holds them (raw-source.ts); from a
 * file, a large message is streamed, never whole in memory.
 *
 * Which leaves are attachments: a part whose Content-Disposition is present
 * and not inline, or whose type is neither text/plain nor text/html.
 * message/rfc822 parts are single attachments; the parser does not descend
 * into them (parseAttachedMessage() opens one as a message of its own).
 * Damage and limits do not make a message fail: it shows what can be read,
 * and `notes` says what could not. Attachments are listed in the order they appear in the message,
 * the same order getAttachmentContent() counts in.
 */
import { PosternError } from '../common/errors.ts';
import { addressList, dateHeader, referencesList, stringHeader } from './header-values.ts';
import type { Writable } from 'node:stream';
import { readMailParts, type MimePart, type RawAttachment } from './mail-parts.ts';
import type { AttachmentContent, ModelAttachment, ParsedMessage } from './message-model.ts';
import { safeFileName, uniqueFileNames } from './safe-filename.ts';
import { sanitizeHtml } from './sanitize-html.ts';
import { htmlAsText, htmlNestsDeeperThan } from './html-depth.ts';
import { LIMITS } from '../common/limits.ts';
import { decodeDeclared, decodeUnknownText, isUtf8OrAscii } from './text-decoding.ts';
import { extractParts, type ExtractedPart } from './mime-tree.ts';
import type { RawSource } from './raw-source.ts';

export type { AttachmentContent, ModelAddress, ModelAttachment, ParsedMessage } from './message-model.ts';
export type { RawSource } from './raw-source.ts';

export interface ParseOptions {
  /** Used when the Date header is missing or unreadable (e.g. the server's INTERNALDATE). */
  fallbackDate?: Date;
  /** Stops the parse (it then rejects with CANCELLED): for a deadline, or when the person moves on. */
  signal?: AbortSignal;
}

export async function parseMessage(raw: RawSource, opts: ParseOptions = {}): Promise<ParsedMessage> {
  const parts = await readMailParts(raw, () => 'drop', opts.signal);
  const leaves = bodyLeaves(parts.tree);
  const firstText = leaves.find((p) => p.contentType === 'text/plain');
  const htmlLeaves = leaves.filter((p) => p.contentType === 'text/html');
  const htmlPresent = htmlLeaves.length > 0;
  const rereadHtml = htmlLeaves.some(needsRereading);
  const [text, ...htmlTexts] = await leafTexts(raw, [...(firstText === undefined ? [] : [firstText]), ...(rereadHtml ? htmlLeaves : [])], opts.signal);
  const html = rereadHtml ? htmlTexts.join('<br/>') : parts.html;
  const notes = [...parts.notes];
  const htmlRendered = htmlPresent ? renderHtml(html ?? '', notes) : null;
  const fallback = opts.fallbackDate !== undefined && !Number.isNaN(opts.fallbackDate.getTime()) ? opts.fallbackDate : null;
  return {
    subject: stringHeader(parts.headers, 'subject') ?? '',
    from: addressList(parts.headers, 'from'),
    to: addressList(parts.headers, 'to'),
    cc: addressList(parts.headers, 'cc'),
    reply_to: addressList(parts.headers, 'reply-to'),
    date_iso: dateHeader(parts.headerLines) ?? fallback?.toISOString() ?? null,
    message_id: stringHeader(parts.headers, 'message-id'),
    in_reply_to: stringHeader(parts.headers, 'in-reply-to'),
    references: referencesList(parts.headers),
    text: firstText !== undefined ? (text ?? '') : parts.unsplitBody !== null ? decodeUnknownText(parts.unsplitBody) : null,
    html_present: htmlPresent,
    html_rendered: htmlRendered,
    attachments: describeAttachments(parts.attachments),
    notes,
  };
}

/** The decoded bytes of attachment `index` (0-based, the model's order), with its safe file name. */
export async function getAttachmentContent(raw: RawSource, index: number, signal?: AbortSignal): Promise<AttachmentContent> {
  checkIndex(index);
  const parts = await readMailParts(raw, (i) => (i === index ? 'keep' : 'drop'), signal);
  const wanted = parts.attachments[index];
  if (wanted?.content == null) throw new PosternError('NOT_FOUND', `The message has no attachment number ${index}.`);
  const model = describeAttachments(parts.attachments)[index];
  return { filename: model?.save_as ?? '', content_type: wanted.contentType, content: wanted.content };
}

/**
 * Writes the decoded bytes of attachment `index` to `out` as they are
 * decoded, and ends it: for saving a large attachment to a file without
 * holding it in memory. Returns what getAttachmentContent() says besides the
 * bytes, and their size. `out` is not ended when there is no such attachment
 * (NOT_FOUND) or the parse fails.
 */
export async function writeAttachment(raw: RawSource, index: number, out: Writable, signal?: AbortSignal): Promise<Omit<AttachmentContent, 'content'> & { size: number }> {
  checkIndex(index);
  const parts = await readMailParts(raw, (i) => (i === index ? out : 'drop'), signal);
  const wanted = parts.attachments[index];
  if (wanted === undefined) throw new PosternError('NOT_FOUND', `The message has no attachment number ${index}.`);
  const model = describeAttachments(parts.attachments)[index];
  return { filename: model?.save_as ?? '', content_type: wanted.contentType, size: wanted.size };
}

function checkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0) throw new PosternError('BAD_INPUT', `There is no attachment number ${index}.`);
}

// Types whose content is a whole message of its own (RFC 822, and RFC 6532's UTF-8 one).
const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

/**
 * The model of attachment `index` when it is an attached message
 * (message/rfc822): its own headers, body and attachments. Its Date falls
 * back to nothing (null), not to the outer message's date.
 */
export async function parseAttachedMessage(raw: RawSource, index: number, signal?: AbortSignal): Promise<ParsedMessage> {
  const attachment = await getAttachmentContent(raw, index, signal);
  if (!MESSAGE_TYPES.has(attachment.content_type)) {
    throw new PosternError('BAD_INPUT', `Attachment number ${index} is ${attachment.content_type}, not an attached message.`);
  }
  return parseMessage(attachment.content, signal === undefined ? {} : { signal });
}

function describeAttachments(attachments: readonly RawAttachment[]): ModelAttachment[] {
  const saveAs = uniqueFileNames(attachments.map((a, i) => safeFileName(a.filename, a.contentType, i)));
  return attachments.map((a, i) => ({
    filename: a.filename,
    save_as: saveAs[i] ?? safeFileName(null, a.contentType, i),
    content_type: a.contentType,
    size: a.size,
    sha256: a.sha256,
    content_id: a.contentId,
    inline: a.disposition === 'inline' || (a.disposition === null && a.related),
  }));
}

/**
 * The sanitised HTML for the view. Markup too deep for the sanitiser's parser
 * (quadratic in depth) becomes its text, and only the beginning of very long
 * HTML is kept, each with a note pushed onto `notes`.
 */
function renderHtml(html: string, notes: string[]): string {
  let input = html;
  if (htmlNestsDeeperThan(input, LIMITS.maxHtmlNestingDepth)) {
    input = htmlAsText(input);
    notes.push(`The HTML of this message is nested more than ${LIMITS.maxHtmlNestingDepth} levels deep, so only its text is shown.`);
  }
  if (input.length > LIMITS.maxHtmlChars) {
    input = input.slice(0, LIMITS.maxHtmlChars);
    notes.push(`The HTML of this message is longer than ${LIMITS.maxHtmlChars / (1024 * 1024)} MB; only its beginning is shown.`);
  }
  return sanitizeHtml(input);
}

/**
 * A text leaf whose text mailparser could not give: not read because a limit
 * stopped the parse first, or declared UTF-8 (or ASCII, or nothing) with bytes
 * that are not, which mailparser turns into U+FFFD.
 */
function needsRereading(leaf: MimePart): boolean {
  return leaf.textContent === null || (isUtf8OrAscii(leaf.charset) && leaf.textContent.includes('\uFFFD'));
}

/**
 * The texts of body leaves (same order), each read again from the raw part
 * when mailparser's is missing or damaged: all such leaves in one more pass.
 */
async function leafTexts(raw: RawSource, leaves: readonly MimePart[], signal: AbortSignal | undefined): Promise<string[]> {
  const again = new Set(leaves.filter(needsRereading));
  let parts = new Map<string, ExtractedPart>();
  if (again.size > 0) {
    try {
      parts = await extractParts(raw, [...again].map((leaf) => leaf.partNumber), signal);
    } catch (err) {
      if (err instanceof PosternError && err.code === 'CANCELLED') throw err;
    }
  }
  return leaves.map((leaf) => {
    const part = again.has(leaf) ? parts.get(leaf.partNumber) : undefined;
    return part === undefined ? (leaf.textContent ?? '') : decodeDeclared(part.content, leaf.charset);
  });
}

/** The leaves that are body text (text/plain or text/html shown inline), in document order. */
function bodyLeaves(part: MimePart, out: MimePart[] = []): MimePart[] {
  if (part.children.length === 0) {
    if (!part.isAttachment && !part.contentType.startsWith('multipart/')) out.push(part);
  } else {
    for (const child of part.children) bodyLeaves(child, out);
  }
  return out;
}
