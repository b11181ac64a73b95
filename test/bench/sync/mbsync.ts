/**
 * The reference for full offline sync and no-op resync: isync's mbsync,
 * pulling every folder into a fresh Maildir with its defaults (FSync on).
 * Config gotchas of mbsync 1.4 (TESTING-SERVERS.md): blank lines between
 * sections, SSLType (not TLSType), and `Host localhost` because it checks
 * only DNS names against the certificate.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { timeCommand } from './timing.ts';

export interface MbsyncTarget {
  /** The folder holding the config, the Maildir and mbsync's state. */
  dir: string;
  config: string;
  maildir: string;
}

export interface MbsyncSettings {
  port: number;
  caFile: string;
  user: string;
  password: string;
}

export async function prepareMbsync(dir: string, s: MbsyncSettings): Promise<MbsyncTarget> {
  const maildir = join(dir, 'Maildir');
  await mkdir(maildir, { recursive: true });
  const config = join(dir, 'mbsyncrc');
  const lines = [
    'IMAPAccount bench',
    'Host localhost',
    `Port ${s.port}`,
    `User ${s.user}`,
    `Pass ${s.password}`,
    'SSLType IMAPS',
    `CertificateFile ${s.caFile}`,
    '',
    'IMAPStore bench-far',
    'Account bench',
    '',
    'MaildirStore bench-near',
    `Path ${maildir}/`,
    `Inbox ${join(maildir, 'INBOX')}`,
    'SubFolders Verbatim',
    '',
    'Channel bench',
    'Far :bench-far:',
    'Near :bench-near:',
    'Patterns *',
    'Create Near',
    'SyncState *',
    '',
  ];
  await writeFile(config, lines.join('\n'), { mode: 0o600 });
  return { dir, config, maildir };
}

/** One `mbsync -a` run; the first into an empty Maildir is a full download. */
export async function runMbsync(target: MbsyncTarget): Promise<number> {
  return (await timeCommand('mbsync', ['-q', '-c', target.config, '-a'])).ms;
}
