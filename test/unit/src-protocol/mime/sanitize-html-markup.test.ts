/**
 * How the sanitiser reads messy markup and what it writes back: the cases a
 * hand-written HTML reader can get wrong. The expected outputs are what
 * sanitize-html (the sanitiser before this one) wrote for the same input,
 * so they pin the policy as well as the reading, except where a test says
 * otherwise.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';
import { sanitizeHtml } from '../../../../src-protocol/mime/sanitize-html.ts';

const LINK = 'target="_blank" rel="noopener noreferrer"';

function expectAll(cases: [string, string][]): void {
  for (const [input, output] of cases) expect(sanitizeHtml(input), input).toBe(output);
}

describe('sanitizeHtml balances what the sender left open or closed twice', () => {
  it('closes elements left open at the end', () => {
    expect(sanitizeHtml('<div><p><b>bold <i>both')).toBe('<div><p><b>bold <i>both</i></b></p></div>');
  });

  it('ends paragraphs, list items and cells where the next one starts', () => {
    expectAll([
      ['<p>one<p>two<ul><li>a<li>b</ul>', '<p>one</p><p>two</p><ul><li>a</li><li>b</li></ul>'],
      ['<table><tr><td>a<td>b<tr><td>c</table>', '<table><tr><td>a</td><td>b</td></tr><tr><td>c</td></tr></table>'],
    ]);
  });

  it('ignores end tags of elements that are not open, except </p> (an empty paragraph)', () => {
    expect(sanitizeHtml('a</b>c</div>d</p>e')).toBe('acd<p></p>e');
  });

  it('closes inner elements with their parent when end tags overlap', () => {
    expect(sanitizeHtml('<b><i>x</b>y</i>')).toBe('<b><i>x</i></b>y');
  });

  it('ends an element where its written form will end when read again', () => {
    // sanitize-html wrote '<p>a<p>b</p>c</p>d' (the dropped custom tag kept the second p inside
    // the first), which reads back as '<p>a</p><p>b</p>c<p></p>d'.
    expectAll([
      ['<p>a<custom><p>b</custom>c</p>d', '<p>a</p><p>b</p>cd'],
      ['<ul><li>a<span-x><li>b</ul>', '<ul><li>a</li><li>b</li></ul>'],
    ]);
  });

  it('drops a tag cut off by the end of the input', () => {
    expectAll([
      ['<p>unterminated <b', '<p>unterminated </p>'],
      ['<p>cut <a href="https://x.test/', '<p>cut </p>'],
    ]);
  });
});

describe('sanitizeHtml writes void elements in one form', () => {
  it('writes br, hr and img self-closed, whatever the input said', () => {
    expectAll([
      ['line<br>break<br/>again<BR />and</br>end', 'line<br />break<br />again<br />and<br />end'],
      ['<img src="cid:a@b"></img>after', '<img src="cid:a@b" />after'],
      ['<img src="https://x.test/a.png"><hr><wbr><col span="2">', '<img src="https://x.test/a.png" /><hr /><wbr></wbr><col span="2"></col>'],
    ]);
  });
});

describe('sanitizeHtml reads attributes as a browser does', () => {
  it('lower-cases tag and attribute names and quotes every value', () => {
    expectAll([
      ['<P CLASS="c" STYLE="color: red" ALIGN=center>x</P>', '<p class="c" style="color: red" align="center">x</p>'],
      ['<A HREF="https://x.test/" TARGET=_top>x</A>', `<a href="https://x.test/" ${LINK}>x</a>`],
    ]);
  });

  it('keeps the first of duplicate attributes, in any case', () => {
    expect(sanitizeHtml('<p title="a" TITLE="b">x</p>')).toBe('<p title="a">x</p>');
  });

  it('escapes quotes, < and > in values and keeps the other characters as text', () => {
    expectAll([
      ['<p title="a&quot;b&lt;c&gt;d&amp;e">x</p>', '<p title="a&quot;b&lt;c&gt;d&amp;e">x</p>'],
      [`<p title='say "hi"'>x</p>`, '<p title="say &quot;hi&quot;">x</p>'],
    ]);
  });

  it('keeps attributes that mean something empty, and drops empty ones that do not', () => {
    expectAll([
      ['<td nowrap>x</td><ol reversed start="3"><li value="2">x</li></ol><details open><summary>s</summary></details>', '<td nowrap>x</td><ol reversed start="3"><li value="2">x</li></ol><details open><summary>s</summary></details>'],
      ['<table border><tr><td colspan="">x</td></tr></table>', '<table border><tr><td>x</td></tr></table>'],
      ['<img alt="" src="https://x.test/a.png" width="" border="">', '<img alt="" src="https://x.test/a.png" border />'],
      ['<p id="x" onclick="y" data-x="1" style="">x</p>', '<p>x</p>'],
    ]);
  });

  it('drops style attributes that load something, in any case', () => {
    expect(sanitizeHtml('<div style="background: url(x)">a</div><div style="BACKGROUND: URL(x)">b</div>')).toBe('<div>a</div><div>b</div>');
  });
});

describe('sanitizeHtml checks URLs after undoing character references', () => {
  it('drops javascript: links however they are encoded', () => {
    for (const href of ['jav&#x61;script:alert(1)', 'jav&#97;script:alert(1)', '&#x6A;avascript&#58;alert(1)', 'java&Tab;script:alert(1)', 'java&NewLine;script:alert(1)']) {
      expect(sanitizeHtml(`<a href="${href}">x</a>`), href).toBe(`<a ${LINK}>x</a>`);
    }
  });

  it('checks an encoded data: image like a written one', () => {
    expectAll([
      ['<img src="&#100;ata:image/svg+xml,x">', '<img />'],
      ['<img src="data&colon;image/png;base64,AAAA">', '<img src="data:image/png;base64,AAAA" />'],
    ]);
  });

  it('writes a link query string back escaped, legacy references left alone as the browser does', () => {
    expect(sanitizeHtml('<a href="https://x.test/?a=1&amp;b=2&copy=3">x</a>')).toBe(`<a href="https://x.test/?a=1&amp;b=2&amp;copy=3" ${LINK}>x</a>`);
  });

  it('gives every link our target and rel, in the place the sender put theirs', () => {
    expectAll([
      ['<a name="top">anchor</a>', `<a name="top" ${LINK}>anchor</a>`],
      ['<a rel="opener" href="https://x.test/" target="_self">x</a>', '<a rel="noopener noreferrer" href="https://x.test/" target="_blank">x</a>'],
      ['<a href="">empty</a><a href="#frag">frag</a><a href="/rel">rel</a>', `<a ${LINK}>empty</a><a ${LINK}>frag</a><a ${LINK}>rel</a>`],
    ]);
  });
});

describe('sanitizeHtml drops forbidden elements with their content or keeps their text', () => {
  it('drops code, style sheets, frames, plugins, form values, templates and the title with all inside them', () => {
    expectAll([
      ['<div><script>if (a < b) { document.write("<p>x</p>") }</script>after</div>', '<div>after</div>'],
      ['<style>p { color: red }</style><p>x</p>', '<p>x</p>'],
      ['<iframe src="https://evil.test/"><p>inside iframe</p></iframe>after', 'after'],
      ['<object data="x"><param name="a" value="b"><p>fallback</p></object>after', 'after'],
      ['<select><option>one</option><option>two</select>after', 'after'],
      ['<textarea><b>not markup</b></textarea>after', 'after'],
      ['<noscript><img src="https://t.test/p.gif"></noscript>after', 'after'],
      ['<template><p>t</p></template>after', 'after'],
      ['<title>t</title>after', 'after'],
      ['<xmp><b>x</b></xmp>after', 'after'],
      ['<embed src="x.swf">after<frameset><frame src="x"></frameset>', 'after'],
    ]);
  });

  it('finds the end of a script whatever its content', () => {
    expectAll([
      ['<script>var s = "</p><b>";</script>ok', 'ok'],
      ['<SCRIPT>x</script >ok', 'ok'],
      ['<script>never closed <p>not shown', ''],
    ]);
  });

  it('keeps the text of other dropped elements', () => {
    expectAll([
      ['<form action="https://evil.test/"><p>form text</p><button>press</button></form>', '<p>form text</p>press'],
      ['<svg><circle r="1"/><text>svg text</text></svg>after', 'svg textafter'],
      ['<math><mi>x</mi></math>after', 'xafter'],
      ['<custom-tag><b>kept</b></custom-tag>', '<b>kept</b>'],
      ['<font color="red" face="Arial" size="2">f</font><center>c</center>', '<font color="red" face="Arial" size="2">f</font><center>c</center>'],
    ]);
  });
});

describe('sanitizeHtml drops comments, CDATA, declarations and processing instructions', () => {
  it('drops them with anything inside', () => {
    expectAll([
      ['a<!-- comment <script>alert(1)</script> -->b', 'ab'],
      ['a<![CDATA[<script>alert(1)</script>]]>b', 'ab'],
      ['a<!DOCTYPE html>b<?xml version="1.0"?>c', 'abc'],
      ['a<!--[if mso]><p>mso only</p><![endif]-->b', 'ab'],
      ['a<!-->b<!--->c', 'abc'],
      ['<p>x</p><!-- never closed', '<p>x</p>'],
    ]);
  });
});

describe('sanitizeHtml writes text with the fewest escapes', () => {
  it('escapes only &, < and > in text', () => {
    expectAll([
      [`1 < 2 > 0 & "q" 's'`, `1 &lt; 2 &gt; 0 &amp; "q" 's'`],
      ['&lt;script&gt;alert(1)&lt;/script&gt;', '&lt;script&gt;alert(1)&lt;/script&gt;'],
      ['</>text</ >more', '&lt;/&gt;text&lt;/ &gt;more'],
    ]);
  });

  it('writes character references as the characters they stand for', () => {
    expect(sanitizeHtml('caf&eacute; &amp; cr&egrave;me &nbsp;&copy; &#x1F600; &bogus; &amp')).toBe('café &amp; crème \u00a0© 😀 &amp;bogus; &amp;');
  });
});

describe('sanitizeHtml within the limits', () => {
  it('sanitises a flat document as long as LIMITS.maxHtmlChars', () => {
    const paragraph = '<p class="item" style="color:#333">Some text &amp; a <a href="https://example.test/x?a=1&amp;b=2">link</a></p>\n';
    const count = Math.floor(LIMITS.maxHtmlChars / paragraph.length);
    const out = sanitizeHtml(paragraph.repeat(count));
    const expected = `<p class="item" style="color:#333">Some text &amp; a <a href="https://example.test/x?a=1&amp;b=2" ${LINK}>link</a></p>\n`;
    expect(out.length).toBe(expected.length * count);
    expect(out).toBe(expected.repeat(count));
  });

  it('sanitises markup nested LIMITS.maxHtmlNestingDepth levels deep', () => {
    const depth = LIMITS.maxHtmlNestingDepth;
    const html = '<div><span>'.repeat(depth / 2) + 'deep' + '</span></div>'.repeat(depth / 2);
    expect(sanitizeHtml(html)).toBe(html);
  });

  it('takes time in proportion to the input, not to the nesting depth', () => {
    // Far beyond the limit (parseMessage shows such HTML as text); the old parser took 18 s for this.
    const depth = 200_000;
    const out = sanitizeHtml('<div>'.repeat(depth) + 'deep');
    expect(out).toBe('<div>'.repeat(depth) + 'deep' + '</div>'.repeat(depth));
  });
});
