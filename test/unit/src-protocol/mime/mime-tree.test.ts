import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { finished } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { extractPart, extractParts, mimeTree, writePart } from '../../../../src-protocol/mime/mime-tree.ts';
import { parseMessage } from '../../../../src-protocol/mime/parse.ts';

const FIXTURES = fileURLToPath(new URL('../../../fixtures/mime/', import.meta.url));
const fixture = (name: string): Buffer => readFileSync(FIXTURES + name);
const eml = (...lines: string[]): Buffer => Buffer.from(lines.join('\r\n'), 'utf8');

const leaf = { charset: null, disposition: null, filename: null, encoding: null, children: [] };

describe('mimeTree', () => {
  it('gives the parts with IMAP part numbers, types, dispositions, encodings and decoded sizes', async () => {
    const tree = await mimeTree(fixture('alternative-with-attachment.eml'));
    expect(tree).toEqual({
      ...leaf,
      part_number: '',
      content_type: 'multipart/mixed',
      size: 0,
      notes: [],
      children: [
        {
          ...leaf,
          part_number: '1',
          content_type: 'multipart/alternative',
          size: 0,
          children: [
            // "Hello Bob,\n\nthe report is attached." (LF line ends in the file): 35 bytes.
            { ...leaf, part_number: '1.1', content_type: 'text/plain', charset: 'us-ascii', encoding: '7bit', size: 35 },
            { ...leaf, part_number: '1.2', content_type: 'text/html', charset: 'us-ascii', encoding: '7bit', size: 80 },
          ],
        },
        { ...leaf, part_number: '2', content_type: 'application/pdf', disposition: 'attachment', filename: 'report.pdf', encoding: 'base64', size: 278 },
      ],
    });
  });

  it('numbers the body of a single-part message 1, and defaults its type to text/plain', async () => {
    const tree = await mimeTree(eml('Subject: x', '', 'hello'));
    expect(tree).toEqual({ ...leaf, part_number: '1', content_type: 'text/plain', size: 5, notes: [] });
  });

  it('decodes RFC 2231 file names and agrees with the message model on sizes', async () => {
    const raw = fixture('rfc2231-filename.eml');
    const tree = await mimeTree(raw);
    const m = await parseMessage(raw);
    expect(tree.children.map((c) => [c.part_number, c.filename, c.size])).toEqual([
      ['1', null, 10],
      ['2', '€ rapport été.txt', 12],
      ['3', '日本語.txt', 5],
    ]);
    expect(tree.children.slice(1).map((c) => c.size)).toEqual(m.attachments.map((a) => a.size));
  });

  it('keeps an attached message as one part', async () => {
    const tree = await mimeTree(fixture('rfc822-attachment.eml'));
    expect(tree.children.map((c) => [c.part_number, c.content_type, c.children.length])).toEqual([
      ['1', 'text/plain', 0],
      ['2', 'message/rfc822', 0],
      ['3', 'message/rfc822', 0],
    ]);
  });
});

describe('extractPart', () => {
  it('gives the decoded bytes of a part', async () => {
    const raw = fixture('rfc2231-filename.eml');
    const part = await extractPart(raw, '3');
    expect(part).toEqual({ content_type: 'application/octet-stream', filename: '日本語.txt', content: Buffer.from('hello') });
    expect((await extractPart(raw, '1')).content.toString()).toBe('Two files.');
  });

  it('undoes quoted-printable but leaves the charset as it is', async () => {
    const raw = eml('Content-Type: text/plain; charset=iso-8859-1', 'Content-Transfer-Encoding: quoted-printable', '', 'caf=E9=', 'au lait');
    expect((await extractPart(raw, '1')).content).toEqual(Buffer.from('caf\xe9au lait', 'latin1'));
  });

  it('reads several parts in one pass', async () => {
    const parts = await extractParts(fixture('alternative-with-attachment.eml'), ['1.2', '2', '7']);
    expect([...parts.keys()].sort()).toEqual(['1.2', '2']);
    expect(parts.get('1.2')?.content.toString()).toContain('<b>Bob</b>');
  });

  it('refuses numbers that are not part numbers, and parts that do not exist', async () => {
    const raw = fixture('alternative-with-attachment.eml');
    await expect(extractPart(raw, '9')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(extractPart(raw, '1')).rejects.toMatchObject({ code: 'NOT_FOUND' }); // a multipart has no bytes of its own
    for (const bad of ['', '0', '1.0', 'abc', '../1', '1..2']) {
      await expect(extractPart(raw, bad)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    }
  });
});

describe('writePart', () => {
  it('writes the decoded part to a file as extractPart gives it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'postern-write-part-'));
    try {
      const raw = fixture('alternative-with-attachment.eml');
      const out = createWriteStream(join(dir, 'part-2'));
      expect(await writePart(raw, '2', out)).toEqual({ content_type: 'application/pdf', filename: 'report.pdf', size: 278 });
      await finished(out);
      expect(readFileSync(join(dir, 'part-2'))).toEqual((await extractPart(raw, '2')).content);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a multipart or missing part, and a bad number', async () => {
    const raw = fixture('alternative-with-attachment.eml');
    const out = new PassThrough();
    await expect(writePart(raw, '1', out)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(writePart(raw, '9', out)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(writePart(raw, '../1', out)).rejects.toMatchObject({ code: 'BAD_INPUT' });
    expect(out.writableLength + out.readableLength).toBe(0);
  });
});
