import { describe, expect, it } from 'vitest';
import { bareAddress, currentToken, formatMailbox, normalisePastedList, replaceCurrentToken, splitAddressList } from '../../../../renderer/lib/address-list.ts';

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

describe('completion helpers', () => {
  it('finds the address being typed after the last separator outside quotes', () => {
    expect(currentToken('a@x.test, "Doe, Ja')).toBe('"Doe, Ja');
    expect(currentToken('a@x.test; bo')).toBe('bo');
    expect(currentToken('fr')).toBe('fr');
    expect(currentToken('a@x.test, ')).toBe('');
  });

  it('replaces only the address being typed and leaves room for the next', () => {
    expect(replaceCurrentToken('a@x.test, fio', 'Fiona <f@x.test>')).toBe('a@x.test, Fiona <f@x.test>, ');
    expect(replaceCurrentToken('fio', 'f@x.test')).toBe('f@x.test, ');
  });

  it('quotes names that would otherwise split or confuse the list', () => {
    expect(formatMailbox('Doe, Jane', 'j@x.test')).toBe('"Doe, Jane" <j@x.test>');
    expect(formatMailbox('Jane Doe', 'j@x.test')).toBe('Jane Doe <j@x.test>');
    expect(formatMailbox('', 'j@x.test')).toBe('j@x.test');
    expect(formatMailbox('j@x.test', 'j@x.test')).toBe('j@x.test');
    expect(formatMailbox('The "Boss"', 'b@x.test')).toBe('"The \\"Boss\\"" <b@x.test>');
  });

  it('compares by the bare address', () => {
    expect(bareAddress('Jane <J@X.test>')).toBe('j@x.test');
    expect(bareAddress(' j@x.test ')).toBe('j@x.test');
  });
});

describe('normalisePastedList', () => {
  it('turns one address per line into a comma-separated list', () => {
    expect(normalisePastedList('a@x.test\r\nb@x.test\n\nc@x.test')).toBe('a@x.test, b@x.test, c@x.test');
  });

  it('keeps an unquoted "Last, First <addr>" as one person', () => {
    expect(splitAddressList(normalisePastedList('Doe, Jane <jane@x.test>, bob@x.test'))).toEqual(['"Doe, Jane" <jane@x.test>', 'bob@x.test']);
  });

  it('leaves quoted names and plain lists alone', () => {
    expect(normalisePastedList('"Doe, Jane" <jane@x.test>, bob@x.test')).toBe('"Doe, Jane" <jane@x.test>, bob@x.test');
  });
});
