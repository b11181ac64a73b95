/**
 * Rich text in the composer: plain text turned into editable HTML, and the
 * editor's HTML turned into what is sent (inline images as cid: references
 * to attachments with that Content-ID).
 */

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' };
export const escapeHtml = (s: string): string => s.replace(/[&<>"]/g, (c) => ESCAPES[c] ?? c);

/**
 * Plain text as HTML: `>` quoted lines become blockquotes (as a reply's
 * quote), paragraphs stay paragraphs, line breaks stay.
 */
export function htmlFromText(text: string): string {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  let html = '';
  let quote: string[] = [];
  const flushQuote = () => {
    if (quote.length === 0) return;
    html += `<blockquote>${htmlFromText(quote.join('\n'))}</blockquote>`;
    quote = [];
  };
  for (const line of lines) {
    const q = /^>\s?(.*)$/.exec(line);
    if (q) {
      quote.push(q[1] ?? '');
      continue;
    }
    flushQuote();
    html += line === '' ? '<div><br></div>' : `<div>${escapeHtml(line)}</div>`;
  }
  flushQuote();
  return html;
}

/** A Content-ID of our own for an image put into the editor. */
export function newContentId(random: () => string = () => crypto.randomUUID()): string {
  return `img-${random().replace(/[^A-Za-z0-9]/g, '')}@postern.local`;
}

/**
 * The editor's HTML as sent: an image shown from its data: URL carries
 * data-cid; it is sent as cid:<id>. Returns the HTML and the ids it uses.
 */
export function htmlForSending(editorHtml: string, parse: (html: string) => Document = (h) => new DOMParser().parseFromString(h, 'text/html')): { html: string; cids: Set<string> } {
  const doc = parse(`<body>${editorHtml}</body>`);
  const cids = new Set<string>();
  for (const img of Array.from(doc.body.querySelectorAll('img[data-cid]'))) {
    const cid = img.getAttribute('data-cid') ?? '';
    img.setAttribute('src', `cid:${cid}`);
    img.removeAttribute('data-cid');
    cids.add(cid);
  }
  return { html: doc.body.innerHTML, cids };
}
