import { describe, expect, it } from 'vitest';
import { EMPTY_SELECTION, extendTo, nextAfterRemoval, pruneSelection, selectOnly, toggleOne } from '../../../../renderer/lib/selection.ts';

const order = [10, 11, 12, 13, 14];
const ids = (s: { ids: ReadonlySet<number> }) => [...s.ids].sort((a, b) => a - b);

describe('list selection', () => {
  it('a click selects one row; ctrl+click adds and removes rows', () => {
    let s = selectOnly(11);
    s = toggleOne(s, 13);
    expect(ids(s)).toEqual([11, 13]);
    expect(s.focus).toBe(13);
    s = toggleOne(s, 11);
    expect(ids(s)).toEqual([13]);
    expect(s.focus).toBe(13);
  });

  it('shift extends from the anchor in the order shown, both ways, and shrinks again', () => {
    let s = selectOnly(12);
    s = extendTo(s, order, 14);
    expect(ids(s)).toEqual([12, 13, 14]);
    s = extendTo(s, order, 10);
    expect(ids(s)).toEqual([10, 11, 12]);
    expect(s.anchor).toBe(12);
    expect(s.focus).toBe(10);
    s = extendTo(s, order, 12);
    expect(ids(s)).toEqual([12]);
  });

  it('shift without an anchor selects just that row', () => {
    expect(ids(extendTo(EMPTY_SELECTION, order, 13))).toEqual([13]);
  });

  it('drops rows that left the list', () => {
    const s = pruneSelection(extendTo(selectOnly(10), order, 12), [10, 12, 13]);
    expect(ids(s)).toEqual([10, 12]);
    expect(s.focus).toBe(12);
    expect(pruneSelection(selectOnly(11), [10, 12]).focus).toBeNull();
  });

  it('after removing rows, the next row below is chosen, else the one above', () => {
    expect(nextAfterRemoval(order, new Set([11, 12]))).toBe(13);
    expect(nextAfterRemoval(order, new Set([13, 14]))).toBe(12);
    expect(nextAfterRemoval(order, new Set(order))).toBeNull();
    expect(nextAfterRemoval(order, new Set([99]))).toBeNull();
  });
});
