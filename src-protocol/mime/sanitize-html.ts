/**
 * The HTML sanitising policy for mail bodies. Mail HTML is written by
 * strangers, so this is a strict allowlist: formatting, tables, links and
 * images survive; scripts, event handlers, forms, frames, plugins,
 * meta/base/link and every way of running code or loading style from a URL
 * do not. The view adds a second wall (a sandboxed iframe without scripts and
 * a CSP that blocks remote content until the person allows it), so remote
 * images are kept here on purpose.
 *
 * <style> elements are dropped with their content for now: keeping them
 * needs a CSS sanitiser that understands selectors and at-rules, and a sheet
 * could restyle the view around the message. Inline `style` attributes stay,
 * unless they could load something (see DANGEROUS_CSS).
 *
 * The output is written afresh from what html-reader.ts reads, never copied
 * from the input: allowed tags with allowed attributes in one form
 * (`<name attr="value">`, `<img ... />`), every end tag written out, text and
 * values escaped with the fewest entities (&amp; &lt; &gt;, and &quot; in
 * values). So whatever the input's quirks, the view's parser sees only markup
 * of that one shape, and sanitising the output again changes nothing.
 *
 * This is the policy sanitize-html applied with the options this file used to
 * pass it, in one pass without a DOM (sanitize-html took nearly as long as
 * parsing all the rest of a message). The output is sanitize-html's, except
 * where that did not read back as written (see endImpliedElements) and
 * where html-reader.ts departs from htmlparser2.
 */
import { endedByStartTag, readHtml, type HtmlHandler } from './html-reader.ts';

const ALLOWED_TAGS = new Set([
  'a', 'abbr', 'acronym', 'address', 'article', 'aside', 'b', 'bdi', 'bdo', 'big', 'blockquote', 'br',
  'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'details', 'dfn', 'div', 'dl', 'dt',
  'em', 'figcaption', 'figure', 'font', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'i',
  'img', 'ins', 'kbd', 'li', 'main', 'mark', 'nav', 'ol', 'p', 'pre', 'q', 's', 'samp', 'section', 'small',
  'span', 'strike', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead',
  'time', 'tr', 'tt', 'u', 'ul', 'var', 'wbr',
]);

// Written `<name ... />`, with no end tag. (Void elements as sanitize-html writes them;
// wbr and col get an end tag, which the view's parser ignores.)
const SELF_CLOSING = new Set(['img', 'br', 'hr']);

// Dropped with everything inside them: code, style sheets and form values, and the
// head's title, which is not part of the message body. Other dropped tags lose only
// the tag: their text stays.
const DROPPED_WITH_CONTENT = new Set([
  'script', 'style', 'textarea', 'option', 'select', 'xmp', 'noscript', 'noembed', 'noframes', 'template', 'title', 'iframe', 'object',
]);

// Presentational attributes old mail (and every newsletter) still uses. No `id`: nothing
// in the view should be addressable by the message.
const GLOBAL_ATTRIBUTES = ['style', 'class', 'title', 'dir', 'lang', 'align', 'valign', 'width', 'height', 'bgcolor'];

const TAG_ATTRIBUTES: Record<string, string[]> = {
  a: ['href', 'name', 'target', 'rel'],
  img: ['src', 'alt', 'width', 'height', 'border', 'hspace', 'vspace'],
  font: ['color', 'face', 'size'],
  table: ['border', 'cellpadding', 'cellspacing', 'summary'],
  td: ['colspan', 'rowspan', 'nowrap', 'abbr', 'headers', 'scope'],
  th: ['colspan', 'rowspan', 'nowrap', 'abbr', 'headers', 'scope'],
  col: ['span'],
  colgroup: ['span'],
  ol: ['start', 'type', 'reversed'],
  ul: ['type'],
  li: ['value', 'type'],
  bdo: ['dir'],
  time: ['datetime'],
  details: ['open'],
};

/** What is kept of each allowed tag (one lookup per tag). */
interface TagPolicy {
  readonly attributes: ReadonlySet<string>;
  readonly selfClosing: boolean;
  /** The open elements its start tag ends when the output is read again (see endImpliedElements). */
  readonly ends: ReadonlySet<string> | null;
}
const POLICY = new Map<string, TagPolicy>(
  [...ALLOWED_TAGS].map((tag) => [
    tag,
    {
      attributes: new Set([...GLOBAL_ATTRIBUTES, ...(TAG_ATTRIBUTES[tag] ?? [])]),
      selfClosing: SELF_CLOSING.has(tag),
      ends: endedByStartTag(tag),
    },
  ]),
);

// Attributes that mean nothing without a value, so an empty one is dropped (alt="" is
// meaningful, "no text for this picture"). The others (nowrap, open, reversed, border...)
// are kept bare.
const DROPPED_WHEN_EMPTY = new Set([
  'style', 'class', 'title', 'dir', 'lang', 'width', 'height', 'href', 'name', 'target', 'rel', 'src', 'color', 'size', 'abbr',
  'headers', 'scope', 'colspan', 'rowspan', 'span', 'start', 'type', 'value', 'datetime',
]);

// Links open outside the view, and the sender learns nothing about where from.
const LINK_TARGET = '_blank';
const LINK_REL = 'noopener noreferrer';

// Images may be inline (cid:, resolved by the view from the local store), remote
// (blocked by the view's CSP until allowed) or small embedded pictures (raster only).
// Relative URLs are refused: they would resolve against the view's own origin (an srcdoc
// frame inherits its parent's base URL) and load the app's files.
const ABSOLUTE_IMAGE = /^(https?:\/\/|cid:|data:)/;
const ABSOLUTE_LINK = /^(https?:\/\/|mailto:)/;
// Raster images only: an SVG data URL is a document that can carry script.
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp)[;,]/;

// CSS that can fetch or run something. Checked after comments and escapes are undone,
// so 'u\72l(' and 'ur/**/l(' are caught too.
const DANGEROUS_CSS = /url\(|expression\(|@import|behavior|-moz-binding|javascript:|vbscript:|image-set\(|image\(|src\(/;

/** HTML that is safe to put into the message view. */
export function sanitizeHtml(html: string): string {
  const writer = new SafeHtmlWriter();
  readHtml(html, writer);
  return writer.result();
}

// What became of an element the reader has open, in SafeHtmlWriter.elements.
const NOT_WRITTEN = 0;
const WRITTEN = 1;
const ENDED_EARLY = 2;

// The output is joined in pieces of about this many characters; see write().
const OUTPUT_PIECE = 16 * 1024;

/** Writes the allowed part of what the reader reads; see the file's comment. */
class SafeHtmlWriter implements HtmlHandler {
  /** The output so far: the joined `pieces`, then the `parts` not joined yet. */
  private readonly pieces: string[] = [];
  private parts: string[] = [];
  private partsLength = 0;
  /**
   * Above 0 inside an element dropped with its content: how many elements deep.
   * The reader's end tags always match its start tags, so a count is enough.
   */
  private dropping = 0;
  /** Per element the reader has open (outside dropped content), innermost last: NOT_WRITTEN, WRITTEN or ENDED_EARLY. */
  private readonly elements: number[] = [];
  /** The written elements still open in the output, innermost last: their names and their index in `elements`. */
  private readonly openNames: string[] = [];
  private readonly openIndexes: number[] = [];

  openTag(name: string, attrNames: readonly string[], attrValues: readonly string[], attrCount: number): void {
    if (this.dropping > 0) {
      this.dropping++;
      return;
    }
    const policy = POLICY.get(name);
    if (policy === undefined) {
      if (DROPPED_WITH_CONTENT.has(name)) this.dropping = 1;
      else this.elements.push(NOT_WRITTEN);
      return;
    }
    if (policy.ends !== null) this.endImpliedElements(policy.ends);
    const allowed = policy.attributes;
    let tag = '<' + name;
    let hasTarget = false;
    let hasRel = false;
    for (let k = 0; k < attrCount; k++) {
      const attr = attrNames[k] ?? '';
      if (!allowed.has(attr)) continue;
      let value = attrValues[k] ?? '';
      if (attr === 'style') {
        if (dangerousCss(value)) continue;
      } else if (name === 'a') {
        if (attr === 'href' && !safeLink(value)) continue;
        // A target or rel of the sender's keeps its place but gets our value.
        if (attr === 'target') {
          value = LINK_TARGET;
          hasTarget = true;
        } else if (attr === 'rel') {
          value = LINK_REL;
          hasRel = true;
        }
      } else if (name === 'img' && attr === 'src' && !safeImageSource(value)) {
        continue;
      }
      if (value !== '') tag += ' ' + attr + '="' + escapeAttribute(value) + '"';
      else if (attr === 'alt') tag += ' alt=""';
      else if (!DROPPED_WHEN_EMPTY.has(attr)) tag += ' ' + attr;
    }
    if (name === 'a') {
      if (!hasTarget) tag += ' target="' + LINK_TARGET + '"';
      if (!hasRel) tag += ' rel="' + LINK_REL + '"';
    }
    if (policy.selfClosing) {
      this.write(tag + ' />');
      this.elements.push(NOT_WRITTEN);
    } else {
      this.write(tag + '>');
      this.openNames.push(name);
      this.openIndexes.push(this.elements.length);
      this.elements.push(WRITTEN);
    }
  }

  text(text: string): void {
    if (this.dropping === 0) this.write(escapeText(text));
  }

  closeTag(name: string): void {
    if (this.dropping > 0) {
      this.dropping--;
      return;
    }
    if (this.elements.pop() !== WRITTEN) return;
    this.write('</' + name + '>');
    this.openNames.pop();
    this.openIndexes.pop();
  }

  result(): string {
    const last = this.parts.join('');
    return this.pieces.length === 0 ? last : this.pieces.join('') + last;
  }

  /**
   * Appends to the output: the parts are joined once at the end, or every
   * OUTPUT_PIECE characters for long output. Holding a million tiny strings
   * (in an array, or in the rope += builds) until the end made the garbage
   * collector copy them over and over: 2 MB of dense markup took five times
   * as long to write as to read.
   */
  private write(s: string): void {
    this.parts.push(s);
    this.partsLength += s.length;
    if (this.partsLength > OUTPUT_PIECE) {
      this.pieces.push(this.parts.join(''));
      this.parts = [];
      this.partsLength = 0;
    }
  }

  /**
   * Ends the written elements that the start tag about to be written ends
   * when the output is read again. `<p>a<custom><p>b` keeps the second p
   * inside the first (the dropped custom element is the current one there),
   * but `<p>a<p>b`, which is what is written, does not. So the first p is
   * ended here, before the second starts, and its end tag is not written
   * again later: the output reads back as written.
   */
  private endImpliedElements(ends: ReadonlySet<string>): void {
    for (let top = this.openNames.length - 1; top >= 0 && ends.has(this.openNames[top] ?? ''); top--) {
      this.write('</' + (this.openNames.pop() ?? '') + '>');
      this.elements[this.openIndexes.pop() ?? 0] = ENDED_EARLY;
    }
  }
}

function safeLink(href: string): boolean {
  // Most links start plainly; urlForCheck would not change that prefix.
  return href.startsWith('https://') || href.startsWith('http://') || ABSOLUTE_LINK.test(urlForCheck(href));
}

function safeImageSource(src: string): boolean {
  if (src.startsWith('https://') || src.startsWith('http://') || src.startsWith('cid:')) return true;
  const url = urlForCheck(src);
  return ABSOLUTE_IMAGE.test(url) && (!url.startsWith('data:') || SAFE_DATA_IMAGE.test(url));
}

// Every pattern of DANGEROUS_CSS needs one of these characters or words, and without a
// backslash or a slash there are no escapes or comments to hide them behind. Most styles
// in real mail ('color:#333; font-size:12px') pass this test and skip normalising.
const CSS_NEEDS_CHECK = /[\\/(@]|behavior|binding|script/i;

function dangerousCss(css: string): boolean {
  return CSS_NEEDS_CHECK.test(css) && DANGEROUS_CSS.test(normaliseCss(css));
}

/** CSS as a browser would read it: comments gone, escapes undone, no whitespace, lower case. */
function normaliseCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?(\*\/|$)/g, '')
    .replace(/\\([0-9a-fA-F]{1,6})\s?/g, (_m, hex: string) => {
      const code = Number.parseInt(hex, 16);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
    })
    .replace(/\\(.)/g, '$1')
    .replace(/[\s\u0000]+/g, '')
    .toLowerCase();
}

/** A URL the way a browser reads its scheme: controls and whitespace ignored, case folded. */
function urlForCheck(url: string): string {
  return url.replace(/[\u0000-\u0020\u007f-\u009f]+/g, '').toLowerCase();
}

// Text needs &, < and > escaped; attribute values (always in double quotes) also ".
const TEXT_SPECIAL = /[&<>]/;
const ATTRIBUTE_SPECIAL = /[&<>"]/;

function escapeText(text: string): string {
  if (!TEXT_SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function escapeAttribute(value: string): string {
  if (!ATTRIBUTE_SPECIAL.test(value)) return value;
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
