import { describe, expect, it } from 'vitest';
import { humanSize, listDate, senderLabel, subjectLabel } from '../../../../renderer/lib/format.ts';

describe('display formatting', () => {
  it('gives sizes in the unit a person expects', () => {
    expect(humanSize(512)).toBe('512 B');
    expect(humanSize(6042)).toBe('5.9 KB');
    expect(humanSize(250 * 1024)).toBe('250 KB');
    expect(humanSize(3 * 1024 * 1024)).toBe('3.0 MB');
  });

  it('names the sender by name, else by address', () => {
    expect(senderLabel([{ name: 'Erik Lindqvist', address: 'erik@x.test' }])).toBe('Erik Lindqvist');
    expect(senderLabel([{ name: ' ', address: 'ci@x.test' }])).toBe('ci@x.test');
    expect(senderLabel([])).toBe('(no sender)');
    expect(subjectLabel('   ')).toBe('(no subject)');
  });

  it('shows only the time for today and the year only for other years', () => {
    const now = new Date(2026, 10, 22, 15, 0);
    const today = listDate(new Date(2026, 10, 22, 9, 5).toISOString(), now);
    expect(today).toMatch(/9:05/);
    expect(today).not.toMatch(/Nov/);
    expect(listDate(new Date(2026, 2, 3, 9, 5).toISOString(), now)).toMatch(/Mar 3/);
    expect(listDate(new Date(2024, 2, 3, 9, 5).toISOString(), now)).toMatch(/2024/);
    expect(listDate(null, now)).toBe('');
    expect(listDate('not a date', now)).toBe('');
  });
});
