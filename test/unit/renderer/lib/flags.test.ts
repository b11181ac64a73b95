import { describe, expect, it } from 'vitest';
import { applyFlagChange } from '../../../../renderer/lib/flags.ts';
import { decodeDraggedIds, encodeDraggedIds } from '../../../../renderer/lib/drag.ts';

describe('flag changes shown before the engine answers', () => {
  it('adds without duplicates and removes case-insensitively, keeping order', () => {
    expect(applyFlagChange(['\\Seen', '$Label1'], ['\\Flagged', '\\seen'], [])).toEqual(['\\Seen', '$Label1', '\\Flagged']);
    expect(applyFlagChange(['\\Seen', '\\Flagged'], [], ['\\flagged'])).toEqual(['\\Seen']);
  });
});

describe('dragged rows', () => {
  it('carry their ids, and anything else dropped reads as none', () => {
    expect(decodeDraggedIds(encodeDraggedIds([3, 5]))).toEqual([3, 5]);
    expect(decodeDraggedIds('not json')).toEqual([]);
    expect(decodeDraggedIds('{"ids":[1,-2,"3",4.5,7]}')).toEqual([1, 7]);
  });
});
