// Cleans up after test runs that were killed before they could stop their
// servers. Each run writes the pid of the process that owns it into its state
// folder; a folder whose owner is dead has its daemons stopped (by the pids in
// their own pid files, checked to really belong to that folder) and is removed.
// Live runs (another engineer's, a parallel CI job) are never touched; their
// ports are random and their folders separate, so they do not get in the way.
import { readdirSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { layout } from './layout.ts';
import { describeProcess, isAlive, readPidFile, stopTree } from './proc.ts';

export const STATE_PREFIX = 'postern-servers-';

function belongsTo(pid: number, root: string): boolean {
  const info = describeProcess(pid);
  if (info === undefined) return false;
  // Dovecot's master has `-c ROOT/etc/dovecot.conf` on its command line;
  // Postfix's master runs in its queue directory.
  return info.cmdline.includes(`${root}/`) || info.cwd === root || info.cwd.startsWith(`${root}/`);
}

function ownerAlive(root: string): boolean {
  const owner = readPidFile(layout(root).ownerFile);
  if (owner !== undefined) return isAlive(owner);
  // No owner yet: maybe a run that is just starting. Leave young folders alone.
  try {
    return Date.now() - statSync(root).mtimeMs < 5 * 60_000;
  } catch {
    return false;
  }
}

export async function reapStaleRuns(): Promise<void> {
  const base = tmpdir();
  let entries: string[];
  try {
    entries = readdirSync(base).filter((e) => e.startsWith(STATE_PREFIX));
  } catch {
    return;
  }
  for (const entry of entries) {
    const root = join(base, entry);
    if (ownerAlive(root)) continue;
    const l = layout(root);
    for (const pidFile of [join(l.dovecotBase, 'master.pid'), join(l.postfixQueue, 'pid', 'master.pid')]) {
      const pid = readPidFile(pidFile);
      if (pid !== undefined && isAlive(pid) && belongsTo(pid, root)) await stopTree(pid, 3000);
    }
    await rm(root, { recursive: true, force: true });
  }
}
