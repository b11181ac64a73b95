import { describe, expect, it } from 'vitest';
import { packIndexBodies } from '../../../../src-protocol/sync/body-index.ts';

describe('packIndexBodies', () => {
  it('copies byte bodies into one buffer of their own, so the memory they were read from can be used again', () => {
    const slab = Buffer.from('first words|second words|third');
    const texts = [
      { body: slab.subarray(0, 11), attachmentNames: [] },
      { body: 'a decoded string', attachmentNames: ['a.pdf'] },
      { body: slab.subarray(12, 24), attachmentNames: [] },
      { body: new Uint8Array(0), attachmentNames: [] },
    ];
    const packed = packIndexBodies(texts);
    slab.fill(0x78);
    const text = (b: string | Uint8Array) => (typeof b === 'string' ? b : Buffer.from(b).toString('utf8'));
    expect(packed.map((t) => text(t.body))).toEqual(['first words', 'a decoded string', 'second words', '']);
    expect(packed[1]).toBe(texts[1]);
    // One buffer, exactly the words: a batch posted to the writer thread carries no more than that.
    const first = packed[0]?.body as Uint8Array;
    const third = packed[2]?.body as Uint8Array;
    expect(first.buffer).toBe(third.buffer);
    expect(first.buffer.byteLength).toBe(23);
  });
});
