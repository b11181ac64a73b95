/**
 * The HTML reader under the sanitiser: the events it gives for the ways
 * markup goes wrong. Events are written as `<name a="v">`, text as itself and
 * ends as `</name>`, one per array entry.
 */
import { describe, expect, it } from 'vitest';
import { readHtml } from '../../../../src-protocol/mime/html-reader.ts';

function events(html: string): string[] {
  const out: string[] = [];
  readHtml(html, {
    openTag(name, attrNames, attrValues, attrCount) {
      let tag = `<${name}`;
      for (let k = 0; k < attrCount; k++) tag += ` ${attrNames[k]}="${attrValues[k]}"`;
      out.push(`${tag}>`);
    },
    text(text) {
      out.push(text);
    },
    closeTag(name) {
      out.push(`</${name}>`);
    },
  });
  return out;
}

describe('readHtml: elements', () => {
  it('ends every element it starts, innermost first, the open ones at the end of the input', () => {
    expect(events('<div><p>a<b>b')).toEqual(['<div>', '<p>', 'a', '<b>', 'b', '</b>', '</p>', '</div>']);
  });

  it('ends the elements a start tag implies', () => {
    expect(events('<p>a<div>b</div>')).toEqual(['<p>', 'a', '</p>', '<div>', 'b', '</div>']);
    expect(events('<li>a<li>b')).toEqual(['<li>', 'a', '</li>', '<li>', 'b', '</li>']);
    expect(events('<tr><td>a<td>b<tr>')).toEqual(['<tr>', '<td>', 'a', '</td>', '<td>', 'b', '</td>', '</tr>', '<tr>', '</tr>']);
  });

  it('ends elements inside the one an end tag names, and ignores an end tag of nothing open', () => {
    expect(events('<b><i>x</b>y</i></u>')).toEqual(['<b>', '<i>', 'x', '</i>', '</b>', 'y']);
  });

  it('makes `</p>` without a paragraph an empty one, and `</br>` a line break', () => {
    expect(events('a</p>b</br>c')).toEqual(['a', '<p>', '</p>', 'b', '<br>', '</br>', 'c']);
  });

  it('ends void elements at once and ignores their end tags', () => {
    expect(events('<img src="x"></img><br/><hr>t')).toEqual(['<img src="x">', '</img>', '<br>', '</br>', '<hr>', '</hr>', 't']);
  });

  it('closes `<x/>` only inside svg or math', () => {
    expect(events('<div/>a')).toEqual(['<div>', 'a', '</div>']);
    expect(events('<svg><g/>a</svg>')).toEqual(['<svg>', '<g>', '</g>', 'a', '</svg>']);
  });

  it('ends each of 100,000 nested elements in time proportional to the input', () => {
    const got = events('<div>'.repeat(100_000) + '</div>'.repeat(50_000) + '</x>'.repeat(50_000));
    expect(got).toHaveLength(200_000);
    expect(got.at(-1)).toBe('</div>');
  });
});

describe('readHtml: attributes', () => {
  it('reads double-quoted, single-quoted, unquoted and valueless attributes', () => {
    expect(events(`<p a="1 2" b='3' c=4 d>`)).toEqual(['<p a="1 2" b="3" c="4" d="">', '</p>']);
  });

  it('lower-cases names and keeps the first of duplicates', () => {
    expect(events('<P Title="a" TITLE="b" tItLe="c">')).toEqual(['<p title="a">', '</p>']);
  });

  it('decodes character references as in an attribute: `&copy=` stays as written', () => {
    expect(events('<a href="?x=1&amp;y=&copy=2&copy;&#x3C;">')).toEqual(['<a href="?x=1&y=&copy=2©<">', '</a>']);
  });

  it('reads `/` between attributes as a separator, and in an unquoted value as part of it', () => {
    expect(events('<a/b=c/d>')).toEqual(['<a b="c/d">', '</a>']);
    expect(events('<a b=c / d="e">')).toEqual(['<a b="c" d="e">', '</a>']);
  });

  it('keeps `>` inside quotes and reads names made of odd characters', () => {
    expect(events(`<p title="a>b" "x'=y>`)).toEqual([`<p title="a>b" "x'="y">`, '</p>']);
  });

  it('reads a thousand attributes on one tag, the first of each name', () => {
    const attrs = Array.from({ length: 1000 }, (_, k) => ` a${k % 500}="${k}"`).join('');
    const tag = events(`<p${attrs}>`)[0] ?? '';
    expect(tag.match(/ a\d+=/g)).toHaveLength(500);
    expect(tag).toContain(' a499="499"');
    expect(tag).not.toContain('"500"');
  });
});

describe('readHtml: text', () => {
  it('decodes character references in text, legacy ones without a semicolon too', () => {
    expect(events('a &amp; b &lt; &copy &notit; &#x41;')).toEqual(['a & b < © ¬it; A']);
  });

  it('leaves a name that needs its semicolon as written when it has none', () => {
    expect(events('a &Ocy b &Ocy;')).toEqual(['a &Ocy b О']);
  });

  it('takes `<` that starts no tag as text', () => {
    expect(events('1 < 2 <3 <')).toEqual(['1 < 2 <3 <']);
    expect(events('a</>b</ >c')).toEqual(['a</>b</ >c']);
  });

  it('reads script, style, textarea and xmp as raw text up to their end tag in any case', () => {
    expect(events('<script>if (a<b) x = "</p>&amp;";</SCRIPT >after')).toEqual(['<script>', 'if (a<b) x = "</p>&amp;";', '</script>', 'after']);
    expect(events('<textarea><b>&amp;</b></textarea>')).toEqual(['<textarea>', '<b>&amp;</b>', '</textarea>']);
  });

  it('decodes the raw text of a title', () => {
    expect(events('<title>a &amp; <b></title>')).toEqual(['<title>', 'a & <b>', '</title>']);
  });

  it('reads raw text to the end when its end tag never comes', () => {
    expect(events('<style>p { color: red }')).toEqual(['<style>', 'p { color: red }', '</style>']);
  });

  it('reads `<tmp>` as an ordinary element (htmlparser2 took it for xmp)', () => {
    expect(events('<tmp><b>x</b></tmp>')).toEqual(['<tmp>', '<b>', 'x', '</b>', '</tmp>']);
  });
});

describe('readHtml: what it skips', () => {
  it('skips comments, CDATA, declarations and processing instructions', () => {
    expect(events('a<!-- <b> -->b<![CDATA[<i>]]>c<!DOCTYPE html>d<?xml v?>e<!-->f<!--->g<![if mso]>h</1>i')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']);
  });

  it('skips a comment or CDATA that never ends to the end of the input', () => {
    expect(events('a<!-- b <p>c')).toEqual(['a']);
    expect(events('a<![CDATA[ b <p>c')).toEqual(['a']);
  });

  it('shows an unterminated declaration or processing instruction as text, as written', () => {
    expect(events('a<!DOCTYPE &amp;')).toEqual(['a', 'DOCTYPE &amp;']);
    expect(events('a<?php &amp;')).toEqual(['a', 'php &amp;']);
  });

  it('drops a tag cut off by the end of the input, leaving nothing of it open', () => {
    expect(events('<b>x<p title="y')).toEqual(['<b>', 'x', '</b>']);
    expect(events('<b>x</b y')).toEqual(['<b>', 'x', '</b>']);
    expect(events('<b>x<scr')).toEqual(['<b>', 'x', '</b>']);
  });
});
