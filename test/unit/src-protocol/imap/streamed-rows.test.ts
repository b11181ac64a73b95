// The rows of a streamed header FETCH are handed on as they become whole:
// what a header sync writes while the server still sends.
import { describe, expect, it } from 'vitest';
import { StreamedRows, type ServerHeader } from '../../../../src-protocol/imap/imap-headers.ts';
import type { HeaderFetchRow } from '../../../../src-protocol/imap/header-fetch-parser.ts';

const block = (subject: string) => Buffer.from(`Subject: ${subject}\r\nMessage-ID: <${subject}@x>\r\n\r\n`);
const row = (uid: number, over: Partial<HeaderFetchRow> = {}): HeaderFetchRow => ({
  uid, flags: ['\\Seen'], size: 100 + uid, internalDate: '2024-01-01T00:00:00.000Z', headers: block(`s${uid}`), ...over,
});

function collect(uids: number[]): { rows: StreamedRows; out: { uid: number; subject: string; flags: string[]; size: number; update: boolean }[] } {
  const out: { uid: number; subject: string; flags: string[]; size: number; update: boolean }[] = [];
  const rows = new StreamedRows(uids, (h: ServerHeader, update) => out.push({ uid: h.uid, subject: h.subject, flags: h.flags, size: h.size, update }));
  return { rows, out };
}

describe('StreamedRows', () => {
  it('hands on each whole row at once, and only the UIDs asked for', () => {
    const { rows, out } = collect([1, 2]);
    rows.take(row(1));
    expect(out).toEqual([{ uid: 1, subject: 's1', flags: ['\\Seen'], size: 101, update: false }]);
    rows.take(row(3));
    rows.take(row(2));
    rows.finish();
    expect(out.map((o) => o.uid)).toEqual([1, 2]);
  });

  it('a flag change before the row: the row\'s own flags are the newer; after it: handed on as an update', () => {
    const { rows, out } = collect([1, 2]);
    rows.take(row(1, { headers: null, size: null, internalDate: null, flags: ['\\Flagged'] }));
    expect(out).toEqual([]);
    rows.take(row(1, { flags: ['\\Seen', '\\Answered'] }));
    expect(out).toEqual([{ uid: 1, subject: 's1', flags: ['\\Answered', '\\Seen'], size: 101, update: false }]);
    rows.take(row(1, { headers: null, size: null, internalDate: null, flags: ['$Later'] }));
    expect(out[1]).toMatchObject({ uid: 1, flags: ['$Later'], update: true });
    // A row seen again without new flags changes nothing.
    rows.take(row(1, { flags: null }));
    expect(out).toHaveLength(2);
  });

  it('items in several responses are merged; what never came whole goes at the end, and nothing without its header block', () => {
    const { rows, out } = collect([1, 2, 3]);
    rows.take(row(1, { flags: null }));
    rows.take(row(2, { size: null }));
    rows.take(row(3, { headers: null }));
    expect(out).toEqual([]);
    rows.take(row(1, { headers: null, size: null, flags: ['$Merged'] }));
    expect(out).toEqual([{ uid: 1, subject: 's1', flags: ['$Merged'], size: 101, update: false }]);
    rows.finish();
    expect(out.map((o) => o.uid)).toEqual([1, 2]);
    expect(out[1]).toMatchObject({ uid: 2, size: 0 });
    expect([...rows.given].sort()).toEqual([1, 2]);
  });
});
