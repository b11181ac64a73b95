/**
 * Saving an attachment as it is decoded (writeNewStreamed, what "Save all"
 * uses): the bytes land in a new file next to, never over, what is there,
 * and a save that fails halfway leaves no partial file behind.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { saveAll, writeNewStreamed } from '../../../../src-protocol/service/attachment-files.ts';
import { writeAttachment } from '../../../../src-protocol/mime/parse.ts';
import { PosternError } from '../../../../src-protocol/common/errors.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'postern-attachment-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const RAW = Buffer.from(
  [
    'From: a@example.test',
    'Content-Type: multipart/mixed; boundary="b"',
    '',
    '--b',
    'Content-Type: text/plain',
    '',
    'see attached',
    '--b',
    'Content-Type: application/octet-stream',
    'Content-Disposition: attachment; filename="data.bin"',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('the attached bytes').toString('base64'),
    '--b--',
    '',
  ].join('\r\n'),
);

describe('writeNewStreamed', () => {
  it('writes a decoded attachment beside a file of the same name, not over it', async () => {
    writeFileSync(join(dir, 'data.bin'), 'already here');
    const path = await writeNewStreamed(dir, 'data.bin', (out) => writeAttachment(RAW, 0, out));
    expect(path).toBe(join(dir, 'data (2).bin'));
    expect(readFileSync(path, 'utf8')).toBe('the attached bytes');
    expect(readFileSync(join(dir, 'data.bin'), 'utf8')).toBe('already here');
  });

  it('leaves nothing behind when the writing fails, and says why', async () => {
    const failing = writeNewStreamed(dir, 'x.bin', async (out) => {
      out.write('half of it');
      throw new PosternError('NOT_FOUND', 'The message has no attachment number 7.');
    });
    await expect(failing).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(readdirSync(dir)).toEqual([]);
  });
});

describe('saveAll', () => {
  it('saves each attachment under its name with its size', async () => {
    async function* items() {
      yield { name: 'data.bin', write: (out: Writable) => writeAttachment(RAW, 0, out) };
    }
    expect(await saveAll(dir, items())).toEqual([{ path: join(dir, 'data.bin'), size: 'the attached bytes'.length }]);
    expect(readFileSync(join(dir, 'data.bin'), 'utf8')).toBe('the attached bytes');
  });
});
