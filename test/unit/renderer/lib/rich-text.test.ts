import { describe, expect, it } from 'vitest';
import { escapeHtml, htmlFromText, newContentId } from '../../../../renderer/lib/rich-text.ts';

describe('plain text into the rich editor', () => {
  it('keeps lines and blank lines, escaped', () => {
    expect(htmlFromText('Hi <you> & co\n\nBye')).toBe('<div>Hi &lt;you&gt; &amp; co</div><div><br></div><div>Bye</div>');
  });

  it('turns a reply\'s > quote into a blockquote, nested quotes nested', () => {
    expect(htmlFromText('Yes.\n> Lunch?\n>> Maybe')).toBe('<div>Yes.</div><blockquote><div>Lunch?</div><blockquote><div>Maybe</div></blockquote></blockquote>');
  });

  it('escapes quotes for attributes too', () => {
    expect(escapeHtml('"a"')).toBe('&quot;a&quot;');
  });
});

describe('content ids of inline images', () => {
  it('are valid Content-IDs for the contract, and differ', () => {
    const a = newContentId();
    const b = newContentId();
    expect(a).toMatch(/^[A-Za-z0-9.@_+-]{1,200}$/);
    expect(a).not.toBe(b);
  });
});
