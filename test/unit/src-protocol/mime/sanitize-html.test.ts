import { describe, expect, it } from 'vitest';
import { sanitizeHtml } from '../../../../src-protocol/mime/sanitize-html.ts';

/** Every attribute that starts with "on" (event handlers), anywhere in the output. */
const EVENT_HANDLER = /<[^>]*\son[a-z]+\s*=/i;

describe('sanitizeHtml removes what can run code or leak', () => {
  const cases: [string, string, RegExp][] = [
    ['script element and its code', '<p>a</p><script>alert(1)</script>', /script|alert/i],
    ['script in odd case', '<ScRiPt>alert(1)</sCrIpT>', /script|alert/i],
    ['event handler on img', '<img src="x.png" onerror="alert(1)">', EVENT_HANDLER],
    ['event handler on body text', '<p onclick="alert(1)" onmouseover="alert(2)">hi</p>', EVENT_HANDLER],
    ['javascript: link', '<a href="javascript:alert(1)">x</a>', /javascript/i],
    ['javascript: link with whitespace and case tricks', '<a href=" JaVa\tScRiPt:alert(1)">x</a>', /script/i],
    ['javascript: link with entities', '<a href="&#106;avascript:alert(1)">x</a>', /avascript/i],
    ['vbscript: link', '<a href="vbscript:msgbox(1)">x</a>', /vbscript/i],
    ['data: link', '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>', /data:/i],
    ['data: svg image', '<img src="data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=">', /data:/i],
    ['data: html image', '<img src="data:text/html,<script>alert(1)</script>">', /data:|script/i],
    ['javascript: image', '<img src="javascript:alert(1)">', /javascript/i],
    ['iframe', '<iframe src="https://evil.example/"></iframe>', /iframe|evil/i],
    ['object and embed', '<object data="x.swf"><embed src="x.swf"></object>', /object|embed|swf/i],
    ['form and inputs', '<form action="https://evil.example/"><input name="p"><textarea>t</textarea><select><option>o</option></select><button>b</button></form>', /<form|<input|<textarea|<select|<option|<button|evil/i],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://evil.example/">', /meta|refresh|evil/i],
    ['base element', '<base href="https://evil.example/"><a href="x">x</a>', /<base|evil/i],
    ['link element', '<link rel="stylesheet" href="https://evil.example/x.css">', /<link|evil/i],
    ['style element and its rules', '<style>body{background:url(https://evil.example/t.png)}</style><p>x</p>', /style|url\(|evil/i],
    ['style attribute with url()', '<div style="background-image: url(https://evil.example/t.png)">x</div>', /url\(|evil/i],
    ['style attribute with escaped url()', '<div style="background: u\\72l(https://evil.example/t.png)">x</div>', /evil/i],
    ['style attribute with commented url()', '<div style="background: ur/**/l(https://evil.example/t.png)">x</div>', /evil/i],
    ['style attribute with expression()', '<div style="width: expression(alert(1))">x</div>', /expression|alert/i],
    ['style attribute with @import', '<div style="@import \'https://evil.example/x.css\'; color: red">x</div>', /import|evil/i],
    ['style attribute with behavior', '<div style="behavior: url(x.htc)">x</div>', /behavior|htc/i],
    ['svg with onload', '<svg onload="alert(1)"><circle r="1"/></svg>', /svg|onload|alert/i],
    ['protocol-relative image', '<img src="//evil.example/t.png">', /evil/i],
    ['srcset on img', '<img src="https://ok.example/a.png" srcset="https://evil.example/b.png 2x">', /srcset|evil/i],
    ['background attribute', '<table background="https://evil.example/t.png"><tr><td>x</td></tr></table>', /background|evil/i],
  ];
  for (const [what, input, mustNotMatch] of cases) {
    it(what, () => {
      expect(sanitizeHtml(input)).not.toMatch(mustNotMatch);
    });
  }
});

describe('sanitizeHtml keeps what a mail needs', () => {
  it('keeps formatting, lists, headings and tables', () => {
    const html =
      '<h2>Title</h2><p><b>bold</b> <i>it</i> <u>u</u> <em>em</em> <strong>s</strong></p><ul><li>one</li></ul>' +
      '<blockquote>quoted</blockquote><pre>code</pre><table border="1" cellpadding="2"><tr><td colspan="2">cell</td></tr></table>';
    expect(sanitizeHtml(html)).toBe(html);
  });

  it('keeps harmless inline styles', () => {
    expect(sanitizeHtml('<p style="color: red; font-weight: bold">x</p>')).toMatch(/<p style="color: ?red; ?font-weight: ?bold">x<\/p>/);
  });

  it('keeps a style attribute from breaking out of its quotes', () => {
    const out = sanitizeHtml('<p style=\'color: red" onclick="alert(1)\'>x</p>');
    // The quote is escaped: the browser reads one style attribute and no event handler.
    expect(out).toBe('<p style="color: red&quot; onclick=&quot;alert(1)">x</p>');
  });

  it('keeps cid:, remote and small raster data: images with their size and alt text', () => {
    const out = sanitizeHtml(
      '<img src="cid:logo@example.test" alt="logo" width="10" height="20">' +
        '<img src="https://images.example.test/r.png" alt="remote">' +
        '<img src="data:image/png;base64,iVBORw0KGgo=" alt="tiny">',
    );
    expect(out).toContain('src="cid:logo@example.test"');
    expect(out).toContain('width="10"');
    expect(out).toContain('height="20"');
    expect(out).toContain('src="https://images.example.test/r.png"');
    expect(out).toContain('src="data:image/png;base64,iVBORw0KGgo="');
    expect(out).toContain('alt="tiny"');
  });

  it('opens links outside the view without telling the sender where from', () => {
    const out = sanitizeHtml('<a href="https://example.test/x" target="_self" rel="opener">x</a>');
    expect(out).toBe('<a href="https://example.test/x" target="_blank" rel="noopener noreferrer">x</a>');
  });

  it('keeps mailto: links and drops other schemes', () => {
    expect(sanitizeHtml('<a href="mailto:bob@example.test">mail</a>')).toContain('href="mailto:bob@example.test"');
    expect(sanitizeHtml('<a href="file:///etc/passwd">f</a>')).not.toContain('file:');
    expect(sanitizeHtml('<a href="ftp://example.test/">f</a>')).not.toContain('ftp:');
  });

  it('keeps the text of dropped wrapper tags but not of code or the head title', () => {
    const out = sanitizeHtml('<html><head><title>secret title</title></head><body><custom-tag>visible</custom-tag></body></html>');
    expect(out).toBe('visible');
  });
});
