import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeQuotedPrintable, extractIndexText, htmlToWords } from '../../../../src-protocol/mime/index-text.ts';
import { parseMessage } from '../../../../src-protocol/mime/parse.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';
import { generateCorpus } from '../../../bench/sync/corpus.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/mime/', import.meta.url));
const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'));

/** The body as text, whether the extractor kept it as UTF-8 bytes or decoded it. */
const textOf = (body: string | Uint8Array): string => (typeof body === 'string' ? body : new TextDecoder().decode(body));
const bodyOf = (raw: Buffer): string => textOf(extractIndexText(raw).body);

/** Lower-case words, for comparing texts whatever their white space and markup. */
const words = (s: string): Set<string> => new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

describe('extractIndexText', () => {
  it('reads a plain message, decoding quoted-printable in its declared charset', () => {
    const raw = crlf([
      'From: a@example.test', 'Subject: x', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '',
      'Gr=FC=DFe aus der Stra=DFe, a long line that wraps=', ' here.', '',
    ].join('\n'));
    const t = extractIndexText(raw);
    expect(textOf(t.body)).toContain('Grüße aus der Straße, a long line that wraps here.');
    expect(t.attachmentNames).toEqual([]);
    expect(t.hasAttachments).toBe(false);
  });

  it('prefers the plain part of an alternative and names attachments without reading them', () => {
    const raw = crlf([
      'Content-Type: multipart/mixed; boundary="outer"', '', 'preamble is not text', '--outer',
      'Content-Type: multipart/alternative; boundary=inner', '', '--inner', 'Content-Type: text/plain; charset=utf-8', '',
      'plain words here', '--inner', 'Content-Type: text/html', '', '<p>html only words</p>', '--inner--', '--outer',
      'Content-Type: application/pdf; name="report.pdf"', 'Content-Transfer-Encoding: base64', '', Buffer.from('secret pdf words').toString('base64'),
      '--outer', 'Content-Type: image/png', '', 'x', '--outer--', 'epilogue words', '',
    ].join('\n'));
    const t = extractIndexText(raw);
    expect(words(textOf(t.body))).toEqual(words('plain words here'));
    expect(t.attachmentNames).toEqual(['report.pdf']);
    expect(t.hasAttachments).toBe(true);
  });

  it('falls back to the HTML words, without scripts, styles, comments or tags', () => {
    const raw = crlf([
      'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '',
      Buffer.from('<html><style>p{color:red}</style><script>var hidden=1</script><!-- note --><p>Caf&eacute; &amp; cr&#232;me&nbsp;br&#xFB;l&eacute;e</p></html>').toString('base64'), '',
    ].join('\n'));
    const t = extractIndexText(raw);
    expect(textOf(t.body)).toBe('Caf&eacute; & crème brûl&eacute;e');
    expect(textOf(t.body)).not.toMatch(/color|hidden|note/);
  });

  it('keeps an attached message and a text part marked as attachment out of the body', () => {
    const raw = crlf([
      'Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'the body', '--b', 'Content-Type: message/rfc822', '',
      'Subject: inner', '', 'inner words', '--b', 'Content-Type: text/plain', 'Content-Disposition: attachment; filename=notes.txt', '',
      'attached words', '--b--', '',
    ].join('\n'));
    const t = extractIndexText(raw);
    expect(words(textOf(t.body))).toEqual(words('the body'));
    expect(t.attachmentNames).toEqual(['notes.txt']);
    expect(t.hasAttachments).toBe(true);
  });

  it('does not take "--boundary" inside a line, or a longer boundary, for a delimiter', () => {
    const raw = crlf([
      'Content-Type: multipart/mixed; boundary=ab', '', '--ab', '', 'first --ab still first', '--abc', 'also first', '--ab--', '',
    ].join('\n'));
    expect(bodyOf(raw)).toBe('first --ab still first\r\n--abc\r\nalso first');
  });

  it('reads Content-* fields in any case, folded, first one winning, and nothing from other fields', () => {
    const raw = crlf([
      'Received: from a by b;', ' content-type: text/html', 'X-Note: Content-Type: text/html',
      'CONTENT-TYPE: multipart/alternative;', '\tboundary="fold"', 'content-type: text/html', 'Content-Transfer-Encoding : 7bit', '',
      '--fold', 'content-type: TEXT/PLAIN; charset=utf-8', 'Content-Transfer-Encoding: quoted-printable', '', 'soft=', 'ly folded', '--fold',
      'Content-Type: text/html', '', '<p>html words</p>', '--fold--', '',
    ].join('\n'));
    expect(bodyOf(raw)).toBe('softly folded');
  });

  it('keeps a UTF-8 part as its bytes and decodes any other charset', () => {
    const utf8 = extractIndexText(crlf('Content-Type: text/plain; charset=utf-8\n\nCafé crème\nline two\n')).body;
    expect(utf8).toBeInstanceOf(Uint8Array);
    expect(Buffer.from(utf8 as Uint8Array).toString('utf8')).toBe('Café crème\r\nline two');
    const latin1 = Buffer.concat([Buffer.from('Content-Type: text/plain; charset=iso-8859-1\r\n\r\n'), Buffer.from('Caf\xe9', 'latin1')]);
    expect(extractIndexText(latin1).body).toBe('Café');
    // Says UTF-8, is not: read as windows-1252, as the display parser does.
    const liar = Buffer.concat([Buffer.from('Content-Type: text/plain; charset=utf-8\r\n\r\n'), Buffer.from('na\xefve \x93quoted\x94', 'latin1')]);
    expect(extractIndexText(liar).body).toBe('naïve “quoted”');
    // Two parts, one of them decoded: the body is one string.
    const mixed = crlf([
      'Content-Type: multipart/mixed; boundary=m', '', '--m', 'Content-Type: text/plain; charset=utf-8', '', 'première', '--m',
      'Content-Type: text/plain; charset=koi8-r', 'Content-Transfer-Encoding: base64', '', Buffer.from([0xf0, 0xd2, 0xc9, 0xd7, 0xc5, 0xd4]).toString('base64'), '--m--', '',
    ].join('\n'));
    expect(extractIndexText(mixed).body).toBe('première\nПривет');
  });

  it('reads a message with bare LF line ends and one without a header', () => {
    expect(bodyOf(Buffer.from('Subject: lf\n\nlf body\n'))).toBe('lf body');
    expect(bodyOf(Buffer.from('\r\nonly a body'))).toBe('only a body');
  });

  it('survives damage: no close delimiter, no boundary, junk encodings, and more parts than the limit', () => {
    const open = crlf(['Content-Type: multipart/mixed; boundary=q', '', '--q', '', 'unclosed text'].join('\n'));
    expect(bodyOf(open)).toBe('unclosed text');
    expect(bodyOf(crlf('Content-Type: multipart/mixed\n\nno boundary here\n'))).toBe('no boundary here');
    expect(() => extractIndexText(crlf('Content-Transfer-Encoding: base64\n\n!!!not base64@@@\n'))).not.toThrow();
    const many = ['Content-Type: multipart/mixed; boundary=m', ''];
    for (let i = 0; i < LIMITS.maxMimeParts + 50; i++) many.push('--m', 'Content-Type: application/octet-stream; name=f.bin', '', 'x');
    many.push('--m--', '');
    const t = extractIndexText(crlf(many.join('\n')));
    expect(t.attachmentNames.length).toBeLessThanOrEqual(LIMITS.maxAttachmentsListed);
    expect(t.hasAttachments).toBe(true);
  });

  it('costs linear time on hostile HTML (unclosed tags, comments and scripts)', () => {
    const hostile = `${'<a'.repeat(200_000)}${'<!--'.repeat(50_000)}${'<script>'.repeat(50_000)}`;
    const t0 = performance.now();
    htmlToWords(hostile);
    expect(performance.now() - t0).toBeLessThan(2000);
  });

  it('ends a header at its first empty line, whether LF or CRLF comes first', () => {
    // LF-only header, a CRLF empty line later in the body: the LF one ends the header.
    const lfFirst = Buffer.from('Content-Type: text/plain\n\nbody one\r\n\r\nContent-Type: text/html\r\n');
    expect(bodyOf(lfFirst).split(/\r?\n/)).toEqual(['body one', '', 'Content-Type: text/html']);
    // CRLF header, LF-only empty lines later (a sloppy attachment): the CRLF one ends the header.
    const crlfFirst = Buffer.from('Content-Type: text/plain\r\n\r\nbody two\n\nSubject: not a header\n');
    expect(bodyOf(crlfFirst).split(/\r?\n/)).toEqual(['body two', '', 'Subject: not a header']);
  });

  it('decodes quoted-printable soft breaks with trailing white space and keeps a bad escape as it is', () => {
    expect(decodeQuotedPrintable(Buffer.from('a=  \r\nb=3Dc=ZZ=4')).toString()).toBe('ab=c=ZZ=4');
  });

  it('agrees with the display parser on the test messages: same words, same attachment names', async () => {
    const files = (await readdir(FIXTURES)).filter((f) => f.endsWith('.eml'));
    expect(files.length).toBeGreaterThan(5);
    for (const file of files) {
      const raw = await readFile(`${FIXTURES}${file}`);
      await expectSameAsParser(raw, file);
    }
  });

  it('agrees with the display parser on generated mail (plain, alternative, HTML newsletters, attachments)', async () => {
    let n = 0;
    for (const m of generateCorpus({ count: 150, seed: 7, sizeFactor: 0.2 })) {
      await expectSameAsParser(m.raw, `corpus message ${n++}`);
    }
  });
});

async function expectSameAsParser(raw: Buffer, label: string): Promise<void> {
  const model = await parseMessage(raw);
  const t = extractIndexText(raw);
  const named = model.attachments.map((a) => a.filename).filter((f): f is string => typeof f === 'string' && f.length > 0);
  expect(t.attachmentNames, label).toEqual(named);
  expect(t.hasAttachments, label).toBe(model.attachments.length > 0);
  if (model.text) {
    expect(words(textOf(t.body)), label).toEqual(words(model.text));
  } else if (model.html_rendered) {
    // The parser's HTML is sanitised for display; every word it shows is in the index.
    const indexed = words(textOf(t.body));
    for (const w of words(model.html_rendered.replace(/<[^>]*>/g, ' '))) expect(indexed.has(w), `${label}: ${w}`).toBe(true);
  }
}
