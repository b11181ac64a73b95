/** The folders an account without server folders (POP3) keeps here. */
import type { FolderInput } from '../store/mail-store.ts';

export const LOCAL_FOLDERS: readonly FolderInput[] = [
  { path: 'INBOX', name: 'Inbox', delimiter: '/', special_use: 'inbox' },
  { path: 'Drafts', name: 'Drafts', delimiter: '/', special_use: 'drafts' },
  { path: 'Sent', name: 'Sent', delimiter: '/', special_use: 'sent' },
  { path: 'Archive', name: 'Archive', delimiter: '/', special_use: 'archive' },
  { path: 'Junk', name: 'Junk', delimiter: '/', special_use: 'junk' },
  { path: 'Trash', name: 'Trash', delimiter: '/', special_use: 'trash' },
];
