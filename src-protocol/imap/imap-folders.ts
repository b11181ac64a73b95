/** Folder list and counts from the server. */
import type { ImapFlow } from 'imapflow';

export type SpecialUseRole = 'inbox' | 'drafts' | 'sent' | 'trash' | 'junk' | 'archive' | 'all' | 'flagged';

export interface ServerFolder {
  path: string;
  name: string;
  delimiter: string | null;
  special_use: SpecialUseRole | null;
  total: number;
  unread: number;
  /** From STATUS, for the no-op check of a sync (absent when the server gave none). */
  uidnext: number | null;
  uidvalidity: number | null;
  highestmodseq: string | null;
}

const SPECIAL_USE: Record<string, SpecialUseRole> = {
  '\\Inbox': 'inbox', '\\Drafts': 'drafts', '\\Sent': 'sent', '\\Trash': 'trash',
  '\\Junk': 'junk', '\\Archive': 'archive', '\\All': 'all', '\\Flagged': 'flagged',
};

export function specialUseRole(flag: string | undefined, path: string): SpecialUseRole | null {
  if (path.toUpperCase() === 'INBOX') return 'inbox';
  return flag ? (SPECIAL_USE[flag] ?? null) : null;
}

/** LIST with STATUS (one round trip where the server has LIST-STATUS). */
export async function listServerFolders(client: ImapFlow): Promise<ServerFolder[]> {
  const entries = await client.list({ statusQuery: { messages: true, unseen: true, uidNext: true, uidValidity: true, highestModseq: true } });
  return entries
    .filter((e) => !e.flags.has('\\Noselect') && !e.flags.has('\\NonExistent'))
    .map((e) => ({
      path: e.path,
      name: e.name,
      delimiter: e.delimiter || null,
      special_use: specialUseRole(e.specialUse, e.path),
      total: e.status?.messages ?? 0,
      unread: e.status?.unseen ?? 0,
      uidnext: e.status?.uidNext ?? null,
      uidvalidity: e.status?.uidValidity === undefined ? null : Number(e.status.uidValidity),
      highestmodseq: e.status?.highestModseq === undefined ? null : String(e.status.highestModseq),
    }));
}
