/**
 * Reads HTML as a stream of start tags, text and end tags, in one pass and
 * without building a tree: what the HTML sanitiser walks over.
 *
 * It reads markup the way htmlparser2 10 does in HTML mode (the parser under
 * sanitize-html, which the sanitiser used before): the same tokenizer rules
 * (what starts a tag, how attributes, comments, CDATA, declarations and the
 * raw text of script/style/title/textarea/xmp end), the same character
 * reference decoding (the `entities` package's, as htmlparser2's, but 4.5:
 * the 7.0.1 under htmlparser2 10 misreads some names without a semicolon,
 * `a &Ocy b` as `a Áb`) and the same tree rules (end tags a start tag implies, void elements,
 * self-closing tags only inside svg/math, `</p>` and `</br>` without a start
 * tag). It is written for speed instead: text, attribute values and comments
 * are found with indexOf and sliced once rather than fed through a
 * per-character state machine, and the open elements are a stack with
 * counts, so an end tag never searches thousands of open elements
 * (htmlparser2's stack is quadratic in the nesting depth).
 *
 * Where htmlparser2 has an accident rather than a rule, this reader does the
 * plain thing (html-reader.test.ts shows each):
 * - Only the real names start raw text; htmlparser2 also takes `<tmp>`,
 *   `<xitle>` and `<xextarea>` for xmp, title and textarea.
 * - A tag cut off by the end of the input is dropped. htmlparser2 still
 *   closes it, and for some (`</a b`, `<br/`, `<scr`) emits a character or
 *   two of it as text.
 * So every closeTag() matches an earlier openTag(), innermost first.
 */
import { decodeHTML, decodeHTMLAttribute } from 'entities';

export interface HtmlHandler {
  /**
   * A start tag. The name and attribute names are lower case. Its attributes
   * are the first `attrCount` entries of the two arrays, in source order, the
   * first of duplicate names only, values with character references decoded
   * ('' for an attribute without a value). The arrays are reused for the next
   * tag (and hold leftovers past attrCount): copy what must outlive the call.
   */
  openTag(name: string, attrNames: readonly string[], attrValues: readonly string[], attrCount: number): void;
  /**
   * Text, character references decoded. Inside script, style, textarea and
   * xmp it is the raw text as written (title's is decoded), and so is the
   * text htmlparser2 makes of an unterminated `<!x`, `<?x` or `</1`.
   */
  text(text: string): void;
  /** An element ends: by its end tag, implied by another tag, at the end of the input, or at once for a void element. */
  closeTag(name: string): void;
}

/** Reads all of `html`, calling `handler` for each start tag, text run and end tag in order. */
export function readHtml(html: string, handler: HtmlHandler): void {
  new HtmlReader(html, handler).read();
}

// Elements that never have content: their start tag is followed by closeTag() at once.
const VOID = [
  'area', 'base', 'basefont', 'br', 'col', 'command', 'embed', 'frame', 'hr', 'img', 'input', 'isindex', 'keygen', 'link', 'meta', 'param',
  'source', 'track', 'wbr',
];

// Start tags that end the current element while it is one of these (a `<p>` ends an open `<p>`).
const P = new Set(['p']);
const FORM = new Set(['input', 'option', 'optgroup', 'select', 'button', 'datalist', 'textarea']);
const TABLE_SECTION = new Set(['thead', 'tbody']);
const DD_DT = new Set(['dd', 'dt']);
const RT_RP = new Set(['rt', 'rp']);
const IMPLIES_END: [string, ReadonlySet<string>][] = [
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
];

// Inside svg and math, `<x/>` ends the element; their HTML integration points switch back.
const FOREIGN = ['math', 'svg'];
const INTEGRATION = ['mi', 'mo', 'mn', 'ms', 'mtext', 'annotation-xml', 'foreignobject', 'desc', 'title'];

// Elements whose content is text up to their own end tag, not markup.
const RAW_TEXT = ['script', 'style', 'title', 'textarea', 'xmp'];

/** What the tree rules above say about one element name (all in one place: one lookup per tag). */
interface TagRule {
  readonly isVoid: boolean;
  readonly rawText: boolean;
  /** true: enters svg/math; false: an HTML integration point; null: neither. */
  readonly foreign: boolean | null;
  /** The open elements its start tag ends, or null. */
  readonly impliesEnd: ReadonlySet<string> | null;
}
const NO_RULE: TagRule = { isVoid: false, rawText: false, foreign: null, impliesEnd: null };
const RULES = new Map<string, TagRule>();
for (const name of [...VOID, ...IMPLIES_END.map(([n]) => n), ...FOREIGN, ...INTEGRATION, ...RAW_TEXT]) {
  RULES.set(name, {
    isVoid: VOID.includes(name),
    rawText: RAW_TEXT.includes(name),
    foreign: FOREIGN.includes(name) ? true : INTEGRATION.includes(name) ? false : null,
    impliesEnd: IMPLIES_END.find(([n]) => n === name)?.[1] ?? null,
  });
}
const ruleOf = (name: string): TagRule => RULES.get(name) ?? NO_RULE;

/**
 * The open elements a start tag of `name` ends while one of them is the
 * current element (a `<p>` ends an open `<p>`), or null. For a writer whose
 * output this reader reads again.
 */
export function endedByStartTag(name: string): ReadonlySet<string> | null {
  return ruleOf(name).impliesEnd;
}

const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const BANG = 0x21;
const QUESTION = 0x3f;
const DASH = 0x2d;
const DQUOTE = 0x22;
const SQUOTE = 0x27;
const LBRACKET = 0x5b;

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

/** Whether toLowerCase() might change this character: ASCII upper case, or anything beyond ASCII. */
function changesInLowerCase(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || c > 0x7f;
}

/** html[start, end) in lower case; `mixed` says whether it may have upper case at all (most markup is lower case already). */
function lowerSlice(html: string, start: number, end: number, mixed: boolean): string {
  const s = html.slice(start, end);
  return mixed ? s.toLowerCase() : s;
}

function decodeText(s: string): string {
  return s.includes('&') ? decodeHTML(s) : s;
}

function decodeAttribute(s: string): string {
  return s.includes('&') ? decodeHTMLAttribute(s) : s;
}

/** One reading of one document (a class, not closures, so that V8 optimises it once for all documents). */
class HtmlReader {
  private readonly html: string;
  private readonly n: number;
  private readonly handler: HtmlHandler;
  /** The open elements, innermost last, and how many of each name are open. */
  private readonly stack: string[] = [];
  private readonly openCount = new Map<string, number>();
  /** Whether `<x/>` closes x: true inside svg/math, false again inside their HTML integration points. */
  private readonly foreign: boolean[] = [];
  /** The current tag's attributes: the first attrCount entries. */
  private readonly attrNames: string[] = [];
  private readonly attrValues: string[] = [];
  private attrCount = 0;
  /** The current tag's attribute names as a set, made only for a tag with many of them (hostile, rare). */
  private attrSet: Set<string> | null = null;
  /** Where the text not yet handed over starts. */
  private textStart = 0;
  /** Set by readAttributes: the index of the tag's '>' (-1 when the input ended first), and whether it was `/>`. */
  private tagEnd = -1;
  private tagSelfClosing = false;

  constructor(html: string, handler: HtmlHandler) {
    this.html = html;
    this.n = html.length;
    this.handler = handler;
  }

  read(): void {
    const html = this.html;
    const n = this.n;
    let i = 0; // where to look for the next '<'
    while (i < n) {
      const lt = html.indexOf('<', i);
      if (lt < 0) break;
      const c = html.charCodeAt(lt + 1); // NaN past the end
      if (isAsciiAlpha(c)) i = this.startTag(lt);
      else if (c === SLASH) i = this.endTagOrText(lt);
      else if (c === BANG) i = this.bang(lt);
      else if (c === QUESTION) i = this.processingInstruction(lt);
      else i = lt + 1; // any other '<' is text
    }
    this.flushText(n);
    while (this.stack.length > 0) this.pop();
  }

  /** `<x...`: returns where to go on. */
  private startTag(lt: number): number {
    const html = this.html;
    const n = this.n;
    let p = lt + 1;
    let mixed = false;
    for (; p < n; p++) {
      const c = html.charCodeAt(p);
      if (endsName(c)) break;
      if (changesInLowerCase(c)) mixed = true;
    }
    this.flushText(lt);
    if (p >= n) return this.stopAt(n); // cut off inside the name
    const name = lowerSlice(html, lt + 1, p, mixed);
    const rule = ruleOf(name);
    this.beginElement(name, rule);
    this.readAttributes(p);
    if (this.tagEnd < 0) {
      // Cut off by the end of the input: no element after all.
      if (!rule.isVoid && this.stack[this.stack.length - 1] === name) this.forget();
      return this.stopAt(n);
    }
    const selfClosing = this.tagSelfClosing;
    this.handler.openTag(name, this.attrNames, this.attrValues, this.attrCount);
    if (rule.isVoid) this.handler.closeTag(name);
    else if (selfClosing && this.foreign[this.foreign.length - 1] === true && this.stack[this.stack.length - 1] === name) this.pop();
    const next = this.tagEnd + 1;
    this.textStart = next;
    if (selfClosing || !rule.rawText) return next;
    // Raw text, up to `</name` (any case) followed by whitespace or '>'.
    const close = findRawTextEnd(html, next, name);
    const end = close < 0 ? n : close;
    if (end > next) this.handler.text(name === 'title' ? decodeText(html.slice(next, end)) : html.slice(next, end));
    if (close < 0) return this.stopAt(n);
    this.endTag(name);
    const gt = html.indexOf('>', close + 2 + name.length);
    return this.stopAt(gt < 0 ? n : gt + 1);
  }

  /** `</...`: an end tag, a bogus comment, or (`</>`, `</ >`) text after all. */
  private endTagOrText(lt: number): number {
    const html = this.html;
    const n = this.n;
    let p = lt + 2;
    while (p < n && isSpace(html.charCodeAt(p))) p++;
    if (p >= n) return n; // `</` and spaces at the end are text
    const c = html.charCodeAt(p);
    // htmlparser2 goes back to text without moving the text's start: `</>` shows as written.
    if (c === GT) return p + 1;
    this.flushText(lt);
    if (!isAsciiAlpha(c)) {
      // `</1...>` and the like: a comment up to '>', or (as written) text when there is no '>'.
      const gt = html.indexOf('>', p);
      if (gt >= 0) return this.stopAt(gt + 1);
      this.handler.text(html.slice(p));
      return this.stopAt(n);
    }
    // The name runs to whitespace or '>' ('/' is part of it); the rest up to '>' is ignored.
    let q = p;
    let mixed = false;
    for (; q < n; q++) {
      const d = html.charCodeAt(q);
      if (d === GT || isSpace(d)) break;
      if (changesInLowerCase(d)) mixed = true;
    }
    if (q >= n) return this.stopAt(n);
    this.endTag(lowerSlice(html, p, q, mixed));
    const gt = html.charCodeAt(q) === GT ? q : html.indexOf('>', q + 1);
    return this.stopAt(gt < 0 ? n : gt + 1);
  }

  /** `<!...`: comments, CDATA and declarations are all dropped. */
  private bang(lt: number): number {
    this.flushText(lt);
    const end = skipBang(this.html, lt);
    if (end >= 0) return this.stopAt(end);
    // An unterminated declaration: what follows `<!` is text, as written.
    if (lt + 2 < this.n) this.handler.text(this.html.slice(lt + 2));
    return this.stopAt(this.n);
  }

  /** `<?...>` is dropped; unterminated, what follows `<?` is text, as written. */
  private processingInstruction(lt: number): number {
    this.flushText(lt);
    const gt = this.html.indexOf('>', lt + 2);
    if (gt >= 0) return this.stopAt(gt + 1);
    if (lt + 2 < this.n) this.handler.text(this.html.slice(lt + 2));
    return this.stopAt(this.n);
  }

  /** Markup ends at `at`: text starts there, and so does the search for the next '<'. */
  private stopAt(at: number): number {
    this.textStart = at;
    return at;
  }

  private flushText(end: number): void {
    if (end > this.textStart) this.handler.text(decodeText(this.html.slice(this.textStart, end)));
  }

  /** Ends the innermost open element. */
  private pop(): void {
    const name = this.forget();
    if (name !== undefined) this.handler.closeTag(name);
  }

  /** Takes the innermost element off the stack, without a closeTag(). */
  private forget(): string | undefined {
    const name = this.stack.pop();
    if (name !== undefined) this.openCount.set(name, (this.openCount.get(name) ?? 1) - 1);
    return name;
  }

  /** Before a start tag's attributes: the end tags it implies, then it is the current element. */
  private beginElement(name: string, rule: TagRule): void {
    const ends = rule.impliesEnd;
    if (ends !== null) {
      while (this.stack.length > 0 && ends.has(this.stack[this.stack.length - 1] ?? '')) this.pop();
    }
    if (rule.isVoid) return;
    this.stack.push(name);
    this.openCount.set(name, (this.openCount.get(name) ?? 0) + 1);
    if (rule.foreign !== null) this.foreign.push(rule.foreign);
  }

  private endTag(name: string): void {
    const rule = ruleOf(name);
    if (rule.foreign !== null) this.foreign.pop();
    if (rule.isVoid) {
      // `</br>` is a line break; other void end tags mean nothing.
      if (name === 'br') {
        this.handler.openTag('br', this.attrNames, this.attrValues, 0);
        this.handler.closeTag('br');
      }
      return;
    }
    if (this.stack[this.stack.length - 1] === name || (this.openCount.get(name) ?? 0) > 0) {
      for (;;) {
        const top = this.stack[this.stack.length - 1];
        this.pop();
        if (top === name || top === undefined) return;
      }
    }
    if (name === 'p') {
      // A `</p>` without an open p is an empty paragraph.
      this.beginElement('p', ruleOf('p'));
      this.handler.openTag('p', this.attrNames, this.attrValues, 0);
      this.pop();
    }
  }

  private addAttribute(name: string, value: string): void {
    const count = this.attrCount;
    // The first of duplicate names wins.
    if (this.attrSet !== null) {
      if (this.attrSet.has(name)) return;
      this.attrSet.add(name);
    } else {
      for (let k = 0; k < count; k++) if (this.attrNames[k] === name) return;
      if (count >= 16) this.attrSet = new Set(this.attrNames.slice(0, count)).add(name);
    }
    this.attrNames[count] = name;
    this.attrValues[count] = value;
    this.attrCount = count + 1;
  }

  /** Reads a start tag's attributes from `start` (just after its name) up to its '>'; sets attrCount, tagEnd and tagSelfClosing. */
  private readAttributes(start: number): void {
    const html = this.html;
    const n = this.n;
    let p = start;
    this.attrCount = 0;
    this.attrSet = null;
    this.tagEnd = -1;
    for (;;) {
      // Before an attribute name, whitespace and '/' are skipped; a '/' among them makes '>' self-closing.
      let slash = false;
      while (p < n) {
        const c = html.charCodeAt(p);
        if (c === GT) {
          this.tagEnd = p;
          this.tagSelfClosing = slash;
          return;
        }
        if (c === SLASH) slash = true;
        else if (!isSpace(c)) break;
        p++;
      }
      if (p >= n) return;
      // The name's first character may be anything else (even '='), then it runs to '=', whitespace, '/' or '>'.
      const nameStart = p;
      let mixed = changesInLowerCase(html.charCodeAt(p));
      for (p++; p < n; p++) {
        const c = html.charCodeAt(p);
        if (c === EQ || endsName(c)) break;
        if (changesInLowerCase(c)) mixed = true;
      }
      const name = lowerSlice(html, nameStart, p, mixed);
      while (p < n && isSpace(html.charCodeAt(p))) p++;
      if (p >= n) return;
      if (html.charCodeAt(p) !== EQ) {
        this.addAttribute(name, '');
        continue;
      }
      p++;
      while (p < n && isSpace(html.charCodeAt(p))) p++;
      if (p >= n) return;
      const q = html.charCodeAt(p);
      if (q === DQUOTE || q === SQUOTE) {
        const close = html.indexOf(q === DQUOTE ? '"' : "'", p + 1);
        if (close < 0) return;
        this.addAttribute(name, decodeAttribute(html.slice(p + 1, close)));
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
      this.addAttribute(name, decodeAttribute(html.slice(valueStart, p)));
    }
  }
}

/** Where `</name` (any case) followed by whitespace or '>' starts, from `from`; -1 if nowhere. */
function findRawTextEnd(html: string, from: number, name: string): number {
  const n = html.length;
  for (let k = html.indexOf('</', from); k >= 0; k = html.indexOf('</', k + 1)) {
    const after = k + 2 + name.length;
    if (after >= n) return -1;
    const c = html.charCodeAt(after);
    if ((c === GT || isSpace(c)) && asciiCaseFoldEquals(html, k + 2, name)) return k;
  }
  return -1;
}

/** Whether html[at, at + name.length) is `name` (lower-case ASCII letters) in any case. */
function asciiCaseFoldEquals(html: string, at: number, name: string): boolean {
  for (let j = 0; j < name.length; j++) {
    if ((html.charCodeAt(at + j) | 0x20) !== name.charCodeAt(j)) return false;
  }
  return true;
}

/**
 * Skips `<!...` starting at `lt`: a comment up to `-->` (`<!-->` and
 * `<!--->` are complete ones), CDATA up to `]]>`, anything else up to '>'.
 * Returns the index after it (the end of the input for a comment or CDATA
 * that never ends), or -1 for a declaration with no '>'.
 */
function skipBang(html: string, lt: number): number {
  const n = html.length;
  if (lt + 2 >= n) return n;
  const c = html.charCodeAt(lt + 2);
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
  if (c === LBRACKET) {
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
