/** Folder order and labels: the special folders first in a fixed order, then the rest by name. */
import type { Folder, SpecialUse } from '../../src-protocol/contract/index.ts';

const SPECIAL_ORDER: ReadonlyArray<SpecialUse> = ['inbox', 'drafts', 'sent', 'trash', 'junk', 'archive'];

const SPECIAL_LABEL: Record<SpecialUse, string> = {
  inbox: 'Inbox',
  drafts: 'Drafts',
  sent: 'Sent',
  trash: 'Trash',
  junk: 'Junk',
  archive: 'Archive',
  all: 'All Mail',
  flagged: 'Flagged',
};

/** INBOX is special by name even when the server does not flag it (RFC 3501). */
export function specialUseOf(f: Pick<Folder, 'path' | 'special_use'>): SpecialUse | null {
  if (f.special_use) return f.special_use;
  return f.path.toUpperCase() === 'INBOX' ? 'inbox' : null;
}

export function folderLabel(f: Pick<Folder, 'path' | 'name' | 'special_use'>): string {
  const su = specialUseOf(f);
  if (su && SPECIAL_ORDER.includes(su)) return SPECIAL_LABEL[su];
  return f.name || f.path;
}

function rank(f: Folder): number {
  const su = specialUseOf(f);
  const i = su ? SPECIAL_ORDER.indexOf(su) : -1;
  return i === -1 ? SPECIAL_ORDER.length : i;
}

const collator = new Intl.Collator(undefined, { sensitivity: 'base', numeric: true });

/** By path, so that a subfolder follows its parent. */
export function sortFolders(folders: ReadonlyArray<Folder>): Folder[] {
  return [...folders].sort((a, b) => rank(a) - rank(b) || collator.compare(a.path, b.path));
}

/** How deep a folder sits below the top level (0 for top-level folders). */
export function folderDepth(f: Pick<Folder, 'path' | 'delimiter'>): number {
  return f.delimiter ? Math.max(0, f.path.split(f.delimiter).length - 1) : 0;
}

export function findSpecial(folders: ReadonlyArray<Folder>, use: SpecialUse): Folder | undefined {
  return folders.find((f) => specialUseOf(f) === use);
}
