/**
 * The reference for local search: notmuch over the Maildir that mbsync
 * downloaded, with its database outside the Maildir (database.path +
 * database.mail_root) and mbsync's state files ignored.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { timeCommand, type CommandResult } from './timing.ts';

export interface Notmuch {
  env: NodeJS.ProcessEnv;
}

export async function prepareNotmuch(dir: string, mailRoot: string): Promise<Notmuch> {
  const database = join(dir, 'db');
  await mkdir(database, { recursive: true });
  const config = join(dir, 'notmuch-config');
  await writeFile(
    config,
    [
      '[database]',
      `path=${database}`,
      `mail_root=${mailRoot}`,
      '',
      '[user]',
      'name=Bench User',
      'primary_email=bench@example.test',
      '',
      '[new]',
      'tags=unread;inbox;',
      'ignore=.mbsyncstate;.mbsyncstate.journal;.mbsyncstate.new;.mbsyncstate.lock;.uidvalidity',
      '',
      '[search]',
      'exclude_tags=deleted;spam;',
      '',
      '[maildir]',
      'synchronize_flags=true',
      '',
    ].join('\n'),
  );
  return { env: { ...process.env, NOTMUCH_CONFIG: config } };
}

/** `notmuch new`: indexes every message of the Maildir (all of them, into an empty database). */
export async function notmuchNew(n: Notmuch): Promise<number> {
  return (await timeCommand('notmuch', ['new', '--quiet'], n.env)).ms;
}

/**
 * One search as a person runs it: the process, the query, the 200 newest
 * results (Postern's search answers the 200 newest too), printed as JSON.
 */
export function notmuchSearch(n: Notmuch, query: string, limit: number): Promise<CommandResult> {
  return timeCommand('notmuch', ['search', '--format=json', `--limit=${limit}`, query], n.env);
}

export async function notmuchCount(n: Notmuch, query: string): Promise<number> {
  return Number((await timeCommand('notmuch', ['count', '--output=messages', query], n.env)).stdout.trim());
}
