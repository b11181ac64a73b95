/**
 * The hostile set (test/fixtures/hostile/generate.ts): every case must open,
 * show what it can, and hand nothing dangerous to the view or the file
 * system. Each parse runs under a deadline signal: a parse that hangs is
 * stopped by the parser itself (CANCELLED) and the test fails on that, not
 * on a stopwatch.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MessageModel } from '../../../../src-protocol/contract/schemas.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';
import { getAttachmentContent, parseMessage, type ParsedMessage } from '../../../../src-protocol/mime/parse.ts';
import { mimeTree } from '../../../../src-protocol/mime/mime-tree.ts';
import { HOSTILE_CASES } from '../../../fixtures/hostile/generate.ts';

/** Generous: a stuck parse is stopped here; a healthy one takes a fraction of it. */
const DEADLINE_MS = 45_000;
/** The contract's model plus `notes` (the contract gets the field from the lead; extend() is a no-op once it has it). */
const ModelWithNotes = MessageModel.extend({ notes: z.array(z.string()) }).strict();

// Checked independently of safe-filename.ts: what a file system or a person could be fooled by.
function expectSafeName(name: string): void {
  expect(name).not.toMatch(/[/\\]/);
  expect(name).not.toMatch(/^[.\s]|[.\s]$/);
  expect(name).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]/);
  expect(name).not.toMatch(/^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i);
  expect(name).not.toMatch(/^[a-z]:/i);
  expect(name).not.toMatch(/[<>:"|?*]/);
  // What file systems take; maxFileNameBytes leaves room below it for " (2)" on collisions.
  expect(Buffer.byteLength(name)).toBeLessThanOrEqual(255);
  expect(name.length).toBeGreaterThan(0);
}

// The rendered HTML may load nothing but http(s) images (held back by the view's CSP),
// cid: images from the message itself and small raster data: images.
function expectSafeHtml(html: string): void {
  expect(html).not.toMatch(/<\s*(script|iframe|object|embed|form|meta|base|link|style|svg)\b/i);
  expect(html).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
  expect(html).not.toMatch(/javascript:|vbscript:|url\(|expression\(/i);
  for (const [, tag, attr, value] of html.matchAll(/<(\w+)[^>]*?\s(src|href|srcset|background|action|formaction|poster|data)\s*=\s*"([^"]*)"/gi)) {
    const v = (value ?? '').trim().toLowerCase();
    if (tag?.toLowerCase() === 'img' && attr?.toLowerCase() === 'src') {
      expect(v, `img src ${v}`).toMatch(/^(https?:\/\/|cid:|data:image\/(png|gif|jpeg|webp)[;,])/);
    } else {
      expect(`${tag} ${attr}`).toBe('a href');
      expect(v, `href ${v}`).toMatch(/^(https?:\/\/|mailto:)/);
    }
  }
}

const allText = (m: ParsedMessage): string =>
  [m.subject, m.text ?? '', m.html_rendered ?? '', ...m.attachments.map((a) => a.filename ?? ''), ...m.from.map((a) => a.address)].join('\n');

describe('hostile messages open, show what they can, and stay safe', () => {
  for (const c of HOSTILE_CASES) {
    it(`${c.name}: ${c.what}`, async () => {
      const raw = c.raw();
      const m = await parseMessage(raw, { signal: AbortSignal.timeout(DEADLINE_MS) });
      expect(() => ModelWithNotes.parse(m)).not.toThrow();
      if (c.shows !== undefined) expect(allText(m)).toContain(c.shows);
      for (const a of m.attachments) expectSafeName(a.save_as);
      const lower = m.attachments.map((a) => a.save_as.toLowerCase());
      expect(new Set(lower).size).toBe(lower.length);
      if (m.html_rendered !== null) expectSafeHtml(m.html_rendered);
      for (const note of m.notes) expect(note).toMatch(/^[A-Z].*\.$/);

      const tree = await mimeTree(raw, AbortSignal.timeout(DEADLINE_MS));
      expect(tree.content_type).toMatch(/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/);

      const first = m.attachments[0];
      if (first !== undefined) {
        const got = await getAttachmentContent(raw, 0, AbortSignal.timeout(DEADLINE_MS));
        expect(createHash('sha256').update(got.content).digest('hex')).toBe(first.sha256);
        expect(got.filename).toBe(first.save_as);
      }
    }, 120_000);
  }
});

describe('hostile messages: what the person is told', () => {
  const byName = (name: string): Buffer => {
    const found = HOSTILE_CASES.find((c) => c.name === name);
    if (found === undefined) throw new Error(`no case ${name}`);
    return found.raw();
  };

  it('says that parts past the limit are not shown, and still lists the first ones', async () => {
    const m = await parseMessage(byName('five-thousand-parts'));
    expect(m.text).toBe('part 0');
    expect(m.html_rendered).toContain('visible html');
    expect(m.attachments).toHaveLength(LIMITS.maxAttachmentsListed);
    expect(m.notes).toContain(`This message has more than ${LIMITS.maxMimeParts} parts; only the first ones are shown.`);
  });

  it('drops a 2 MB header field, says so, and reads the rest of the header', async () => {
    const m = await parseMessage(byName('two-megabyte-header'));
    expect(m.subject).toBe('after the big header');
    expect(m.from).toEqual([{ name: '', address: 'a@example.test' }]);
    expect(m.notes).toEqual(['Some header fields were too large to read (X-Big) and are not shown.']);
  });

  it('shows the parts before a part whose header is too large', async () => {
    const m = await parseMessage(byName('two-megabyte-part-header'));
    expect(m.text).toBe('first part survives');
    expect(m.notes).toHaveLength(1);
  });

  it('shows the body as text when the boundary never appears', async () => {
    const m = await parseMessage(byName('missing-boundary'));
    expect(m.text).toBe('text without any boundary\n--not-the-boundary\nmore text\n');
    expect(m.notes).toHaveLength(1);
  });

  it('reads a message written with bare CR line ends like any other', async () => {
    const m = await parseMessage(byName('bare-cr'));
    expect(m.subject).toBe('bare cr');
    expect(m.text).toBe('text part');
    expect(m.attachments).toHaveLength(6);
    expect(m.notes).toEqual([]);
  });

  it('has no notes for a message that needed no repair', async () => {
    const m = await parseMessage(byName('nesting-200'));
    expect(m.text).toBe('deepest text');
    expect(m.notes).toEqual([]);
  });

  it('shows HTML nested too deeply as its text, with a note', async () => {
    const m = await parseMessage(byName('deep-html'));
    expect(m.html_rendered).toMatch(/^<p> ?deep html text visible html js link styled<\/p>$/);
    expect(m.notes).toEqual([`The HTML of this message is nested more than ${LIMITS.maxHtmlNestingDepth} levels deep, so only its text is shown.`]);
  });

  it('shows the beginning of very long HTML, with a note', async () => {
    const m = await parseMessage(byName('huge-html'));
    expect(m.html_rendered).toContain('<p>visible html</p>');
    expect(m.html_rendered?.length).toBeLessThanOrEqual(2 * LIMITS.maxHtmlChars);
    expect(m.notes).toHaveLength(1);
  });

  it('stops when the signal fires, with CANCELLED', async () => {
    const raw = byName('huge-single-line-base64');
    await expect(parseMessage(raw, { signal: AbortSignal.abort() })).rejects.toMatchObject({ code: 'CANCELLED' });
    const controller = new AbortController();
    const parsing = parseMessage(raw, { signal: controller.signal });
    controller.abort();
    await expect(parsing).rejects.toMatchObject({ code: 'CANCELLED' });
    await expect(mimeTree(raw, AbortSignal.abort())).rejects.toMatchObject({ code: 'CANCELLED' });
  });
});
