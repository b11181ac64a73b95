// Small process and socket helpers shared by the Dovecot and Postfix starters.
// Everything here works by process id: we only ever signal processes this
// harness started (or that a dead earlier run of it started, see reap.ts).
import { execFile, spawn } from 'node:child_process';
import { openSync, closeSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import net from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; rejects with its output when it exits non-zero. */
export function run(file: string, args: readonly string[]): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`${file} ${args.join(' ')} failed: ${err.message}\n${stderr}${stdout}`));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}

/**
 * Runs a daemon's start command with stdin from /dev/null and stdout/stderr
 * into a log file. Daemons keep the caller's stdio open after forking, so a
 * pipe here would never close (TESTING-SERVERS.md).
 */
export function runDetached(file: string, args: readonly string[], logFile: string): Promise<void> {
  const fd = openSync(logFile, 'a');
  return new Promise<void>((resolve, reject) => {
    const child = spawn(file, args, { stdio: ['ignore', fd, fd] });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve();
      else {
        // Daemons say why they would not start in this log; put it in the error.
        let said = '';
        try {
          said = readFileSync(logFile, 'utf8').trim().split('\n').slice(-10).join('\n');
        } catch {
          // No log written.
        }
        reject(new Error(`${file} ${args.join(' ')} exited with ${code ?? signal} (${logFile}):\n${said}`));
      }
    });
  }).finally(() => closeSync(fd));
}

/** Asks the OS for `count` distinct free TCP ports on 127.0.0.1. */
export async function freePorts(count: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => {
      const addr = s.address();
      if (addr === null || typeof addr === 'string') throw new Error('no port assigned');
      return addr.port;
    });
  } finally {
    await Promise.all(servers.map((s) => new Promise<void>((resolve) => s.close(() => resolve()))));
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    const done = (ok: boolean): void => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** Waits until every port accepts a TCP connection, or throws after `timeoutMs`. */
export async function waitForPorts(ports: readonly number[], timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (const port of ports) {
    while (!(await canConnect(port))) {
      if (Date.now() > deadline) throw new Error(`${what}: port ${port} did not open within ${timeoutMs} ms`);
      await sleep(25);
    }
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  // A zombie still answers kill(0); it is gone for our purposes.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}

/** All descendants of `pid` (children, grandchildren, ...), read from /proc. */
export function descendants(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parentOf.set(Number(entry), Number(fields[1]));
    } catch {
      // The process exited while we were looking.
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of parentOf) {
      if (ppid === parent && !found.includes(child)) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/** The command line and working directory of a process, for telling whose it is. */
export function describeProcess(pid: number): { cmdline: string; cwd: string } | undefined {
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
    let cwd = '';
    try {
      cwd = readlinkSync(`/proc/${pid}/cwd`);
    } catch {
      // Not readable (exiting); the command line may still identify it.
    }
    return { cmdline, cwd };
  } catch {
    return undefined;
  }
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // Already gone.
  }
}

/**
 * Stops a daemon's master process and everything it started: SIGTERM to the
 * master, then waits until the master and all of its descendants are gone;
 * whatever is still there after `graceMs` gets SIGKILL.
 */
export async function stopTree(masterPid: number, graceMs: number): Promise<void> {
  const pids = [masterPid, ...descendants(masterPid)];
  signal(masterPid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (pids.some(isAlive)) {
    if (Date.now() > deadline) {
      for (const pid of pids) if (isAlive(pid)) signal(pid, 'SIGKILL');
      await sleep(50);
      if (Date.now() > deadline + 5000) {
        throw new Error(`processes ${pids.filter(isAlive).join(' ')} did not exit`);
      }
      continue;
    }
    await sleep(20);
  }
}

/** Reads a pid file (`123\n`), or undefined if it is missing or empty. */
export function readPidFile(path: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(path, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

/** Polls until `check` returns a value, or throws after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | Promise<T | undefined>, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(20);
  }
}

/** uid and primary gid of a system user, from /etc/passwd. */
export function systemUser(name: string): { uid: number; gid: number } {
  const fields = readFileSync('/etc/passwd', 'utf8').split('\n').find((u) => u.startsWith(`${name}:`))?.split(':') ?? [];
  const uid = Number(fields[2]);
  const gid = Number(fields[3]);
  if (!Number.isInteger(uid) || !Number.isInteger(gid)) throw new Error(`no system user "${name}" (are the mail packages installed?)`);
  return { uid, gid };
}

/** gid of a system group, from /etc/group. */
export function systemGroup(name: string): number {
  const fields = readFileSync('/etc/group', 'utf8').split('\n').find((g) => g.startsWith(`${name}:`))?.split(':') ?? [];
  const gid = Number(fields[2]);
  if (!Number.isInteger(gid)) throw new Error(`no system group "${name}" (are the mail packages installed?)`);
  return gid;
}
