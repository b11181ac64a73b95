/**
 * Property test of the sanitiser over random HTML-ish strings (seeded, so
 * every run sees the same ones): whatever goes in, what comes out is markup
 * of one plain shape, balanced, with no script, no event handler and no URL
 * the view must not load, and sanitising it again changes nothing.
 *
 * The checks here are written independently of sanitize-html.ts (a reader
 * for its output, and the URL rules restated), so a bug in the sanitiser's
 * own checks cannot hide itself.
 */
import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from '../../../../src-protocol/mime/sanitize-html.ts';

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const TAGS = [
  'a', 'A', 'b', 'p', 'P', 'div', 'span', 'img', 'IMG', 'br', 'hr', 'table', 'tr', 'td', 'th', 'thead', 'tbody', 'li', 'ul', 'ol', 'dd', 'dt',
  'font', 'h1', 'pre', 'col', 'wbr', 'details', 'q', 'script', 'ScRiPt', 'style', 'title', 'textarea', 'xmp', 'iframe', 'object', 'embed',
  'form', 'input', 'select', 'option', 'button', 'noscript', 'template', 'svg', 'math', 'mi', 'desc', 'foreignObject', 'meta', 'base', 'link',
  'html', 'head', 'body', 'custom-tag', 'x', 'p:x', 'a"b', 'frame', 'param', 'noembed', 'plaintext', 'caption', 'tmp',
];
const ATTRIBUTES = [
  'href', 'HREF', 'src', 'style', 'Style', 'onclick', 'ONLOAD', 'onerror', 'target', 'rel', 'alt', 'title', 'class', 'width', 'border', 'nowrap',
  'name', 'id', 'srcset', 'background', 'action', 'data', 'color', 'type', 'open', 'align', 'xlink:href', 'formaction', 'on', '"x', "'", '=', '<',
  'value', 'colspan', 'dir', 'bgcolor',
];
const VALUES = [
  '', 'x', 'https://ok.example/a?b=1&c=2', 'https://ok.example/?b=1&amp;c=2&copy=3', 'HTTPS://X/', 'mailto:a@b', 'cid:logo@x',
  'data:image/png;base64,AAAA', 'data:image/svg+xml,<svg onload=alert(1)>', 'data:text/html,x', 'javascript:alert(1)',
  'jav&#x61;script:alert(1)', 'jav&#97script:x', ' java\tscript:x', 'JaVaScRiPt:x', '&#106;avascript:x', 'java&Tab;script:x', 'vbscript:x',
  '//evil.example/x', '/relative', '#frag', 'ftp://x', 'color: red', 'background:url(x)', 'background: u\\72l(x)', 'ur/**/l(x)',
  'width: expression(alert(1))', '@import "x"', 'behavior: url(x.htc)', 'x onclick=alert(1)', ' onclick="alert(1)"', 'a"b', "a'b", 'a>b',
  'a<b', 'a&b', '&quot;', '&lt;script&gt;', '&notit;', '&#0;', 'h\u0080ttp://x', '\u0000javascript:x',
];
const TEXT = [
  'hello', ' ', '\n', 'café', '日本', '&amp;', '&lt;', '&gt;', '&amp', '&copy', '&nbsp;', '&#60;', '&#x3C', '&#', '&unknown;', '&notit;', '&',
  '<', '>', '<3', '</>', '</ >', '"', "'", '=', '/', 'javascript:alert(1)', 'onclick=alert(1)', '\u0000', '\f', '\r', '-->', ']]>', '<!--', '</',
  '<!', '<?', '<![CDATA[', '<!DOCTYPE html>', '<?xml version="1.0"?>', '<!-- c -->', '<!-->', '<![if mso]>', '</1x>', '<!x>', '&lt;script&gt;',
];

function randomHtml(rand: () => number): string {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(rand() * list.length)] as T;
  const parts: string[] = [];
  const count = 1 + Math.floor(rand() * 40);
  for (let t = 0; t < count; t++) {
    const r = rand();
    if (r < 0.35) {
      parts.push(pick(TEXT));
    } else if (r < 0.7) {
      let tag = `<${pick(TAGS)}`;
      for (let k = Math.floor(rand() * 4); k > 0; k--) {
        tag += pick([' ', '\n', '/', '\t']) + pick(ATTRIBUTES);
        const q = rand();
        if (q < 0.15) continue;
        const eq = pick(['=', ' = ']);
        const value = pick(VALUES);
        if (q < 0.55) tag += `${eq}"${value.replace(/"/g, '&quot;')}"`;
        else if (q < 0.75) tag += `${eq}'${value.replace(/'/g, '&#39;')}'`;
        else if (q < 0.95) tag += eq + value.replace(/[\s>]/g, '');
        else tag += `${eq}"${value}`;
      }
      parts.push(tag + pick(['>', '>', '/>', ' />', '']));
    } else {
      parts.push(`</${pick(TAGS)}${pick(['>', ' >', ' x>', '/>', ''])}`);
    }
  }
  return parts.join('');
}

/** Some characters of `html` replaced by markup characters: breaks quotes, tags and references. */
function mutate(html: string, rand: () => number): string {
  const chars = [...html];
  for (let k = Math.floor(rand() * 6); k >= 0; k--) {
    chars.splice(Math.floor(rand() * (chars.length + 1)), Math.floor(rand() * 3), ['<', '>', '"', "'", '=', '/', '&', ';', '#', ' ', '-', '!'][Math.floor(rand() * 12)] ?? '');
  }
  return chars.join('');
}

// The sanitiser's output, read back: tags of exactly this shape, text without < or >.
const OUTPUT_TAG = /<(\/?)([a-z0-9]+)((?: [a-z]+(?:="[^"<>]*")?)*)( \/)?>/y;
const OUTPUT_ATTRIBUTE = / ([a-z]+)(?:="([^"]*)")?/g;
const ALLOWED_TAGS = new Set(
  'a abbr acronym address article aside b bdi bdo big blockquote br caption center cite code col colgroup dd del details dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hr i img ins kbd li main mark nav ol p pre q s samp section small span strike strong sub summary sup table tbody td tfoot th thead time tr tt u ul var wbr'.split(
    ' ',
  ),
);
const SELF_CLOSED = new Set(['img', 'br', 'hr']);
// Every attribute the policy keeps on some tag.
const ALLOWED_ATTRIBUTES = new Set(
  'style class title dir lang align valign width height bgcolor href name target rel src alt border hspace vspace color face size cellpadding cellspacing summary colspan rowspan nowrap abbr headers scope span start type reversed value datetime open'.split(
    ' ',
  ),
);

const unescape = (value: string): string => value.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
/** A URL as a browser reads its scheme. */
const schemeView = (url: string): string => url.replace(/[\u0000-\u0020\u007f-\u009f]/g, '').toLowerCase();

/**
 * What is wrong with `out` as sanitiser output, or null: markup of any other
 * shape, unbalanced tags, a forbidden tag or attribute, a URL the view must
 * not load. (Plain checks rather than expect() per tag: thousands of inputs.)
 */
function problemWith(out: string): string | null {
  const open: string[] = [];
  let i = 0;
  while (i < out.length) {
    const lt = out.indexOf('<', i);
    const text = out.slice(i, lt < 0 ? out.length : lt);
    if (/>|&(?!(amp|lt|gt);)/.test(text)) return `text not escaped: ${text}`;
    if (lt < 0) break;
    OUTPUT_TAG.lastIndex = lt;
    const m = OUTPUT_TAG.exec(out);
    if (m === null) return `markup of another shape at ${lt}`;
    const [whole, slash, name = '', attributes = '', selfClosed] = m;
    i = lt + whole.length;
    if (!ALLOWED_TAGS.has(name)) return `tag ${name}`;
    if (slash === '/') {
      if (attributes !== '' || selfClosed !== undefined) return `end tag with attributes: ${whole}`;
      if (open.pop() !== name) return `end tag ${name} does not match`;
      continue;
    }
    if ((selfClosed !== undefined) !== SELF_CLOSED.has(name)) return `${name} ${selfClosed === undefined ? 'not ' : ''}self-closed`;
    if (!SELF_CLOSED.has(name)) open.push(name);
    for (const [, attr = '', raw] of attributes.matchAll(OUTPUT_ATTRIBUTE)) {
      if (attr.startsWith('on') || !ALLOWED_ATTRIBUTES.has(attr)) return `attribute ${attr}`;
      if (raw === undefined) continue;
      if (/&(?!(amp|lt|gt|quot);)/.test(raw)) return `value not escaped: ${raw}`;
      const value = unescape(raw);
      const url = schemeView(value);
      if (attr === 'href' && (name !== 'a' || !/^(https?:\/\/|mailto:)/.test(url))) return `${name} href=${value}`;
      if (attr === 'src' && (name !== 'img' || !/^(https?:\/\/|cid:|data:image\/(png|gif|jpeg|webp)[;,])/.test(url))) return `${name} src=${value}`;
      if (attr === 'style' && /url\(|expression\(|@import|behavior/i.test(value)) return `style=${value}`;
    }
  }
  if (open.length > 0) return `left open: ${open.join(' ')}`;
  return null;
}

function expectSafeAndStable(input: string): void {
  const out = sanitizeHtml(input);
  const problem = problemWith(out);
  if (problem !== null) expect.fail(`${problem}\n in  ${JSON.stringify(input)}\n out ${JSON.stringify(out)}`);
  // Implied by the above, but the point of it all: no script tag survives, in any case.
  expect(out).not.toMatch(/<\s*script/i);
  const again = sanitizeHtml(out);
  if (again !== out) expect.fail(`not stable\n in  ${JSON.stringify(input)}\n out ${JSON.stringify(out)}\n then ${JSON.stringify(again)}`);
}

describe('sanitizeHtml on random HTML-ish input', () => {
  it('writes only safe, balanced markup of one shape, and is stable', () => {
    const rand = prng(20250801);
    for (let k = 0; k < 4000; k++) {
      expectSafeAndStable(k % 4 === 3 ? mutate(randomHtml(rand), rand) : randomHtml(rand));
    }
  });

  it('survives a real-looking newsletter cut and garbled at random places', () => {
    const newsletter =
      '<!DOCTYPE html><html><head><meta charset="utf-8"><title>News</title><style>td{color:red}</style></head><body style="margin:0">' +
      '<table width="100%" cellpadding="0" border="0"><tr><td align="left" style="font-family:Arial, sans-serif;color:#333333">' +
      '<img src="https://img.example.test/banner.png" width="600" alt="Banner &amp; more" style="display:block">' +
      '<h2>This week</h2><p>Read &nbsp;&copy; &lt;tag&gt; &#8212; more</p><!--[if mso]><span>mso</span><![endif]-->' +
      '<a href="https://click.example.test/?u=1&amp;r=2" target="_blank" onclick="track()">Read more</a><br>' +
      '<script>document.write("<img src=//evil.example/t.gif>")</script><form action="https://evil.example/"><input name="q"></form>' +
      '</td></tr></table><img src="https://t.example.test/open.gif" width="1" height="1"></body></html>';
    const rand = prng(7);
    for (let k = 0; k < 2000; k++) {
      expectSafeAndStable(mutate(newsletter.slice(0, Math.floor(rand() * (newsletter.length + 1))), rand));
    }
  });
});
