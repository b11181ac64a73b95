import { createHash } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { MessageModel } from '../../../../src-protocol/contract/schemas.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';
import { getAttachmentContent, parseMessage, writeAttachment } from '../../../../src-protocol/mime/parse.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/mime/', import.meta.url));
const fixture = (name: string): Buffer => readFileSync(FIXTURES + name);
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
/** A message written inline, with CRLF line ends as on the wire. */
const eml = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

/** The bytes base64-encoded in alternative-with-attachment.eml. */
const PDF_BYTES = Buffer.concat([
  Buffer.from('%PDF-1.4\n%', 'latin1'),
  Buffer.from([0xe2, 0xe3, 0xcf, 0xd3]),
  Buffer.from('\n', 'latin1'),
  Buffer.from(Array.from({ length: 256 }, (_, i) => i)),
  Buffer.from('\n%%EOF\n', 'latin1'),
]);

describe('parseMessage: multipart/alternative with an attachment', () => {
  it('reads headers, the plain text part, the HTML part and the attachment', async () => {
    const m = await parseMessage(fixture('alternative-with-attachment.eml'));
    expect(m.subject).toBe('Quarterly report');
    expect(m.from).toEqual([{ name: 'Alice Example', address: 'alice@example.test' }]);
    expect(m.to).toEqual([
      { name: 'Bob Example', address: 'bob@example.test' },
      { name: '', address: 'carol@example.test' },
    ]);
    expect(m.cc).toEqual([{ name: 'Doe, Jane', address: 'jane@example.test' }]);
    // 10:52:37 at +0200 is 08:52:37 UTC.
    expect(m.date_iso).toBe('2003-07-01T08:52:37.000Z');
    expect(m.message_id).toBe('<report-1@example.test>');
    expect(m.in_reply_to).toBe('<question-7@example.test>');
    expect(m.references).toEqual(['<thread-start@example.test>', '<question-7@example.test>']);
    expect(m.text).toBe('Hello Bob,\n\nthe report is attached.');
    expect(m.html_present).toBe(true);
    expect(m.html_rendered).toBe('<p>Hello <b>Bob</b>,</p><p>the report is attached.</p>');
  });

  it('describes the attachment by its decoded bytes', async () => {
    const m = await parseMessage(fixture('alternative-with-attachment.eml'));
    expect(PDF_BYTES.length).toBe(278);
    expect(m.attachments).toEqual([
      {
        filename: 'report.pdf',
        save_as: 'report.pdf',
        content_type: 'application/pdf',
        size: PDF_BYTES.length,
        sha256: sha256(PDF_BYTES),
        content_id: null,
        inline: false,
      },
    ]);
  });

  it('gives the attachment bytes back', async () => {
    const content = await getAttachmentContent(fixture('alternative-with-attachment.eml'), 0);
    expect(content.filename).toBe('report.pdf');
    expect(content.content_type).toBe('application/pdf');
    expect(content.content.equals(PDF_BYTES)).toBe(true);
  });
});

describe('parseMessage: encoded headers', () => {
  it('decodes RFC 2047 words (UTF-8 B and ISO-8859-1 Q) and joins adjacent ones', async () => {
    const m = await parseMessage(fixture('encoded-headers.eml'));
    expect(m.subject).toBe('Grüße aus Köln ✓');
    expect(m.from).toEqual([{ name: 'André Müller', address: 'andre@example.test' }]);
    expect(m.to).toEqual([{ name: 'Élodie', address: 'elodie@example.test' }]);
    expect(m.date_iso).toBe('2025-01-15T13:30:00.000Z');
  });

  it('decodes a quoted-printable ISO-8859-1 body', async () => {
    const m = await parseMessage(fixture('encoded-headers.eml'));
    expect(m.text).toBe("Café au lait, s'il vous plaît.\n");
  });
});

describe('parseMessage: RFC 2231 file names', () => {
  it('decodes percent-encoded and continued names', async () => {
    const m = await parseMessage(fixture('rfc2231-filename.eml'));
    expect(m.text).toBe('Two files.');
    expect(m.attachments.map((a) => a.filename)).toEqual(['€ rapport été.txt', '日本語.txt']);
    expect(m.attachments.map((a) => a.save_as)).toEqual(['€ rapport été.txt', '日本語.txt']);
  });

  it('treats a text/plain part with disposition attachment as an attachment, not as the body', async () => {
    const m = await parseMessage(fixture('rfc2231-filename.eml'));
    const [euro, japanese] = m.attachments;
    expect(euro).toMatchObject({ content_type: 'text/plain', size: 12, sha256: sha256(Buffer.from('Euro report.')) });
    // The declared type is kept even though the name looks like text.
    expect(japanese).toMatchObject({ content_type: 'application/octet-stream', size: 5, sha256: sha256(Buffer.from('hello')) });
  });

  it('gets each attachment by its index in the model', async () => {
    const raw = fixture('rfc2231-filename.eml');
    const second = await getAttachmentContent(raw, 1);
    expect(second.filename).toBe('日本語.txt');
    expect(second.content.toString()).toBe('hello');
    await expect(getAttachmentContent(raw, 2)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(getAttachmentContent(raw, -1)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });
});

describe('parseMessage: message/rfc822 parts', () => {
  const raw = fixture('rfc822-attachment.eml');
  // The embedded messages, cut from the fixture by hand: from the blank line after the
  // part headers to the line break that belongs to the next boundary.
  const source = raw.toString('utf8');
  const firstEmbedded = Buffer.from(/Content-Type: message\/rfc822\n\n([\s\S]*?)\n--fwd-boundary/.exec(source)?.[1] ?? '', 'utf8');
  const secondEmbedded = Buffer.from(/Content-Disposition: inline\n\n([\s\S]*?)\n--fwd-boundary--/.exec(source)?.[1] ?? '', 'utf8');

  it('lists each embedded message as one attachment and does not look inside', async () => {
    const m = await parseMessage(raw);
    expect(m.text).toBe('See the forwarded messages.');
    expect(m.attachments).toHaveLength(2);
    expect(firstEmbedded.toString()).toMatch(/^From: original@example.test/);
    expect(m.attachments[0]).toEqual({
      filename: null,
      save_as: 'attachment-1.eml',
      content_type: 'message/rfc822',
      size: firstEmbedded.length,
      sha256: sha256(firstEmbedded),
      content_id: null,
      inline: false,
    });
    // Even with an inline disposition (which mailparser would descend into by default).
    expect(m.attachments[1]).toMatchObject({
      save_as: 'attachment-2.eml',
      content_type: 'message/rfc822',
      size: secondEmbedded.length,
      sha256: sha256(secondEmbedded),
      inline: true,
    });
    // Nothing of the inner messages leaks into the outer one.
    expect(m.attachments.some((a) => a.filename === 'inner.zip')).toBe(false);
    expect(m.subject).toBe('Fwd: two messages');
  });

  it('gives the embedded message back byte for byte', async () => {
    const content = await getAttachmentContent(raw, 0);
    expect(content.content.equals(firstEmbedded)).toBe(true);
    expect(content.filename).toBe('attachment-1.eml');
  });
});

describe('parseMessage: text comes only from real text/plain parts', () => {
  it('has no text for an HTML-only message, but the HTML', async () => {
    const m = await parseMessage(fixture('html-only.eml'));
    expect(m.text).toBeNull();
    expect(m.html_present).toBe(true);
    expect(m.html_rendered).toContain('<h1>This week</h1>');
    expect(m.html_rendered).toContain('href="https://example.test/article"');
    expect(m.html_rendered).not.toContain('Newsletter title');
  });

  it('has no HTML for a plain text message', async () => {
    const m = await parseMessage(fixture('encoded-headers.eml'));
    expect(m.html_present).toBe(false);
    expect(m.html_rendered).toBeNull();
  });

  it('takes the first text/plain part, not all of them joined', async () => {
    const m = await parseMessage(
      eml(
        'From: a@example.test',
        'Content-Type: multipart/mixed; boundary="b"',
        '',
        '--b',
        'Content-Type: text/html',
        '',
        '<p>html first</p>',
        '--b',
        'Content-Type: text/plain',
        '',
        'first plain',
        '--b',
        'Content-Type: text/plain',
        '',
        'second plain',
        '--b--',
        '',
      ),
    );
    expect(m.text).toBe('first plain');
    expect(m.html_present).toBe(true);
    expect(m.attachments).toEqual([]);
  });

  it('has no text when the only part is an attachment', async () => {
    const m = await parseMessage(
      eml('From: a@example.test', 'Content-Type: application/pdf', 'Content-Transfer-Encoding: base64', '', 'JVBERg==', ''),
    );
    expect(m.text).toBeNull();
    expect(m.html_present).toBe(false);
    expect(m.attachments).toHaveLength(1);
    expect(m.attachments[0]).toMatchObject({ content_type: 'application/pdf', size: 4, sha256: sha256(Buffer.from('%PDF')) });
    expect(m.attachments[0]?.save_as).toBe('attachment-1.pdf');
  });

  it('lists a delivery report as an attachment rather than body text', async () => {
    const m = await parseMessage(
      eml(
        'From: MAILER-DAEMON@example.test',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="r"',
        '',
        '--r',
        'Content-Type: text/plain',
        '',
        'Your message could not be delivered.',
        '--r',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.example.test',
        '--r--',
        '',
      ),
    );
    expect(m.text).toBe('Your message could not be delivered.');
    expect(m.attachments.map((a) => a.content_type)).toEqual(['message/delivery-status']);
  });

  it('treats a message without any Content-Type as plain text', async () => {
    const m = await parseMessage(eml('From: a@example.test', 'Subject: bare', '', 'just text', ''));
    expect(m.text).toBe('just text\n');
    expect(m.subject).toBe('bare');
  });
});

describe('parseMessage: dates', () => {
  const fallback = new Date('2024-02-29T12:34:56.000Z');

  it('uses the fallback date when there is no Date header', async () => {
    const m = await parseMessage(fixture('no-date.eml'), { fallbackDate: fallback });
    expect(m.date_iso).toBe('2024-02-29T12:34:56.000Z');
  });

  it('uses the fallback date when the Date header cannot be read', async () => {
    const m = await parseMessage(fixture('broken-date.eml'), { fallbackDate: fallback });
    expect(m.date_iso).toBe('2024-02-29T12:34:56.000Z');
  });

  it('gives null, never the current time, without a fallback', async () => {
    expect((await parseMessage(fixture('no-date.eml'))).date_iso).toBeNull();
    expect((await parseMessage(fixture('broken-date.eml'))).date_iso).toBeNull();
    expect((await parseMessage(eml('Date: 12', '', 'x'))).date_iso).toBeNull();
  });

  it('prefers a readable Date header over the fallback', async () => {
    const m = await parseMessage(fixture('encoded-headers.eml'), { fallbackDate: fallback });
    expect(m.date_iso).toBe('2025-01-15T13:30:00.000Z');
  });

  it('reads folded dates, comments and obsolete zone names', async () => {
    const folded = await parseMessage(eml('Date: Mon, 6 Jan 2025', ' 23:59:59 -0800 (PST)', '', 'x'));
    expect(folded.date_iso).toBe('2025-01-07T07:59:59.000Z');
    const gmt = await parseMessage(eml('Date: 6 Jan 2025 10:00:00 GMT', '', 'x'));
    expect(gmt.date_iso).toBe('2025-01-06T10:00:00.000Z');
  });
});

describe('parseMessage: addresses', () => {
  it('flattens groups into their members and drops empty groups', async () => {
    const m = await parseMessage(fixture('group-addresses.eml'));
    expect(m.to).toEqual([
      { name: 'Alice', address: 'alice@example.test' },
      { name: '', address: 'bob@example.test' },
      { name: 'Carol', address: 'carol@example.test' },
    ]);
    expect(m.cc).toEqual([]);
  });

  it('joins repeated To headers', async () => {
    const m = await parseMessage(eml('To: a@example.test', 'To: B <b@example.test>', '', 'x'));
    expect(m.to).toEqual([
      { name: '', address: 'a@example.test' },
      { name: 'B', address: 'b@example.test' },
    ]);
  });

  it('gives empty values for a message without headers of interest', async () => {
    const m = await parseMessage(eml('X-Nothing: here', '', 'body'));
    expect(m).toMatchObject({ subject: '', from: [], to: [], cc: [], message_id: null, in_reply_to: null, references: [] });
  });
});

describe('parseMessage: hostile HTML and inline images', () => {
  it('keeps none of the hostile markup, but the cid: image and the remote image', async () => {
    const m = await parseMessage(fixture('hostile-html.eml'));
    const html = m.html_rendered ?? '';
    expect(m.html_present).toBe(true);
    expect(html).toContain('Congratulations');
    for (const bad of [/<script/i, /alert/i, /onerror/i, /onclick/i, /javascript:/i, /<iframe/i, /<form/i, /<input/i, /<meta/i, /<base/i, /<link/i, /<style/i, /url\(/i, /evil\.example/i]) {
      expect(html).not.toMatch(bad);
    }
    expect(html).toContain('<img src="cid:logo@example.test" alt="logo" />');
    expect(html).toContain('src="https://images.example.test/remote.png"');
    expect(html).toContain('href="https://example.test/ok" target="_blank" rel="noopener noreferrer"');
  });

  it('lists the related image with its Content-ID as inline', async () => {
    const m = await parseMessage(fixture('hostile-html.eml'));
    const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAA=', 'base64');
    expect(m.attachments).toEqual([
      {
        filename: null,
        save_as: 'attachment-1.png',
        content_type: 'image/png',
        size: png.length,
        sha256: sha256(png),
        content_id: 'logo@example.test',
        inline: true,
      },
    ]);
  });
});

describe('parseMessage: limits and the contract', () => {
  it('refuses a message larger than the limit', async () => {
    const huge = Buffer.alloc(LIMITS.maxParseBytes + 1, 0x61);
    await expect(parseMessage(huge)).rejects.toMatchObject({ code: 'BAD_INPUT' });
  });

  it('opens a message with more MIME parts than the limit, with the first parts and a note', async () => {
    const parts = Array.from({ length: LIMITS.maxMimeParts + 1 }, (_, i) => ['--b', 'Content-Type: text/plain', '', `text ${i}`]).flat();
    const m = await parseMessage(eml('Subject: many', 'Content-Type: multipart/mixed; boundary="b"', '', ...parts, '--b--', ''));
    expect(m.subject).toBe('many');
    expect(m.text).toBe('text 0');
    expect(m.notes).toEqual([`This message has more than ${LIMITS.maxMimeParts} parts; only the first ones are shown.`]);
  });

  it('stops (rather than hangs) when the part limit is hit while an attachment is being read', async () => {
    const parts = Array.from({ length: LIMITS.maxMimeParts + 1 }, (_, i) => [
      '--b',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.alloc(3000, i).toString('base64'),
    ]).flat();
    const raw = eml('Content-Type: multipart/mixed; boundary="b"', '', ...parts, '--b--', '');
    const m = await parseMessage(raw);
    expect(m.notes).toContain(`This message has more than ${LIMITS.maxMimeParts} parts; only the first ones are shown.`);
    expect(m.attachments.length).toBeGreaterThan(0);
    expect(m.attachments[0]?.sha256).toBe(sha256(Buffer.alloc(3000, 0)));
    expect((await getAttachmentContent(raw, 0)).content.equals(Buffer.alloc(3000, 0))).toBe(true);
  }, 20_000);

  it('lists at most the limit of attachments', async () => {
    const count = LIMITS.maxAttachmentsListed + 1;
    expect(count).toBeLessThan(LIMITS.maxMimeParts);
    const parts = Array.from({ length: count }, (_, i) => ['--b', 'Content-Type: application/octet-stream', '', `part ${i}`]).flat();
    const raw = eml('Content-Type: multipart/mixed; boundary="b"', '', ...parts, '--b--', '');
    const m = await parseMessage(raw);
    expect(m.attachments).toHaveLength(LIMITS.maxAttachmentsListed);
    expect(m.attachments[LIMITS.maxAttachmentsListed - 1]?.sha256).toBe(sha256(Buffer.from(`part ${LIMITS.maxAttachmentsListed - 1}`)));
    await expect(getAttachmentContent(raw, LIMITS.maxAttachmentsListed)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads empty and garbage input as an empty message instead of failing', async () => {
    for (const raw of [Buffer.alloc(0), Buffer.from([0, 1, 2, 0xff, 0xfe])]) {
      const m = await parseMessage(raw);
      expect(m).toMatchObject({ subject: '', from: [], date_iso: null, html_rendered: null, attachments: [] });
    }
  });

  it('numbers colliding attachment names', async () => {
    const part = (name: string) => [
      '--b',
      `Content-Type: text/plain; name="${name}"`,
      `Content-Disposition: attachment; filename="${name}"`,
      '',
      name,
    ];
    const m = await parseMessage(
      eml('Content-Type: multipart/mixed; boundary="b"', '', ...part('notes.txt'), ...part('NOTES.txt'), ...part('../notes.txt'), '--b--', ''),
    );
    expect(m.attachments.map((a) => a.filename)).toEqual(['notes.txt', 'NOTES.txt', '../notes.txt']);
    expect(m.attachments.map((a) => a.save_as)).toEqual(['notes.txt', 'NOTES (2).txt', 'notes (3).txt']);
  });

  it('produces output the contract schema accepts, for every fixture', async () => {
    const names = readdirSync(FIXTURES).filter((n) => n.endsWith('.eml'));
    expect(names.length).toBeGreaterThanOrEqual(9);
    for (const name of names) {
      const m = await parseMessage(fixture(name), { fallbackDate: new Date(0) });
      // strict(): no field the contract does not know about either. `notes` is new in the
      // model; extend() is a no-op once the contract has it too.
      expect(() => MessageModel.extend({ notes: z.array(z.string()) }).strict().parse(m), name).not.toThrow();
    }
  });
});

describe('writeAttachment', () => {
  it('writes the decoded attachment to a file, the same bytes getAttachmentContent gives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postern-write-attachment-'));
    try {
      const raw = fixture('alternative-with-attachment.eml');
      const out = createWriteStream(join(dir, 'saved.pdf'));
      const written = await writeAttachment(raw, 0, out);
      await finished(out);
      expect(written).toEqual({ filename: 'report.pdf', content_type: 'application/pdf', size: PDF_BYTES.length });
      expect(readFileSync(join(dir, 'saved.pdf'))).toEqual(PDF_BYTES);
      expect(readFileSync(join(dir, 'saved.pdf'))).toEqual((await getAttachmentContent(raw, 0)).content);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses an attachment the message does not have', async () => {
    const out = new PassThrough();
    await expect(writeAttachment(fixture('alternative-with-attachment.eml'), 1, out)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(writeAttachment(fixture('alternative-with-attachment.eml'), -1, out)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(out.writableLength + out.readableLength).toBe(0);
  });
});
