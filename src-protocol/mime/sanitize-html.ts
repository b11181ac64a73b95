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
 */
import sanitize from 'sanitize-html';

const ALLOWED_TAGS = [
  'a', 'abbr', 'acronym', 'address', 'article', 'aside', 'b', 'bdi', 'bdo', 'big', 'blockquote', 'br',
  'caption', 'center', 'cite', 'code', 'col', 'colgroup', 'dd', 'del', 'details', 'dfn', 'div', 'dl', 'dt',
  'em', 'figcaption', 'figure', 'font', 'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hr', 'i',
  'img', 'ins', 'kbd', 'li', 'main', 'mark', 'nav', 'ol', 'p', 'pre', 'q', 's', 'samp', 'section', 'small',
  'span', 'strike', 'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead',
  'time', 'tr', 'tt', 'u', 'ul', 'var', 'wbr',
];

// Presentational attributes old mail (and every newsletter) still uses. No `id`: nothing
// in the view should be addressable by the message.
const GLOBAL_ATTRIBUTES = ['style', 'class', 'title', 'dir', 'lang', 'align', 'valign', 'width', 'height', 'bgcolor'];

const ALLOWED_ATTRIBUTES: Record<string, string[]> = {
  '*': GLOBAL_ATTRIBUTES,
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

// Images may be inline (cid:, resolved by the view from the local store), remote
// (blocked by the view's CSP until allowed) or small embedded pictures (checked below).
const IMG_SCHEMES = ['http', 'https', 'cid', 'data'];
const LINK_SCHEMES = ['http', 'https', 'mailto'];
// The schemes above, written out for the checks in transformTags, which also refuse relative URLs.
const ABSOLUTE_IMAGE = /^(https?:\/\/|cid:|data:)/;
const ABSOLUTE_LINK = /^(https?:\/\/|mailto:)/;
// Raster images only: an SVG data URL is a document that can carry script.
const SAFE_DATA_IMAGE = /^data:image\/(png|gif|jpeg|webp)[;,]/;

// CSS that can fetch or run something. Checked after comments and escapes are undone,
// so 'u\72l(' and 'ur/**/l(' are caught too.
const DANGEROUS_CSS = /url\(|expression\(|@import|behavior|-moz-binding|javascript:|vbscript:|image-set\(|image\(|src\(/;

/** HTML that is safe to put into the message view. */
export function sanitizeHtml(html: string): string {
  return sanitize(html, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: ALLOWED_ATTRIBUTES,
    allowedSchemes: LINK_SCHEMES,
    allowedSchemesByTag: { img: IMG_SCHEMES },
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    // No allowedStyles list, so sanitize-html's own CSS parsing (postcss, per style
    // attribute) would only re-print the declarations; dropDangerousStyle decides instead.
    parseStyleAttributes: false,
    // Tags whose text must go with them: code, style sheets and form values, and the
    // head's title, which is not part of the message body.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'select', 'xmp', 'noscript', 'noembed', 'noframes', 'template', 'title', 'iframe', 'object'],
    transformTags: {
      '*': dropDangerousStyle,
      a: (tagName, attribs) => {
        // Links open outside the view, and the sender learns nothing about where from.
        const { href, ...rest } = attribs;
        const kept = href !== undefined && ABSOLUTE_LINK.test(urlForCheck(href)) ? attribs : rest;
        return { tagName, attribs: { ...kept, target: '_blank', rel: 'noopener noreferrer' } };
      },
      img: (tagName, attribs) => {
        const src = attribs.src;
        // A relative src would resolve against the view's own origin (an srcdoc frame inherits
        // its parent's base URL) and load the app's files; only absolute sources are kept.
        if (src !== undefined && !ABSOLUTE_IMAGE.test(urlForCheck(src))) {
          const { src: _dropped, ...rest } = attribs;
          return { tagName, attribs: rest };
        }
        if (src !== undefined && isDataUrl(src) && !SAFE_DATA_IMAGE.test(urlForCheck(src))) {
          const { src: _dropped, ...rest } = attribs;
          return { tagName, attribs: rest };
        }
        return { tagName, attribs };
      },
    },
  });
}

function dropDangerousStyle(tagName: string, attribs: sanitize.Attributes): sanitize.Tag {
  const style = attribs.style;
  if (style === undefined || harmlessCss(style) || !DANGEROUS_CSS.test(normaliseCss(style))) return { tagName, attribs };
  const { style: _dropped, ...rest } = attribs;
  return { tagName, attribs: rest };
}

// Every pattern of DANGEROUS_CSS needs one of these characters or words, and without a
// backslash or a slash there are no escapes or comments to hide them behind. Most styles
// in real mail ('color:#333; font-size:12px') pass this test and skip normalising.
const CSS_NEEDS_CHECK = /[\\/(@]|behavior|binding|script/i;

function harmlessCss(css: string): boolean {
  return !CSS_NEEDS_CHECK.test(css);
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

function isDataUrl(url: string): boolean {
  return urlForCheck(url).startsWith('data:');
}
