/**
 * The HTML view is built by html-view.ts because mail-parts.ts turns off
 * mailparser's own text-to-HTML work (it costs more than anything else
 * mailparser does). The view must stay what mailparser builds: checked here
 * against simpleParser's `html` under the same options, on the fixtures, the
 * hostile set and messages that mix text and HTML parts.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import { describe, expect, it } from 'vitest';
import { readMailParts } from '../../../../src-protocol/mime/mail-parts.ts';
import { parseMessage } from '../../../../src-protocol/mime/parse.ts';
import { repairRaw } from '../../../../src-protocol/mime/raw-repair.ts';
import { HOSTILE_CASES } from '../../../fixtures/hostile/generate.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/mime/', import.meta.url));
const eml = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

/** A text part and an HTML part side by side in multipart/mixed, then a text part inside an alternative. */
const MIXED = eml(
  'From: a@example.test',
  'Content-Type: multipart/mixed; boundary="m"',
  '',
  '--m',
  'Content-Type: text/plain; charset=utf-8',
  '',
  'First: see https://example.test/a & <b>not bold</b>',
  '',
  'second paragraph   ',
  '--m',
  'Content-Type: text/html; charset=utf-8',
  '',
  '<p>the <i>HTML</i> part</p>',
  '--m',
  'Content-Type: multipart/alternative; boundary="a"',
  '',
  '--a',
  'Content-Type: text/plain',
  '',
  'alternative text, not shown in HTML',
  '--a',
  'Content-Type: text/html',
  '',
  '<p>alternative html</p>',
  '--a--',
  '--m',
  'Content-Type: text/plain',
  'Content-Disposition: attachment; filename="notes.txt"',
  '',
  'an attached text file',
  '--m--',
  '',
);

const TEXT_ONLY = eml('From: a@example.test', 'Content-Type: multipart/mixed; boundary="m"', '', '--m', 'Content-Type: text/plain', '', 'one', '--m', 'Content-Type: text/plain', '', 'two', '--m--', '');

/** simpleParser's view of the bytes our parser is given (after raw-repair.ts). */
async function mailparserHtml(raw: Buffer): Promise<string | null> {
  const mail = await simpleParser(repairRaw(raw).raw, { ignoreEmbedded: true, keepDeliveryStatus: true, skipHtmlToText: true, keepCidLinks: true, checksumAlgo: false });
  return typeof mail.html === 'string' ? mail.html : null;
}

describe('the HTML view', () => {
  it('turns text parts outside an alternative into HTML between the HTML parts, as mailparser does', async () => {
    const view = (await readMailParts(MIXED, () => 'drop')).html;
    expect(view).toBe(await mailparserHtml(MIXED));
    expect(view).toContain('<a href="https://example.test/a">https://example.test/a</a> &amp; &lt;b&gt;not bold&lt;/b&gt;');
    expect(view?.indexOf('First:')).toBeLessThan(view?.indexOf('the <i>HTML</i> part') ?? -1);
    expect(view).not.toContain('alternative text');
    expect(view).not.toContain('an attached text file');
    // What the person sees: the text part's link and both HTML parts, in order.
    const m = await parseMessage(MIXED);
    expect(m.html_rendered).toMatch(/First: see <a href="https:\/\/example.test\/a"[^>]*>https:\/\/example.test\/a<\/a>[\s\S]*the <i>HTML<\/i> part[\s\S]*alternative html/);
  });

  it('is null when the message has no HTML part', async () => {
    expect((await readMailParts(TEXT_ONLY, () => 'drop')).html).toBeNull();
    expect(await mailparserHtml(TEXT_ONLY)).toBeNull();
  });

  for (const name of readdirSync(FIXTURES).filter((n) => n.endsWith('.eml'))) {
    it(`matches mailparser's on the fixture ${name}`, async () => {
      const raw = readFileSync(FIXTURES + name);
      expect((await readMailParts(raw, () => 'drop')).html).toBe(await mailparserHtml(raw));
    });
  }

  // Cases where mailparser stops at a limit have no view of its own to compare with.
  const comparable = HOSTILE_CASES.filter((c) => !['five-thousand-parts', 'two-megabyte-part-header', 'very-long-header-line'].includes(c.name));
  for (const c of comparable) {
    it(`matches mailparser's on the hostile case ${c.name}`, async () => {
      const raw = c.raw();
      expect((await readMailParts(raw, () => 'drop')).html).toBe(await mailparserHtml(raw));
    });
  }
});
