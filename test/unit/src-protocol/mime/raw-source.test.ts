/**
 * A message read from its file (as the app reads stored messages) must come
 * out exactly as the same bytes read from memory: small files are read
 * whole, large ones streamed in chunks with the repairs (bare CR, oversized
 * root header) applied on the way.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseMessage } from '../../../../src-protocol/mime/parse.ts';
import { mimeTree } from '../../../../src-protocol/mime/mime-tree.ts';
import { BareCrToLfStream, bareCrToLf } from '../../../../src-protocol/mime/raw-repair.ts';
import { HOSTILE_CASES } from '../../../fixtures/hostile/generate.ts';

const dir = mkdtempSync(join(tmpdir(), 'postern-raw-source-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const onDisk = (raw: Buffer): { file: string } => {
  const file = join(dir, `${files++}.eml`);
  writeFileSync(file, raw);
  return { file };
};
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

/** Deterministic bytes that base64 cannot compress away. */
function noise(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let x = seed;
  for (let i = 0; i < size; i++) {
    x = (x * 1103515245 + 12345) >>> 0;
    out[i] = x >>> 24;
  }
  return out;
}

/** A message with a text part and a base64 attachment, its lines ended by `eol`. */
function withAttachment(content: Buffer, eol: string, header: string[] = []): Buffer {
  const b64 = content.toString('base64').replace(/.{76}/g, `$&${eol}`);
  return Buffer.from(
    [
      'From: Alice <alice@example.test>',
      'Subject: the numbers',
      'Date: Tue, 1 Jul 2003 10:52:37 +0200',
      ...header,
      'Content-Type: multipart/mixed; boundary="b"',
      '',
      '--b',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'See attached.',
      '--b',
      'Content-Type: application/octet-stream; name="data.bin"',
      'Content-Disposition: attachment; filename="data.bin"',
      'Content-Transfer-Encoding: base64',
      '',
      b64,
      '--b--',
      '',
    ].join(eol),
    'latin1',
  );
}

describe('BareCrToLfStream', () => {
  it('repairs a message given in any chunks exactly as bareCrToLf repairs it whole', () => {
    const raw = Buffer.from('a\rb\r\nc\r\r\nd\r', 'latin1');
    for (let cut = 0; cut <= raw.length; cut++) {
      for (let cut2 = cut; cut2 <= raw.length; cut2++) {
        const crs = new BareCrToLfStream();
        const out = Buffer.concat([crs.push(raw.subarray(0, cut)), crs.push(raw.subarray(cut, cut2)), crs.push(raw.subarray(cut2)), crs.end()]);
        expect(out.toString('latin1'), `cut at ${cut}, ${cut2}`).toBe(bareCrToLf(raw).toString('latin1'));
      }
    }
  });
});

describe('parseMessage from a file', () => {
  it('streams a large message and hashes its attachment as the bytes in memory do', async () => {
    const content = noise(6 * 1024 * 1024, 1);
    const raw = withAttachment(content, '\r\n');
    const fromFile = await parseMessage(onDisk(raw));
    expect(fromFile).toEqual(await parseMessage(raw));
    expect(fromFile.text).toBe('See attached.');
    expect(fromFile.attachments.map((a) => [a.filename, a.size, a.sha256])).toEqual([['data.bin', content.length, sha256(content)]]);
    expect(await mimeTree(onDisk(raw))).toEqual(await mimeTree(raw));
  });

  it('reads old Mac line ends (bare CR) across chunk edges', async () => {
    const content = noise(5 * 1024 * 1024, 2);
    const raw = withAttachment(content, '\r');
    const m = await parseMessage(onDisk(raw));
    expect(m.subject).toBe('the numbers');
    expect(m.text).toBe('See attached.');
    expect(m.attachments.map((a) => [a.size, a.sha256])).toEqual([[content.length, sha256(content)]]);
  });

  it('drops oversized root header fields before streaming the rest', async () => {
    const content = noise(5 * 1024 * 1024, 3);
    const raw = withAttachment(content, '\r\n', [`X-Junk: ${'j'.repeat(2 * 1024 * 1024)}`]);
    const m = await parseMessage(onDisk(raw));
    expect(m).toEqual(await parseMessage(raw));
    expect(m.notes).toEqual(['Some header fields were too large to read (X-Junk) and are not shown.']);
    expect(m.subject).toBe('the numbers');
    expect(m.attachments[0]?.sha256).toBe(sha256(content));
  });

  it('reads a file that is all header (no blank line in the first megabytes)', async () => {
    const raw = Buffer.from(`Subject: all header\r\nX-Junk: ${'j'.repeat(5 * 1024 * 1024)}\r\n`);
    const m = await parseMessage(onDisk(raw));
    expect(m).toEqual(await parseMessage(raw));
    expect(m.subject).toBe('all header');
  });

  it('says the stored copy is missing when the file is gone', async () => {
    await expect(parseMessage({ file: join(dir, 'gone.eml') })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  for (const c of HOSTILE_CASES) {
    it(`reads the hostile case ${c.name} as the bytes in memory read`, async () => {
      const raw = c.raw();
      expect(await parseMessage(onDisk(raw))).toEqual(await parseMessage(raw));
    });
  }
});
