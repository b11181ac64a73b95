/**
 * Searches folders that are not synced yet on the server (IMAP SEARCH), so a
 * search finds mail the local index does not hold. What it finds is stored
 * as headers like any sync would, and reported as coming from the server.
 * Each criterion is its own SEARCH and the UID sets are intersected: imapflow
 * takes one value per key, and IMAP ANDs criteria anyway.
 */
import type { ImapFlow, SearchObject } from 'imapflow';
import { tokenizeQuery } from '../store/search-query.ts';
import type { FolderRow, MailStore } from '../store/mail-store.ts';
import { fetchHeaders } from '../imap/imap-headers.ts';

export interface ServerQuery {
  criteria: SearchObject[];
  /** in:FOLDER, when given (a path or a role). */
  folder: string | null;
  /** The query asks for something the server cannot search (has:attachment). */
  partial: boolean;
}

export function toServerQuery(query: string): ServerQuery {
  const criteria: SearchObject[] = [];
  let folder: string | null = null;
  let partial = false;
  for (const t of tokenizeQuery(query)) {
    const v = t.value;
    switch (t.key) {
      case null: if (v) criteria.push({ text: v }); break;
      case 'from': criteria.push({ from: v }); break;
      case 'to': criteria.push({ to: v }); break;
      case 'subject': criteria.push({ subject: v }); break;
      case 'is':
        if (v === 'unread') criteria.push({ seen: false });
        else if (v === 'read') criteria.push({ seen: true });
        else if (v === 'flagged' || v === 'starred') criteria.push({ flagged: true });
        break;
      case 'before': criteria.push({ sentBefore: v }); break;
      case 'after': criteria.push({ sentSince: v }); break;
      case 'in': folder = v; break;
      default: partial = true;
    }
  }
  return { criteria, folder, partial };
}

/** Searches one folder; stores the headers of up to `limit` newest hits and returns their message ids. */
export async function searchFolderOnServer(client: ImapFlow, store: MailStore, folder: FolderRow, q: ServerQuery, limit: number): Promise<number[]> {
  if (q.criteria.length === 0) return [];
  const lock = await client.getMailboxLock(folder.path, { readOnly: true });
  try {
    if (!client.mailbox || client.mailbox.exists === 0) return [];
    let hits: number[] | null = null;
    for (const c of q.criteria) {
      const found = await client.search(c, { uid: true });
      const set = new Set<number>(Array.isArray(found) ? found : []);
      hits = hits === null ? [...set] : hits.filter((u) => set.has(u));
      if (hits.length === 0) return [];
    }
    const uids = (hits ?? []).sort((a, b) => b - a).slice(0, limit);
    const headers = await fetchHeaders(client, uids);
    store.insertHeaders(folder.id, headers);
    return store.idsForUids(folder.id, uids);
  } finally {
    lock.release();
  }
}
