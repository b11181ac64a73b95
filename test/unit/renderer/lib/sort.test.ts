import { describe, expect, it } from 'vitest';
import type { MessageSummary } from '../../../../src-protocol/contract/index.ts';
import { sortMessages, subjectSortKey } from '../../../../renderer/lib/sort.ts';

const m = (id: number, subject: string, from: string, date: string | null, size: number): MessageSummary => ({
  id, account_id: 'a', uid: id, folder: 'INBOX', subject, from: [{ name: from, address: `${from.toLowerCase()}@x.test` }],
  date_iso: date, flags: [], size, has_attachments: false, partial: false,
});

const list = [
  m(1, 'Re: lunch', 'bob', '2026-01-02T10:00:00Z', 500),
  m(2, 'Agenda', 'Alice', '2026-01-03T10:00:00Z', 90),
  m(3, 'zebra', 'carol', null, 20_000),
  m(4, 'Budget', 'alice', '2026-01-01T10:00:00Z', 90),
];
const idsOf = (l: MessageSummary[]) => l.map((x) => x.id);

describe('sorting the list', () => {
  it('by date, newest first, undated last; ascending reverses', () => {
    expect(idsOf(sortMessages(list, { key: 'date', descending: true }))).toEqual([2, 1, 4, 3]);
    expect(idsOf(sortMessages(list, { key: 'date', descending: false }))).toEqual([3, 4, 1, 2]);
  });

  it('by subject ignoring Re:/Fwd: and case', () => {
    expect(idsOf(sortMessages(list, { key: 'subject', descending: false }))).toEqual([2, 4, 1, 3]);
    expect(subjectSortKey('Re: Fwd: RE: Lunch')).toBe('Lunch');
  });

  it('by sender, case-insensitive, ties newest first', () => {
    expect(idsOf(sortMessages(list, { key: 'sender', descending: false }))).toEqual([2, 4, 1, 3]);
  });

  it('by size, largest first, ties newest first', () => {
    expect(idsOf(sortMessages(list, { key: 'size', descending: true }))).toEqual([3, 1, 2, 4]);
  });
});
