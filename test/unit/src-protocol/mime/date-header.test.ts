// Date headers -> UTC, the form nearly every mailer writes and its
// neighbours: each must give the instant it names, whichever reader (the
// canonical form's or the general one) takes it. correct.test.ts checks
// real-world forms against Python's email package.
import { describe, expect, it } from 'vitest';
import { parseMailDateMs } from '../../../../src-protocol/mime/date-header.ts';

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number): string => String(n).padStart(2, '0');

/** A small deterministic generator, so a failure names a reproducible case. */
function* cases(count: number): Generator<{ text: string; ms: number; zone: number }> {
  let seed = 7;
  const next = (n: number): number => {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    return seed % n;
  };
  for (let i = 0; i < count; i++) {
    const ms = Date.UTC(1970 + next(120), 0, 1) + next(365 * 86_400) * 1000;
    const zone = (next(2) ? 1 : -1) * (next(15) * 60 + [0, 30, 45][next(3)]!);
    const local = new Date(ms + zone * 60_000);
    const day = local.getUTCDate();
    const text = `${next(4) ? `${DAYS[local.getUTCDay()]}, ` : ''}${next(2) ? pad(day) : day} ${MONTHS[local.getUTCMonth()]} ${local.getUTCFullYear()} `
      + `${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())} ${zone < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(zone) / 60))}${pad(Math.abs(zone) % 60)}`;
    yield { text, ms, zone };
  }
}

describe('parseMailDateMs', () => {
  it('reads the canonical form, with and without the weekday, in any zone', () => {
    for (const c of cases(5000)) expect(parseMailDateMs(c.text), c.text).toBe(c.ms);
  });

  it('gives the same instant for the forms around it (comment, zone name, spacing, case, short year)', () => {
    const at = Date.UTC(2003, 6, 1, 8, 52, 37);
    for (const text of [
      'Tue, 1 Jul 2003 10:52:37 +0200',
      'Tue, 1 Jul 2003 10:52:37 +0200 (CEST)',
      'Tue,  1 Jul 2003 10:52:37 +0200',
      'tue, 01 jul 2003 10:52:37 +0200',
      'Tue, 1 Jul 03 10:52:37 +0200',
      'Tue, 1 Jul 2003 08:52:37 GMT',
      'Tue, 1 Jul 2003 10:52:37 +02:00',
      'Tue, 1 Jul 2003 10:52:37 +0200 ',
      'Tuesday, 1 Jul 2003 10:52:37 +0200',
    ]) expect(parseMailDateMs(text), text).toBe(at);
  });

  it('refuses what is not a date, or a date that does not exist', () => {
    for (const text of [
      'Tue, 31 Feb 2025 10:00:00 +0000',
      'Tue, 1 Jul 2003 24:00:00 +0000',
      'Tue, 1 Jul 2003 10:60:00 +0000',
      'Tue, 1 Jly 2003 10:52:37 +0200',
      'Tue, 1 Jul 2003 10:52:37 *0200',
      '12, 1 Jul 2003 10:52:37 +0200',
      'Tue, 1 Jul 2003 10:52:37 +02a0',
      '',
    ]) expect(parseMailDateMs(text), text).toBeNull();
  });
});
