/** Helpers for showing a message's MIME structure (the engine's MimeNode tree). */
import type { AttachmentInfo, MimeNode } from '../../src-protocol/contract/index.ts';

const EXTENSIONS: Record<string, string> = {
  'text/plain': '.txt',
  'text/html': '.html',
  'text/calendar': '.ics',
  'text/csv': '.csv',
  'message/rfc822': '.eml',
  'message/global': '.eml',
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'application/pdf': '.pdf',
  'application/zip': '.zip',
  'application/json': '.json',
};

const MESSAGE_TYPES = new Set(['message/rfc822', 'message/global']);

export function isAttachedMessage(type: string): boolean {
  return MESSAGE_TYPES.has(type.toLowerCase());
}

/**
 * A file name for a saved part: the part's own name, stripped of anything
 * that could point elsewhere (paths, control and bidi characters), or
 * "part-1.2.txt" from its number and type.
 */
export function partFileName(node: Pick<MimeNode, 'part_number' | 'content_type' | 'filename'>, given?: string | null): string {
  const raw = (given ?? node.filename ?? '').trim();
  const clean = raw.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '').replace(/[/\\:*?"<>|]/g, '_').replace(/^\.+/, '').slice(0, 200);
  if (clean !== '') return clean;
  return `part-${node.part_number}${EXTENSIONS[node.content_type.toLowerCase()] ?? '.bin'}`;
}

/** Whether a node is something to save on its own (a leaf, or an attached message as a whole). */
export function isSavable(node: MimeNode): boolean {
  return node.children.length === 0 || isAttachedMessage(node.content_type);
}

/**
 * Which attachment (index in the message's attachment list, what
 * mail:messages.attached takes) each attached-message node is: the n-th
 * message/rfc822 part in tree order is the n-th attached message listed.
 * Parts inside an attached message are not counted (they belong to it).
 */
export function attachedMessageIndexes(tree: MimeNode, attachments: ReadonlyArray<Pick<AttachmentInfo, 'content_type'>>): Map<string, number> {
  const listed = attachments.map((a, i) => ({ i, type: a.content_type })).filter((a) => isAttachedMessage(a.type)).map((a) => a.i);
  const out = new Map<string, number>();
  let n = 0;
  const walk = (node: MimeNode) => {
    if (isAttachedMessage(node.content_type) && node.part_number !== '' && node !== tree) {
      const index = listed[n++];
      if (index !== undefined) out.set(node.part_number, index);
      return;
    }
    for (const c of node.children) walk(c);
  };
  walk(tree);
  return out;
}
