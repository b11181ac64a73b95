/**
 * A guard in front of the HTML sanitiser: HTML nested deeper than
 * LIMITS.maxHtmlNestingDepth is shown as its text instead. Real markup stays
 * far below it, and Chrome's own parser flattens anything deeper than 512
 * levels, so such markup would not show as it was written (and sanitised)
 * anyway. The guard was first needed for time: htmlparser2, under the old
 * sanitiser, was quadratic in the depth (200,000 nested <div>s, 1 MB, took
 * 18 s); the sanitiser's own reader (html-reader.ts) is linear.
 */

// Elements that never hold content, so a start tag does not open a level.
const VOID = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'param', 'source', 'track', 'wbr']);
// Elements the parser closes by itself when a sibling opens (p after p, td after td),
// so an unclosed run of them does not nest.
const IMPLIED_END = new Set(['p', 'li', 'dt', 'dd', 'option', 'optgroup', 'tr', 'td', 'th', 'thead', 'tbody', 'tfoot', 'rt', 'rp']);
const TAG = /<(\/?)([a-zA-Z][a-zA-Z0-9:_-]*)[^>]*?(\/?)>|<!--[\s\S]*?(?:-->|$)/g;

// Below this length the pass below is skipped, so ordinary mail does not pay for it: such
// markup cannot nest deeper than ~20,000 levels, which the sanitiser reads in milliseconds.
const SHORT_HTML = 64 * 1024;

/** True when `html` nests elements deeper than `maxDepth`; one linear pass, stopping at the limit. */
export function htmlNestsDeeperThan(html: string, maxDepth: number): boolean {
  if (html.length < SHORT_HTML) return false;
  const stack: string[] = [];
  const open = new Map<string, number>();
  TAG.lastIndex = 0;
  for (let m = TAG.exec(html); m !== null; m = TAG.exec(html)) {
    const name = m[2]?.toLowerCase();
    if (name === undefined || VOID.has(name) || IMPLIED_END.has(name)) continue;
    if (m[1] === '/') {
      // An end tag closes down to the nearest open element of its name; a stray one is ignored.
      if ((open.get(name) ?? 0) === 0) continue;
      for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
        open.set(top, (open.get(top) ?? 1) - 1);
        if (top === name) break;
      }
      continue;
    }
    stack.push(name);
    open.set(name, (open.get(name) ?? 0) + 1);
    if (stack.length > maxDepth) return true;
  }
  return false;
}

/** The text of `html` without any markup, as one paragraph of HTML (entities kept, so they still show as characters). */
export function htmlAsText(html: string): string {
  const text = html
    .replace(/<(script|style|title|head)\b[\s\S]*?(<\/\1\s*>|$)/gi, ' ')
    .replace(/<!--[\s\S]*?(-->|$)/g, ' ')
    .replace(/<[^>]*>?/g, ' ')
    .replace(/[<>]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return `<p>${text}</p>`;
}
