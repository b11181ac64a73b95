/**
 * Reads HTML as a stream of start tags, text and end tags, in one pass and
 * without building a tree: what the HTML sanitiser walks over.
 *
 * It reads markup the way htmlparser2 10 does in HTML mode (the parser under
 * sanitize-html, which the sanitiser used before): the same tokenizer rules
 * (what starts a tag, how attributes, comments, CDATA, declarations and the
 * raw text of script/style/title/textarea/xmp end), the same character
 * reference decoding (the `entities` package htmlparser2 uses) and the same
 * tree rules (end tags a start tag implies, void elements, self-closing tags
 * only inside svg/math, `</p>` and `</br>` without a start tag). It is written
 * for speed instead: text, attribute values and comments are found with
 * indexOf and sliced once, not fed through a per-character state machine,
 * and the open elements are a stack with counts, so an end tag costs no
 * search through thousands of open elements (htmlparser2's unshift/indexOf
 * stack is quadratic in the nesting depth).
 *
 * Where htmlparser2 has an accident rather than a rule, this reader does the
 * sensible thing (each is tested in html-reader.test.ts):
 * - Only the real names start raw text: htmlparser2 also takes `<tmp>`,
 *   `<xitle>` and `<xextarea>` for xmp, title and textarea.
 * - A tag cut off by the end of the input is no element at all: htmlparser2
 *   still closes it, and for `</a b` or `<br/` it emits the input's last
 *   character as text.
 * Every closeTag() therefore matches an earlier openTag(), innermost first.
 */
import { decodeHTML, decodeHTMLAttribute } from 'entities';

export interface HtmlHandler {
  /**
   * A start tag. The name and attribute names are lower case; attributes are
   * in source order, the first of duplicate names only, values with
   * character references decoded (an attribute without a value has ''). The
   * arrays are reused for the next tag: copy what must outlive the call.
   */
  openTag(name: string, attrNames: readonly string[], attrValues: readonly string[]): void;
  /**
   * Text, character references decoded. Inside script, style, textarea and
   * xmp it is the raw text as written (title's is decoded).
   */
  text(text: string): void;
  /** An element ends: by its end tag, implied by another tag, at the end of the input, or at once for a void element. */
  closeTag(name: string): void;
}

// Elements that never have content: their start tag is followed by closeTag() at once.
const VOID = new Set([
  'area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input', 'isindex', 'keygen', 'link', 'meta', 'param',
  'source', 'track', 'wbr',
]);

// Start tags that end the current element when it is one of these (a `<p>` ends an open `<p>`).
const P = new Set(['p']);
const FORM = new Set(['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea']);
const TABLE_SECTION = new Set(['thead', 'tbody']);
const DD_DT = new Set(['dd', 'dt']);
const RT_RP = new Set(['rt', 'rp']);
const IMPLIES_END = new Map<string, ReadonlySet<string>>([
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['body', new Set(['head', 'link', 'script'])],
  ['li', new Set(['li'])],
  ['option', new Set(['option'])],
  ['optgroup', new Set(['optgroup', 'option'])],
  ['dd', DD_DT],
  ['dt', DD_DT],
  ['rt', RT_RP],
  ['rp', RT_RP],
  ['tbody', TABLE_SECTION],
  ['tfoot', TABLE_SECTION],
  ...['select', 'input', 'output', 'button', 'datalist', 'textarea'].map((name): [string, ReadonlySet<string>] => [name, FORM]),
  ...[
    'p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'address', 'article', 'aside', 'blockquote', 'details', 'div', 'dl', 'fieldset', 'figcaption',
    'figure', 'footer', 'form', 'header', 'hr', 'main', 'nav', 'ol', 'pre', 'section', 'table', 'ul',
  ].map((name): [string, ReadonlySet<string>] => [name, P]),
]);

// Inside svg and math, `<x/>` ends the element; the integration points switch back to HTML rules.
const FOREIGN = new Set(['math', 'svg']);
const INTEGRATION = new Set(['mi', 'mo', 'mn', 'ms', 'mtext', 'annotation-xml', 'foreignobject', 'desc', 'title']);

// Elements whose content is text up to their own end tag, not markup.
const RAW_TEXT = new Set(['script', 'style', 'title', 'textarea', 'xmp']);

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const BANG = 0x21;
const QUESTION = 0x3f;
const DASH = 0x2d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const AMP = '&';

/** Space, tab, LF, FF, CR: what HTML calls whitespace (not vertical tab). */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x09 || c === 0x0c || c === 0x0d;
}

function isAsciiAlpha(c: number): boolean {
  return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a);
}

/** Ends a tag or attribute name: whitespace, `/` or `>`. */
function endsName(c: number): boolean {
  return c === GT || c === SLASH || isSpace(c);
}

const decodeText = (s: string): string => (s.includes(AMP) ? decodeHTML(s) : s);
const decodeAttribute = (s: string): string => (s.includes(AMP) ? decodeHTMLAttribute(s) : s);

/** Reads all of `html`, calling `handler` for each start tag, text run and end tag in order. */
export function readHtml(html: string, handler: HtmlHandler): void {
  const n = html.length;
  // The open elements, innermost last, and how many of each name are open.
  const stack: string[] = [];
  const openCount = new Map<string, number>();
  // Whether `<x/>` closes x: true inside svg/math, false again inside their HTML integration points.
  const foreign: boolean[] = [];
  const attrNames: string[] = [];
  const attrValues: string[] = [];
  const tag: TagEnd = { end: -1, selfClosing: false };

  const push = (name: string): void => {
    stack.push(name);
    openCount.set(name, (openCount.get(name) ?? 0) + 1);
  };
  const pop = (): void => {
    const name = stack.pop();
    if (name === undefined) return;
    openCount.set(name, (openCount.get(name) ?? 1) - 1);
    handler.closeTag(name);
  };
  /** Before a start tag: its implied end tags, then it becomes the current element. */
  const beginElement = (name: string): void => {
    const ends = IMPLIES_END.get(name);
    if (ends !== undefined) {
      for (let top = stack.at(-1); top !== undefined && ends.has(top); top = stack.at(-1)) pop();
    }
    if (VOID.has(name)) return;
    push(name);
    if (FOREIGN.has(name)) foreign.push(true);
    else if (INTEGRATION.has(name)) foreign.push(false);
  };
  /** A start tag that was cut off by the end of the input: no element after all. */
  const abandonElement = (name: string): void => {
    if (VOID.has(name) || stack.at(-1) !== name) return;
    stack.pop();
    openCount.set(name, (openCount.get(name) ?? 1) - 1);
  };
  const openElement = (name: string, selfClosing: boolean): void => {
    handler.openTag(name, attrNames, attrValues);
    if (VOID.has(name)) handler.closeTag(name);
    else if (selfClosing && foreign.at(-1) === true && stack.at(-1) === name) pop();
  };
  const endTag = (name: string): void => {
    if (FOREIGN.has(name) || INTEGRATION.has(name)) foreign.pop();
    if (VOID.has(name)) {
      if (name === 'br') {
        clearAttributes();
        handler.openTag('br', attrNames, attrValues);
        handler.closeTag('br');
      }
      return;
    }
    if ((openCount.get(name) ?? 0) > 0) {
      for (let top = stack.at(-1); top !== undefined; top = stack.at(-1)) {
        pop();
        if (top === name) return;
      }
    } else if (name === 'p') {
      // A `</p>` without an open p is an empty paragraph.
      beginElement('p');
      clearAttributes();
      handler.openTag('p', attrNames, attrValues);
      pop();
    }
  };
  // The names of a tag's attributes as a set, made only for a tag with many of them (hostile, rare).
  let attrSet: Set<string> | null = null;
  const clearAttributes = (): void => {
    attrNames.length = 0;
    attrValues.length = 0;
    attrSet = null;
  };
  const addAttribute = (name: string, value: string): void => {
    // The first of duplicate names wins.
    if (attrSet !== null) {
      if (attrSet.has(name)) return;
      attrSet.add(name);
    } else if (attrNames.includes(name)) {
      return;
    } else if (attrNames.length >= 32) {
      attrSet = new Set(attrNames).add(name);
    }
    attrNames.push(name);
    attrValues.push(value);
  };

  let textStart = 0; // start of the text not yet handed over
  let i = 0; // where to look for the next '<'
  const flushText = (end: number): void => {
    if (end > textStart) handler.text(decodeText(html.slice(textStart, end)));
  };

  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    const c = html.charCodeAt(lt + 1); // NaN past the end

    if (isAsciiAlpha(c)) {
      // A start tag: the name runs to whitespace, '/' or '>'.
      let p = lt + 2;
      while (p < n && !endsName(html.charCodeAt(p))) p++;
      flushText(lt);
      if (p >= n) {
        // Cut off inside the name: nothing, not even text.
        textStart = i = n;
        break;
      }
      const name = html.slice(lt + 1, p).toLowerCase();
      beginElement(name);
      clearAttributes();
      readAttributes(html, p, addAttribute, tag);
      if (tag.end < 0) {
        abandonElement(name);
        textStart = i = n;
        break;
      }
      const selfClosing = tag.selfClosing;
      openElement(name, selfClosing);
      i = textStart = tag.end + 1;
      if (!selfClosing && RAW_TEXT.has(name)) {
        // Raw text up to `</name` followed by whitespace or '>', letters in any case.
        const close = findRawTextEnd(html, i, name);
        if (close < 0) {
          if (i < n) handler.text(name === 'title' ? decodeText(html.slice(i)) : html.slice(i));
          textStart = i = n;
          break;
        }
        if (close > i) handler.text(name === 'title' ? decodeText(html.slice(i, close)) : html.slice(i, close));
        endTag(html.slice(close + 2, close + 2 + name.length).toLowerCase());
        const gt = html.indexOf('>', close + 2 + name.length);
        textStart = i = gt < 0 ? n : gt + 1;
      }
      continue;
    }

    if (c === SLASH) {
      // `</`: an end tag, a bogus comment, or (`</>`, `</ >`) text after all.
      let p = lt + 2;
      while (p < n && isSpace(html.charCodeAt(p))) p++;
      if (p >= n) break; // `</` and spaces at the end are text
      const d = html.charCodeAt(p);
      if (d === GT) {
        // htmlparser2 goes back to text without moving the text's start: `</>` shows as written.
        i = p + 1;
        continue;
      }
      flushText(lt);
      if (isAsciiAlpha(d)) {
        // The end tag's name runs to whitespace or '>' ('/' is part of it); the rest up to '>' is ignored.
        let q = p + 1;
        while (q < n && !(html.charCodeAt(q) === GT || isSpace(html.charCodeAt(q)))) q++;
        if (q >= n) {
          textStart = i = n;
          break;
        }
        endTag(html.slice(p, q).toLowerCase());
        const gt = html.charCodeAt(q) === GT ? q : html.indexOf('>', q + 1);
        textStart = i = gt < 0 ? n : gt + 1;
        continue;
      }
      // `</1...>` and the like: a comment up to '>', or text when there is none.
      const gt = html.indexOf('>', p);
      if (gt < 0) {
        textStart = p;
        i = n;
        break;
      }
      textStart = i = gt + 1;
      continue;
    }

    if (c === BANG) {
      flushText(lt);
      const end = skipBang(html, lt);
      if (end < 0) {
        // Unterminated declaration: htmlparser2 shows what follows `<!` as text.
        textStart = lt + 2;
        i = n;
        break;
      }
      textStart = i = end;
      continue;
    }

    if (c === QUESTION) {
      flushText(lt);
      const gt = html.indexOf('>', lt + 2);
      if (gt < 0) {
        textStart = lt + 2;
        i = n;
        break;
      }
      textStart = i = gt + 1;
      continue;
    }

    // Any other '<' is text.
    i = lt + 1;
  }
  flushText(n);
  while (stack.length > 0) pop();
}

/** How a start tag ended, from readAttributes. */
interface TagEnd {
  /** Index of the closing '>', -1 when the input ended first. */
  end: number;
  /** `/>`, with a '/' of its own (not the end of an unquoted value like `href=x/`). */
  selfClosing: boolean;
}

/** Reads the attributes of a start tag from `start` (just after its name) up to its closing '>'. */
function readAttributes(html: string, start: number, add: (name: string, value: string) => void, tag: TagEnd): void {
  const n = html.length;
  let p = start;
  tag.end = -1;
  for (;;) {
    // Before an attribute name: whitespace and '/' are skipped; a '/' among them makes '>' self-closing.
    let slash = false;
    while (p < n) {
      const c = html.charCodeAt(p);
      if (c === GT) {
        tag.end = p;
        tag.selfClosing = slash;
        return;
      }
      if (c === SLASH) slash = true;
      else if (!isSpace(c)) break;
      p++;
    }
    if (p >= n) return;
    // The name's first character may be anything else (even '='); then up to '=', whitespace, '/' or '>'.
    const nameStart = p;
    p++;
    while (p < n) {
      const c = html.charCodeAt(p);
      if (c === EQ || endsName(c)) break;
      p++;
    }
    if (p >= n) return;
    const name = html.slice(nameStart, p).toLowerCase();
    while (p < n && isSpace(html.charCodeAt(p))) p++;
    if (p >= n) return;
    if (html.charCodeAt(p) !== EQ) {
      add(name, '');
      continue;
    }
    p++;
    while (p < n && isSpace(html.charCodeAt(p))) p++;
    if (p >= n) return;
    const q = html.charCodeAt(p);
    if (q === DQUOTE || q === SQUOTE) {
      const close = html.indexOf(q === DQUOTE ? '"' : "'", p + 1);
      if (close < 0) return;
      add(name, decodeAttribute(html.slice(p + 1, close)));
      p = close + 1;
      continue;
    }
    // Unquoted: up to whitespace or '>'.
    const valueStart = p;
    while (p < n) {
      const c = html.charCodeAt(p);
      if (c === GT || isSpace(c)) break;
      p++;
    }
    if (p >= n) return;
    add(name, decodeAttribute(html.slice(valueStart, p)));
  }
}

/** Where `</name` (any case) followed by whitespace or '>' starts, from `from`; -1 if nowhere. */
function findRawTextEnd(html: string, from: number, name: string): number {
  const n = html.length;
  const len = name.length;
  for (let k = html.indexOf('</', from); k >= 0; k = html.indexOf('</', k + 1)) {
    const after = k + 2 + len;
    if (after >= n) return -1;
    const c = html.charCodeAt(after);
    if ((c === GT || isSpace(c)) && asciiLowerEquals(html, k + 2, name)) return k;
  }
  return -1;
}

/** Whether html[at, at + name.length) is `name` (lower-case ASCII letters) in any case. */
function asciiLowerEquals(html: string, at: number, name: string): boolean {
  for (let j = 0; j < name.length; j++) {
    if ((html.charCodeAt(at + j) | 0x20) !== name.charCodeAt(j)) return false;
  }
  return true;
}

/**
 * Skips `<!...` starting at `lt`: a comment up to `-->` (`<!-->` and
 * `<!--->` are complete ones), CDATA up to `]]>`, anything else up to '>'.
 * Returns the index after it, n for a comment or CDATA that runs to the end,
 * or -1 for a declaration with no '>' (which htmlparser2 shows as text).
 */
function skipBang(html: string, lt: number): number {
  const n = html.length;
  const c = html.charCodeAt(lt + 2);
  if (lt + 2 >= n) return n;
  if (c === DASH) {
    if (lt + 3 >= n) return -1;
    if (html.charCodeAt(lt + 3) === DASH) {
      // The opening dashes count towards the closing `-->`.
      const end = html.indexOf('-->', lt + 2);
      return end < 0 ? n : end + 3;
    }
    const gt = html.indexOf('>', lt + 4);
    return gt < 0 ? -1 : gt + 1;
  }
  if (c === 0x5b /* [ */) {
    const CDATA = 'CDATA[';
    let k = 0;
    while (k < CDATA.length && lt + 3 + k < n && html.charCodeAt(lt + 3 + k) === CDATA.charCodeAt(k)) k++;
    if (k === CDATA.length) {
      const end = html.indexOf(']]>', lt + 9);
      return end < 0 ? n : end + 3;
    }
    if (lt + 3 + k >= n) return -1;
    // Not CDATA after all: a declaration, from the character that did not match.
    const gt = html.indexOf('>', lt + 3 + k);
    return gt < 0 ? -1 : gt + 1;
  }
  // `<!x`: a declaration; the character after '!' is taken even when it is '>'.
  const gt = html.indexOf('>', lt + 3);
  return gt < 0 ? -1 : gt + 1;
}
