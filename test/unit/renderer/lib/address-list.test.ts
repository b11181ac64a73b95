import { describe, expect, it } from 'vitest';
import { splitAddressList } from '../../../../renderer/lib/address-list.ts';

describe('splitAddressList', () => {
  it('splits on commas and semicolons and trims', () => {
    expect(splitAddressList(' a@x.test, b@x.test ;c@x.test ,, ')).toEqual(['a@x.test', 'b@x.test', 'c@x.test']);
  });

  it('keeps a quoted display name with a comma in one piece', () => {
    expect(splitAddressList('"Doe, Jane" <jane@x.test>, bob@x.test')).toEqual(['"Doe, Jane" <jane@x.test>', 'bob@x.test']);
  });

  it('keeps escaped quotes inside a quoted name', () => {
    expect(splitAddressList('"The \\"Boss\\", Inc" <b@x.test>')).toEqual(['"The \\"Boss\\", Inc" <b@x.test>']);
  });

  it('gives nothing for an empty field', () => {
    expect(splitAddressList('  ')).toEqual([]);
  });
});
