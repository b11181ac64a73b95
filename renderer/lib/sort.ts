/**
 * The message list's order. A folder is sorted by the engine over all of it
 * (mail:messages.list takes the order, so every page is the right page);
 * the rows loaded are sorted here as well, which is what orders search
 * results and the unified inbox.
 */
import type { MessageSummary } from '../../src-protocol/contract/index.ts';
import { senderLabel } from './format.ts';

export type SortKey = 'date' | 'sender' | 'subject' | 'size';

export interface SortOrder {
  key: SortKey;
  descending: boolean;
}

export const DEFAULT_SORT: SortOrder = { key: 'date', descending: true };

export const SORT_LABELS: Record<SortKey, string> = { date: 'Date', sender: 'Sender', subject: 'Subject', size: 'Size' };

/** The natural first direction: newest and largest first, names A to Z. */
export function defaultDescending(key: SortKey): boolean {
  return key === 'date' || key === 'size';
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** "Re: Fwd: Lunch" sorts with "Lunch". */
export function subjectSortKey(subject: string): string {
  return subject.replace(/^\s*((re|fwd?|aw|sv|wg)\s*(\[\d+\])?\s*:\s*)+/i, '').trim();
}

function time(m: MessageSummary): number {
  const t = m.date_iso ? Date.parse(m.date_iso) : NaN;
  return Number.isNaN(t) ? 0 : t;
}

export function sortMessages(list: ReadonlyArray<MessageSummary>, order: SortOrder): MessageSummary[] {
  const keyed = list.map((m) => ({
    m,
    t: time(m),
    s: order.key === 'sender' ? senderLabel(m.from) : order.key === 'subject' ? subjectSortKey(m.subject) : '',
  }));
  const dir = order.descending ? -1 : 1;
  keyed.sort((a, b) => {
    const c =
      order.key === 'size' ? a.m.size - b.m.size : order.key === 'sender' || order.key === 'subject' ? collator.compare(a.s, b.s) : a.t - b.t;
    if (c !== 0) return c * dir;
    // Ties: newest first whatever the direction, then by id so the order is stable.
    return b.t - a.t || b.m.id - a.m.id;
  });
  return keyed.map((k) => k.m);
}
