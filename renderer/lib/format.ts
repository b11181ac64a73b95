/** Display formatting: dates in the reader's own time zone and locale, sizes, people. */
import type { Address } from '../../src-protocol/contract/index.ts';

function parseDate(iso: string | null): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const timeFmt = new Intl.DateTimeFormat(undefined, { hour: 'numeric', minute: '2-digit' });
const dayFmt = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric' });
const dateFmt = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const fullFmt = new Intl.DateTimeFormat(undefined, { dateStyle: 'full', timeStyle: 'short' });

/** Compact date for a list row: the time today, the day this year, the full date before. */
export function listDate(iso: string | null, now: Date = new Date()): string {
  const d = parseDate(iso);
  if (!d) return '';
  if (d.toDateString() === now.toDateString()) return timeFmt.format(d);
  if (d.getFullYear() === now.getFullYear()) return `${dayFmt.format(d)}, ${timeFmt.format(d)}`;
  return dateFmt.format(d);
}

/** Long local date and time for the message header and tooltips. */
export function fullDate(iso: string | null): string {
  const d = parseDate(iso);
  return d ? fullFmt.format(d) : '';
}

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value < 10 ? value.toFixed(1) : Math.round(value)} ${units[unit]}`;
}

/** The sender as a person would say it: the name when there is one, else the address. */
export function personLabel(a: Address): string {
  return a.name.trim() || a.address;
}

export function senderLabel(from: ReadonlyArray<Address>): string {
  const first = from[0];
  if (!first) return '(no sender)';
  return from.length > 1 ? `${personLabel(first)} +${from.length - 1}` : personLabel(first);
}

/** "Name <addr>" or just "addr", for headers where the address matters. */
export function fullAddress(a: Address): string {
  return a.name.trim() ? `${a.name.trim()} <${a.address}>` : a.address;
}

export function subjectLabel(subject: string): string {
  return subject.trim() || '(no subject)';
}
