import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { attachmentType, sniffType } from '../../../../src-protocol/mime/attachment-type.ts';
import { composeMessage } from '../../../../src-protocol/mime/compose.ts';
import { parseMessage } from '../../../../src-protocol/mime/parse.ts';

// Small but real files of each kind, built here so no fixture can drift.
function png(): Buffer {
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    return Buffer.concat([len, Buffer.from(type, 'latin1'), data, Buffer.alloc(4)]);
  };
  const ihdr = Buffer.from([0, 0, 0, 1, 0, 0, 0, 1, 8, 2, 0, 0, 0]);
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(Buffer.from([0, 255, 0, 0]))), chunk('IEND', Buffer.alloc(0))]);
}
const pdf = () => Buffer.from('%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n');
const jpeg = () => Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from('JFIF\0\x01\x01\0\0\x01\0\x01\0\0', 'latin1'), Buffer.from([0xff, 0xd9])]);
const gif = () => Buffer.concat([Buffer.from('GIF89a', 'latin1'), Buffer.from([1, 0, 1, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 1, 0, 0x3b])]);
/** A real ZIP holding one file, written by Python's zipfile (not by us). */
function zip(name: string): Buffer {
  const script = 'import io,sys,zipfile\nb=io.BytesIO()\nwith zipfile.ZipFile(b,"w") as z: z.writestr(sys.argv[1],"x")\nsys.stdout.buffer.write(b.getvalue())';
  return execFileSync('python3', ['-c', script, name]);
}
const utf8Text = () => Buffer.from('Grüße, Zoë — the minutes of Tuesday’s meeting.\n'.repeat(20));

const dir = mkdtempSync(join(tmpdir(), 'postern-sniff-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** libmagic's answer for the same bytes: the check that does not share our code. */
function fileSays(bytes: Buffer): string {
  const path = join(dir, `f${Math.random().toString(36).slice(2)}`);
  writeFileSync(path, bytes);
  return execFileSync('file', ['--brief', '--mime-type', path], { encoding: 'utf8' }).trim();
}

describe('sniffType agrees with libmagic (file --mime-type)', () => {
  const cases: [string, Buffer][] = [['png', png()], ['pdf', pdf()], ['jpeg', jpeg()], ['gif', gif()], ['zip', zip('a.txt')]];
  for (const [label, bytes] of cases) {
    it(label, () => {
      expect(sniffType(bytes)).toBe(fileSays(bytes));
    });
  }
});

describe('attachmentType', () => {
  it('believes the bytes over a misleading name', () => {
    expect(attachmentType('scan.pdf', png())).toBe('image/png');
    expect(attachmentType('photo.png', jpeg(), 'image/png')).toBe('image/jpeg');
  });

  it('types a file with no extension from its bytes', () => {
    expect(attachmentType('invoice', pdf())).toBe('application/pdf');
    expect(attachmentType('notes', utf8Text())).toBe('text/plain');
    expect(attachmentType('blob', Buffer.from([0, 1, 2, 3, 200, 201, 0]))).toBe('application/octet-stream');
  });

  it('lets the name refine a generic container', () => {
    expect(attachmentType('report.docx', zip('[Content_Types].xml'))).toBe('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
    expect(attachmentType('book.epub', zip('mimetype'))).toBe('application/epub+zip');
    expect(attachmentType('archive', zip('a.txt'))).toBe('application/zip');
    // A ZIP called .pdf is a ZIP.
    expect(attachmentType('trick.pdf', zip('a.txt'))).toBe('application/zip');
  });

  it('uses the name when the bytes say nothing', () => {
    expect(attachmentType('page.html', Buffer.from('<p>hi</p>'))).toBe('text/html');
    expect(attachmentType('data.csv', Buffer.from('a,b\n1,2\n'))).toBe('text/csv');
  });

  it('does not mistake text that starts like a short signature for a binary', () => {
    expect(attachmentType('cars.txt', Buffer.from('BMW and MZ motorcycles\n'))).toBe('text/plain');
    expect(attachmentType('notes', Buffer.from('MZ is a motorcycle brand\n'))).toBe('text/plain');
  });

  it('ignores a declared type that is not a media type', () => {
    expect(attachmentType('a.png', png(), 'image/png; x=<script>')).toBe('image/png');
    expect(attachmentType('a.bin', Buffer.from([0, 1, 2]), 'not a type')).toBe('application/octet-stream');
  });
});

describe('outgoing attachments carry the detected type', () => {
  it('a PNG named .pdf and a PDF without an extension are sent with their real types', async () => {
    const composed = await composeMessage({
      from: { address: 'zoe@example.test' }, to: ['bob@example.test'], cc: [], bcc: [], subject: 'types', text: 'see attached',
      attachments: [{ filename: 'scan.pdf', content: png() }, { filename: 'invoice', content: pdf(), contentType: 'application/octet-stream' }],
      messageIdDomain: 'example.test',
    });
    const m = await parseMessage(composed.raw);
    expect(m.attachments.map((a) => [a.filename, a.content_type])).toEqual([['scan.pdf', 'image/png'], ['invoice', 'application/pdf']]);
  });
});
