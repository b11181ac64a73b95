/**
 * Raw message bytes -> the message model (see message-model.ts).
 *
 * Which leaves are attachments: a part whose Content-Disposition is present
 * and not inline, or whose type is neither text/plain nor text/html.
 * message/rfc822 parts are single attachments; the parser does not descend
 * into them. Attachments are listed in the order they appear in the message,
 * the same order getAttachmentContent() counts in.
 */
import { PosternError } from '../common/errors.ts';
import { addressList, dateHeader, referencesList, stringHeader } from './header-values.ts';
import { readMailParts, type MimePart, type RawAttachment } from './mail-parts.ts';
import type { AttachmentContent, ModelAttachment, ParsedMessage } from './message-model.ts';
import { safeFileName, uniqueFileNames } from './safe-filename.ts';
import { sanitizeHtml } from './sanitize-html.ts';

export type { AttachmentContent, ModelAddress, ModelAttachment, ParsedMessage } from './message-model.ts';

export interface ParseOptions {
  /** Used when the Date header is missing or unreadable (e.g. the server's INTERNALDATE). */
  fallbackDate?: Date;
}

export async function parseMessage(raw: Buffer, opts: ParseOptions = {}): Promise<ParsedMessage> {
  const parts = await readMailParts(raw, () => false);
  const leaves = bodyLeaves(parts.tree);
  const firstText = leaves.find((p) => p.contentType === 'text/plain');
  const htmlPresent = leaves.some((p) => p.contentType === 'text/html');
  const fallback = opts.fallbackDate !== undefined && !Number.isNaN(opts.fallbackDate.getTime()) ? opts.fallbackDate : null;
  return {
    subject: stringHeader(parts.headers, 'subject') ?? '',
    from: addressList(parts.headers, 'from'),
    to: addressList(parts.headers, 'to'),
    cc: addressList(parts.headers, 'cc'),
    date_iso: dateHeader(parts.headerLines) ?? fallback?.toISOString() ?? null,
    message_id: stringHeader(parts.headers, 'message-id'),
    in_reply_to: stringHeader(parts.headers, 'in-reply-to'),
    references: referencesList(parts.headers),
    text: firstText === undefined ? null : (firstText.textContent ?? ''),
    html_present: htmlPresent,
    html_rendered: htmlPresent ? sanitizeHtml(parts.html ?? '') : null,
    attachments: describeAttachments(parts.attachments),
  };
}

/** The decoded bytes of attachment `index` (0-based, the model's order), with its safe file name. */
export async function getAttachmentContent(raw: Buffer, index: number): Promise<AttachmentContent> {
  if (!Number.isInteger(index) || index < 0) throw new PosternError('BAD_INPUT', `There is no attachment number ${index}.`);
  const parts = await readMailParts(raw, (i) => i === index);
  const wanted = parts.attachments[index];
  if (wanted?.content == null) throw new PosternError('NOT_FOUND', `The message has no attachment number ${index}.`);
  const model = describeAttachments(parts.attachments)[index];
  return { filename: model?.save_as ?? '', content_type: wanted.contentType, content: wanted.content };
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

/** The leaves that are body text (text/plain or text/html shown inline), in document order. */
function bodyLeaves(part: MimePart, out: MimePart[] = []): MimePart[] {
  if (part.children.length === 0) {
    if (!part.isAttachment && !part.contentType.startsWith('multipart/')) out.push(part);
  } else {
    for (const child of part.children) bodyLeaves(child, out);
  }
  return out;
}
