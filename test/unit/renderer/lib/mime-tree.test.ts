import { describe, expect, it } from 'vitest';
import type { MimeNode } from '../../../../src-protocol/contract/index.ts';
import { attachedMessageIndexes, isSavable, partFileName } from '../../../../renderer/lib/mime-tree.ts';

const node = (part_number: string, content_type: string, children: MimeNode[] = [], filename: string | null = null): MimeNode => ({
  part_number, content_type, charset: null, disposition: null, filename, encoding: null, size: 10, children,
});

describe('MIME tree helpers', () => {
  it('names saved parts by their own name, made safe, or by number and type', () => {
    expect(partFileName(node('2', 'application/pdf', [], 'report.pdf'))).toBe('report.pdf');
    expect(partFileName(node('2', 'application/pdf', [], '../../etc/passwd'))).toBe('_.._etc_passwd');
    expect(partFileName(node('2', 'text/plain', [], 'a\u202Etxt.exe'))).toBe('atxt.exe');
    expect(partFileName(node('1.2', 'text/html'))).toBe('part-1.2.html');
    expect(partFileName(node('3', 'application/x-unknown'))).toBe('part-3.bin');
  });

  it('saves leaves and attached messages, not multiparts', () => {
    expect(isSavable(node('1', 'text/plain'))).toBe(true);
    expect(isSavable(node('', 'multipart/mixed', [node('1', 'text/plain')]))).toBe(false);
    expect(isSavable(node('3', 'message/rfc822'))).toBe(true);
  });

  it('maps the n-th attached message in the tree to the n-th one in the attachment list', () => {
    const tree = node('', 'multipart/mixed', [
      node('1', 'text/plain'),
      node('2', 'message/rfc822'),
      node('3', 'multipart/mixed', [node('3.1', 'image/png'), node('3.2', 'message/rfc822')]),
    ]);
    const attachments = [{ content_type: 'message/rfc822' }, { content_type: 'image/png' }, { content_type: 'message/rfc822' }];
    expect([...attachedMessageIndexes(tree, attachments)]).toEqual([['2', 0], ['3.2', 2]]);
  });
});
