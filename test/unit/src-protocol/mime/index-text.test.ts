import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { decodeQuotedPrintable, extractIndexText, htmlToWords } from '../../../../src-protocol/mime/index-text.ts';
import { parseMessage } from '../../../../src-protocol/mime/parse.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';
import { generateCorpus } from '../../../bench/sync/corpus.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/mime/', import.meta.url));
const crlf = (s: string): Buffer => Buffer.from(s.replace(/\r?\n/g, '\r\n'));

/** Lower-case words, for comparing texts whatever their white space and markup. */
const words = (s: string): Set<string> => new Set(s.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);

describe('extractIndexText', () => {
  it('reads a plain message, decoding quoted-printable in its declared charset', () => {
    const raw = crlf([
      'From: a@example.test', 'Subject: x', 'Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '',
      'Gr=FC=DFe aus der Stra=DFe, a long line that wraps=', ' here.', '',
    ].join('\n'));
    const t = extractIndexText(raw);
    expect(t.body).toContain('Grüße aus der Straße, a long line that wraps here.');
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
    expect(words(t.body)).toEqual(words('plain words here'));
    expect(t.attachmentNames).toEqual(['report.pdf']);
    expect(t.hasAttachments).toBe(true);
  });

  it('falls back to the HTML words, without scripts, styles, comments or tags', () => {
    const raw = crlf([
      'Content-Type: text/html; charset=utf-8', 'Content-Transfer-Encoding: base64', '',
      Buffer.from('<html><style>p{color:red}</style><script>var hidden=1</script><!-- note --><p>Caf&eacute; &amp; cr&#232;me&nbsp;br&#xFB;l&eacute;e</p></html>').toString('base64'), '',
    ].join('\n'));
    const t = extractIndexText(raw);
    expect(t.body).toBe('Caf&eacute; & crème brûl&eacute;e');
    expect(t.body).not.toMatch(/color|hidden|note/);
  });

  it('keeps an attached message and a text part marked as attachment out of the body', () => {
    const raw = crlf([
      'Content-Type: multipart/mixed; boundary=b', '', '--b', '', 'the body', '--b', 'Content-Type: message/rfc822', '',
      'Subject: inner', '', 'inner words', '--b', 'Content-Type: text/plain', 'Content-Disposition: attachment; filename=notes.txt', '',
      'attached words', '--b--', '',
    ].join('\n'));
    const t = extractIndexText(raw);
    expect(words(t.body)).toEqual(words('the body'));
    expect(t.attachmentNames).toEqual(['notes.txt']);
    expect(t.hasAttachments).toBe(true);
  });

  it('does not take "--boundary" inside a line, or a longer boundary, for a delimiter', () => {
    const raw = crlf([
      'Content-Type: multipart/mixed; boundary=ab', '', '--ab', '', 'first --ab still first', '--abc', 'also first', '--ab--', '',
    ].join('\n'));
    expect(extractIndexText(raw).body).toBe('first --ab still first\n--abc\nalso first');
  });

  it('reads a message with bare LF line ends and one without a header', () => {
    expect(extractIndexText(Buffer.from('Subject: lf\n\nlf body\n')).body).toBe('lf body');
    expect(extractIndexText(Buffer.from('\r\nonly a body')).body).toBe('only a body');
  });

  it('survives damage: no close delimiter, no boundary, junk encodings, and more parts than the limit', () => {
    const open = crlf(['Content-Type: multipart/mixed; boundary=q', '', '--q', '', 'unclosed text'].join('\n'));
    expect(extractIndexText(open).body).toBe('unclosed text');
    expect(extractIndexText(crlf('Content-Type: multipart/mixed\n\nno boundary here\n')).body).toBe('no boundary here');
    expect(extractIndexText(crlf('Content-Transfer-Encoding: base64\n\n!!!not base64@@@\n')).body).toBeTypeOf('string');
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
    expect(extractIndexText(lfFirst).body.split(/\r?\n/)).toEqual(['body one', '', 'Content-Type: text/html']);
    // CRLF header, LF-only empty lines later (a sloppy attachment): the CRLF one ends the header.
    const crlfFirst = Buffer.from('Content-Type: text/plain\r\n\r\nbody two\n\nSubject: not a header\n');
    expect(extractIndexText(crlfFirst).body.split(/\r?\n/)).toEqual(['body two', '', 'Subject: not a header']);
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
    expect(words(t.body), label).toEqual(words(model.text));
  } else if (model.html_rendered) {
    // The parser's HTML is sanitised for display; every word it shows is in the index.
    const indexed = words(t.body);
    for (const w of words(model.html_rendered.replace(/<[^>]*>/g, ' '))) expect(indexed.has(w), `${label}: ${w}`).toBe(true);
  }
}
