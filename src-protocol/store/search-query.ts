/**
 * The local search syntax, turned into an FTS5 MATCH expression plus SQL
 * conditions. Words and "phrases" search subject, people, body and
 * attachment names; the last word matches as a prefix so results can follow
 * typing. Operators: from: to: subject: has:attachment is:unread is:read
 * is:flagged before:YYYY-MM-DD after:YYYY-MM-DD in:FOLDER (or a role such as
 * in:sent). Every value goes into SQL as a bound parameter or a quoted FTS
 * string, never as SQL text.
 */
import type { SQLInputValue } from 'node:sqlite';
import { PosternError } from '../common/errors.ts';
import { keyBoundsDatesBefore, sortKeyBase } from './sort-key.ts';

export interface CompiledSearch {
  match: string | null;
  where: string[];
  params: SQLInputValue[];
}

const ROLES = new Set(['inbox', 'drafts', 'sent', 'trash', 'junk', 'archive']);

export function tokenizeQuery(query: string): { key: string | null; value: string; quoted: boolean }[] {
  const out: { key: string | null; value: string; quoted: boolean }[] = [];
  const re = /(?:([a-z]+):)?(?:"([^"]*)"?|(\S+))/giy;
  let rest = query.trim();
  while (rest.length) {
    re.lastIndex = 0;
    const m = re.exec(rest);
    if (!m || m[0].length === 0) break;
    const quoted = m[2] !== undefined;
    out.push({ key: m[1]?.toLowerCase() ?? null, value: quoted ? (m[2] ?? '') : (m[3] ?? ''), quoted });
    rest = rest.slice(m[0].length).trimStart();
  }
  return out;
}

function ftsString(value: string, prefix: boolean): string | null {
  const cleaned = value.replace(/"/g, ' ').trim();
  if (!cleaned) return null;
  return `"${cleaned}"${prefix ? '*' : ''}`;
}

function day(value: string, op: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const t = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) : NaN;
  if (Number.isNaN(t)) throw new PosternError('BAD_INPUT', `${op}: takes a date as YYYY-MM-DD (got "${value}").`);
  return t;
}

export function compileSearch(query: string): CompiledSearch {
  const terms = tokenizeQuery(query);
  const match: string[] = [];
  const where: string[] = [];
  const params: SQLInputValue[] = [];
  terms.forEach((t, i) => {
    const last = i === terms.length - 1 && !t.quoted;
    const column = { from: 'sender', to: 'recipients', subject: 'subject' }[t.key ?? ''] as string | undefined;
    if (t.key === null || column) {
      const s = ftsString(t.value, last);
      if (s) match.push(column ? `${column} : ${s}` : s);
      return;
    }
    switch (t.key) {
      case 'has':
        if (t.value.toLowerCase().startsWith('attachment')) where.push('m.has_attachments = 1');
        else throw new PosternError('BAD_INPUT', `has: knows only "attachment" (got "${t.value}").`);
        return;
      case 'is': {
        const v = t.value.toLowerCase();
        if (v === 'unread') where.push('m.seen = 0');
        else if (v === 'read') where.push('m.seen = 1');
        else if (v === 'flagged' || v === 'starred') where.push('m.flagged = 1');
        else throw new PosternError('BAD_INPUT', `is: takes unread, read or flagged (got "${t.value}").`);
        return;
      }
      // A bound on sort_key says the same for a whole day (store/sort-key.ts) and lets its index
      // read only the range; date_ms stays the exact test, where the key clamps dates too.
      case 'before': {
        const ms = day(t.value, 'before');
        where.push('m.date_ms < ?');
        params.push(ms);
        if (keyBoundsDatesBefore(ms)) {
          where.push('m.sort_key < ?');
          params.push(sortKeyBase(ms));
        }
        return;
      }
      case 'after': {
        const ms = day(t.value, 'after');
        where.push('m.date_ms >= ?', 'm.sort_key >= ?');
        params.push(ms, sortKeyBase(ms));
        return;
      }
      case 'in':
        if (ROLES.has(t.value.toLowerCase())) {
          where.push('(f.special_use = ? OR f.path = ? COLLATE NOCASE)');
          params.push(t.value.toLowerCase(), t.value);
        } else {
          where.push('f.path = ? COLLATE NOCASE');
          params.push(t.value);
        }
        return;
      default: {
        // Not an operator we know: search for the text as typed.
        const s = ftsString(`${t.key}:${t.value}`, last);
        if (s) match.push(s);
      }
    }
  });
  return { match: match.length ? match.join(' AND ') : null, where, params };
}
