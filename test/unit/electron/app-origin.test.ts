import { describe, expect, it } from 'vitest';
import { isAppUrl, isTrustedFrame } from '../../../electron/app-origin.ts';
import { subFrame, topFrame } from './fake-electron.ts';

describe('app origin', () => {
  it('recognises only pages of postern://app', () => {
    expect(isAppUrl('postern://app/index.html')).toBe(true);
    expect(isAppUrl('postern://app/index.html?x#/inbox')).toBe(true);
    for (const url of ['postern://app.evil/index.html', 'postern://evil/', 'postern://user:pw@app/', 'https://app/', 'file:///app/index.html', 'about:blank', '', 'postern:app']) {
      expect(isAppUrl(url), url).toBe(false);
    }
  });

  it('trusts a live top frame of our page and nothing else', () => {
    expect(isTrustedFrame(topFrame('postern://app/index.html'))).toBe(true);
    expect(isTrustedFrame(null)).toBe(false);
    expect(isTrustedFrame(subFrame('postern://app/index.html'))).toBe(false);
    expect(isTrustedFrame(topFrame('https://example.org/'))).toBe(false);
  });
});
