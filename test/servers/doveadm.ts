// doveadm against this run's Dovecot instance (never the system one).
import type { TestServers } from './harness.ts';
import { run } from './proc.ts';

export async function doveadm(servers: TestServers, args: readonly string[]): Promise<string> {
  const { stdout } = await run('doveadm', ['-c', servers.paths.dovecotConf, ...args]);
  return stdout;
}

/** Message count of one folder; also makes Dovecot index files written straight into the Maildir. */
export async function messageCount(servers: TestServers, user: string, folder: string): Promise<number> {
  const out = await doveadm(servers, ['-f', 'flow', 'mailbox', 'status', '-u', user, 'messages', folder]);
  const match = /messages=(\d+)/.exec(out);
  if (match?.[1] === undefined) throw new Error(`unexpected doveadm mailbox status output: ${out}`);
  return Number(match[1]);
}

/** Folder names as Dovecot sees them (separator "."), INBOX first. */
export async function listFolders(servers: TestServers, user: string): Promise<string[]> {
  const out = await doveadm(servers, ['mailbox', 'list', '-u', user]);
  return out.split('\n').filter((line) => line.length > 0);
}

/**
 * Does Dovecot's passdb know `user` yet? Dovecot rereads its passwd-file at
 * most once a second, so a user added just now may take up to a second.
 */
export async function dovecotKnows(servers: TestServers, user: string): Promise<boolean> {
  try {
    await doveadm(servers, ['auth', 'lookup', user]);
    return true;
  } catch (err) {
    if (/doesn't exist/.test((err as Error).message)) return false;
    throw err;
  }
}
