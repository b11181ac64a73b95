import { describe, expect, it } from 'vitest';
import type { Folder } from '../../../../src-protocol/contract/index.ts';
import { folderDepth, folderLabel, sortFolders } from '../../../../renderer/lib/folders.ts';

const f = (path: string, special_use: Folder['special_use'] = null, delimiter = '.'): Folder => ({
  account_id: 'a',
  path,
  name: path.split(delimiter).pop() ?? path,
  delimiter,
  special_use,
  total: 0,
  unread: 0,
});

describe('folder order', () => {
  it('puts Inbox, Drafts, Sent, Trash, Junk, Archive first, then the rest alphabetically', () => {
    const sorted = sortFolders([
      f('Zeta'),
      f('Archive', 'archive'),
      f('alpha'),
      f('Junk', 'junk'),
      f('Deleted Items', 'trash'),
      f('INBOX'),
      f('Sent Messages', 'sent'),
      f('Drafts', 'drafts'),
      f('Beta'),
    ]);
    expect(sorted.map(folderLabel)).toEqual(['Inbox', 'Drafts', 'Sent', 'Trash', 'Junk', 'Archive', 'alpha', 'Beta', 'Zeta']);
  });

  it('keeps a subfolder right after its parent and knows its depth', () => {
    const sorted = sortFolders([f('Work.Projects'), f('Work2'), f('Work')]);
    expect(sorted.map((x) => x.path)).toEqual(['Work', 'Work.Projects', 'Work2']);
    expect(folderDepth(f('Work.Projects'))).toBe(1);
    expect(folderDepth(f('Work'))).toBe(0);
  });
});
