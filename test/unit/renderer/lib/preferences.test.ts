import { describe, expect, it } from 'vitest';
import { readPreferences, writePreferences } from '../../../../renderer/lib/preferences.ts';

function memory(initial: Record<string, string> = {}) {
  const map = new Map(Object.entries(initial));
  return { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), map };
}

describe('preferences', () => {
  it('reads the defaults when nothing is stored', () => {
    expect(readPreferences(memory())).toEqual({ warnMiB: 20, undoSeconds: 5 });
  });

  it('keeps what was written, within the limits', () => {
    const s = memory();
    writePreferences({ warnMiB: 2.5, undoSeconds: 0 }, s);
    expect(readPreferences(s)).toEqual({ warnMiB: 2.5, undoSeconds: 0 });
    writePreferences({ warnMiB: 10_000, undoSeconds: 12.6 }, s);
    expect(readPreferences(s)).toEqual({ warnMiB: 500, undoSeconds: 13 });
  });

  it('reads a stored value that is not a number or out of range as the default', () => {
    expect(readPreferences(memory({ 'postern.composer.warnMiB': 'lots', 'postern.send.undoSeconds': '-1' }))).toEqual({ warnMiB: 20, undoSeconds: 5 });
    expect(readPreferences(memory({ 'postern.send.undoSeconds': '3600' })).undoSeconds).toBe(5);
  });
});
