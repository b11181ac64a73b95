/**
 * The HTML view of a message, as mailparser's own `html` is built: every
 * inline text/html part in document order, and, when there is HTML at all,
 * each text/plain part outside a multipart/alternative turned into HTML too
 * (escaped, paragraphs kept, links made), joined with line breaks.
 *
 * mail-parts.ts runs MailParser with skipTextToHtml, because otherwise it
 * linkifies every text part of every message for a textAsHtml nobody reads;
 * the few text parts this view shows are converted here with the same
 * converter (MailParser's textToHtml).
 */
import { MailParser } from 'mailparser';
import type { MimePart } from './mail-parts.ts';

/** The HTML view of `tree`, or null when it has no HTML part with content. */
export function htmlView(tree: MimePart): string | null {
  if (!hasInlineHtml(tree)) return null;
  const out: string[] = [];
  let converter: MailParser | null = null;
  const visit = (node: MimePart, inAlternative: boolean): void => {
    const text = node.textContent;
    if (text !== null && text !== '' && !node.isAttachment) {
      if (node.contentType === 'text/html') out.push(text);
      else if (node.contentType === 'text/plain' && !inAlternative) {
        // One converter per message: it keeps a budget of linkifying work per message.
        converter ??= new MailParser();
        out.push(converter.textToHtml(text));
      }
    }
    const alternative = inAlternative || node.contentType === 'multipart/alternative';
    for (const child of node.children) visit(child, alternative);
  };
  visit(tree, false);
  return out.length === 0 ? null : out.join('<br/>\n');
}

function hasInlineHtml(node: MimePart): boolean {
  if (node.contentType === 'text/html' && !node.isAttachment) return true;
  return node.children.some(hasInlineHtml);
}
