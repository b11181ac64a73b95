/** Timing helpers shared by the references and Postern's runs. */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';

export const median = (xs: readonly number[]): number => {
  if (xs.length === 0) return Number.NaN;
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * Flushes dirty pages before a timed step, so one step's writes are not
 * paid for by the next (TESTING-SERVERS.md, "Benchmarking on this box").
 */
export function flushDisks(): void {
  execFileSync('sync');
}

export interface CommandResult {
  ms: number;
  stdout: string;
}

const running = new Set<ChildProcess>();

/** Stops timed commands still running (the benchmark is being interrupted). */
export function killCommands(): void {
  for (const child of running) child.kill('SIGTERM');
}

/** Runs a command to completion and times it, from spawn to exit. Rejects on a non-zero exit. */
export function timeCommand(file: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Promise<CommandResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    running.add(child);
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      const ms = performance.now() - started;
      running.delete(child);
      if (code === 0) resolve({ ms, stdout: Buffer.concat(out).toString('utf8') });
      else reject(new Error(`${file} ${args.join(' ')} exited with ${code ?? signal}: ${Buffer.concat(err).toString('utf8').slice(-2000)}`));
    });
  });
}

/** Progress for people watching: on stderr, with the time since the benchmark started. */
// Children get the parent's start time, so their lines share one clock.
const started = Number(process.env['BENCH_STARTED_MS'] ?? '') || Date.now();
process.env['BENCH_STARTED_MS'] = String(started);
export function progress(message: string): void {
  const s = ((Date.now() - started) / 1000).toFixed(0).padStart(4);
  process.stderr.write(`[bench ${s}s] ${message}\n`);
}
