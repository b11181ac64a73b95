import { describe, expect, it } from 'vitest';
import { SlabFill, SlabPool, detach, ownsItsBuffer } from '../../../../src-protocol/common/slabs.ts';

describe('SlabFill', () => {
  it('holds copies back to back, and hands back what does not fit', () => {
    const fill = new SlabFill(Buffer.alloc(10));
    const source = Buffer.from('abcd');
    const a = fill.hold(source);
    source.fill(0x7a); // the source buffer is reused elsewhere: the copy must not change
    const b = fill.hold(Buffer.from('efgh'));
    const big = Buffer.from('ijk');
    expect(fill.hold(big)).toBe(big);
    expect(a.toString()).toBe('abcd');
    expect(b.toString()).toBe('efgh');
    expect(b.buffer).toBe(a.buffer);
    expect(b.byteOffset - a.byteOffset).toBe(4);
    // What fits after a refusal still goes in.
    expect(fill.hold(Buffer.from('lm')).toString()).toBe('lm');
  });
});

describe('SlabPool', () => {
  it('gives a kept slab back when it is big enough, else a new one with room to spare', () => {
    const pool = new SlabPool(2, 64 * 1024 * 1024);
    const first = pool.take(3 * 1024 * 1024);
    expect(first.length).toBeGreaterThanOrEqual(3 * 1024 * 1024 * 1.25);
    pool.give(first);
    expect(pool.take(3.5 * 1024 * 1024)).toBe(first);
    pool.give(first);
    const bigger = pool.take(8 * 1024 * 1024);
    expect(bigger).not.toBe(first);
    expect(pool.take(100)).toBe(first);
  });

  it('keeps only the biggest slabs, and none once cleared', () => {
    const pool = new SlabPool(2, 64 * 1024 * 1024);
    const [small, middle, large] = [pool.take(1), pool.take(2 * 1024 * 1024), pool.take(4 * 1024 * 1024)];
    pool.give(small);
    pool.give(large);
    pool.give(middle);
    expect(pool.take(1)).toBe(middle);
    expect(pool.take(1)).toBe(large);
    expect([small, middle, large]).not.toContain(pool.take(1));
    pool.give(large);
    pool.clear();
    expect(pool.take(1)).not.toBe(large);
  });

  it('does not keep a slab over its bound: a batch of large messages does not hold memory for the ones after it', () => {
    const pool = new SlabPool(2, 4 * 1024 * 1024);
    const big = pool.take(8 * 1024 * 1024);
    pool.give(big);
    const next = pool.take(1);
    expect(next).not.toBe(big);
    pool.give(next);
    expect(pool.take(1)).toBe(next);
  });
});

describe('detach and ownsItsBuffer', () => {
  it('frees a buffer of its own at once, and tells it from a view of a shared one', () => {
    // A message's worth, as imapflow's line splitter makes one (Buffer.concat): bigger than half Node's pool.
    const own = Buffer.concat([Buffer.alloc(Buffer.poolSize, 1), Buffer.alloc(5000, 2)]);
    expect(ownsItsBuffer(own)).toBe(true);
    // Small buffers share Node's pool; a slab's views share the slab.
    expect(ownsItsBuffer(Buffer.concat([Buffer.from('small'), Buffer.from(' one')]))).toBe(false);
    expect(ownsItsBuffer(own.subarray(1))).toBe(false);
    const other = Buffer.from(own.buffer);
    detach(own.buffer as ArrayBuffer);
    expect(own.length).toBe(0);
    expect(other.length).toBe(0);
    expect(() => detach(own.buffer as ArrayBuffer)).not.toThrow();
  });
});
