// Seeding a mailbox by writing Maildir files directly (fast: thousands of
// messages per second), as TESTING-SERVERS.md describes, then letting Dovecot
// index them. Messages get UIDs in the order given.
import { chown, rename, stat, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { doveadm, messageCount } from './doveadm.ts';
import type { TestServers } from './harness.ts';
import { MAIL_GID, MAIL_UID } from './layout.ts';

/** IMAP system flags Maildir can store, with their Maildir letters. */
const FLAG_LETTERS = {
  '\\Draft': 'D',
  '\\Flagged': 'F',
  '\\Answered': 'R',
  '\\Seen': 'S',
  '\\Deleted': 'T',
} as const;

export type SystemFlag = keyof typeof FLAG_LETTERS;

export interface SeedMessage {
  raw: Buffer | string;
  /** IMAP system flags, e.g. ['\\Seen', '\\Flagged']. Keywords are not supported here. */
  flags?: readonly SystemFlag[];
  /** INTERNALDATE (the file's mtime); defaults to now. */
  date?: Date;
}

let sequence = 0;

function maildirOf(servers: TestServers, user: string, folder: string): string {
  const root = join(servers.stateDir, 'mail', user, 'Maildir');
  // Maildir++: folder "Archive" is Maildir/.Archive, "A.B" is Maildir/.A.B.
  return folder.toUpperCase() === 'INBOX' ? root : join(root, `.${folder}`);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

function flagLetters(flags: readonly SystemFlag[]): string {
  return flags
    .map((flag) => {
      const letter = FLAG_LETTERS[flag] as string | undefined;
      if (letter === undefined) throw new Error(`seedMaildir supports only system flags, not ${JSON.stringify(flag)}`);
      return letter;
    })
    .sort()
    .filter((letter, i, all) => all.indexOf(letter) === i)
    .join('');
}

/** RFC822.SIZE as Dovecot reports it: the size with every bare LF counted as CRLF. */
function crlfSize(bytes: Buffer): number {
  let size = bytes.length;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] === 0x0a && (i === 0 || bytes[i - 1] !== 0x0d)) size += 1;
  }
  return size;
}

/**
 * Adds messages to `folder` of `user` (created and subscribed if missing).
 * Returns the folder's message count afterwards.
 */
export async function seedMaildir(
  servers: TestServers,
  user: string,
  folder: string,
  messages: readonly SeedMessage[],
): Promise<number> {
  const dir = maildirOf(servers, user, folder);
  if (!(await exists(join(dir, 'cur')))) {
    if (folder.toUpperCase() === 'INBOX') {
      // Any doveadm mail command makes Dovecot create the user's Maildir.
      await messageCount(servers, user, 'INBOX');
    } else {
      await doveadm(servers, ['mailbox', 'create', '-s', '-u', user, folder]);
    }
  }
  const now = Date.now();
  const stamp = Math.floor(now / 1000);
  await Promise.all(
    messages.map(async (message, i) => {
      const bytes = Buffer.isBuffer(message.raw) ? message.raw : Buffer.from(message.raw, 'utf8');
      sequence += 1;
      // Same second for the batch; the zero-padded M field keeps the order.
      const base = `${stamp}.M${String(i).padStart(6, '0')}P${process.pid}Q${sequence}.postern`;
      const name = `${base},S=${bytes.length},W=${crlfSize(bytes)}:2,${flagLetters(message.flags ?? [])}`;
      const tmp = join(dir, 'tmp', base);
      await writeFile(tmp, bytes);
      await chown(tmp, MAIL_UID, MAIL_GID);
      const date = message.date ?? new Date(now);
      await utimes(tmp, date, date);
      await rename(tmp, join(dir, 'cur', name));
    }),
  );
  return messageCount(servers, user, folder);
}
