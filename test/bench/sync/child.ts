/**
 * Runs one of the benchmark's child scripts (postern-run.ts, stall-run.ts)
 * with this Node, passes its input as JSON and the password in the
 * environment, lets its progress through on stderr and returns the JSON
 * line it prints last. Children may call gc() (--expose-gc) to tell live
 * memory from garbage not yet collected.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface ChildOptions {
  password: string;
  /** Extra Node flags (memory experiments, e.g. --max-old-space-size=128). */
  nodeFlags?: readonly string[];
}

const running = new Set<ChildProcess>();

/** Stops children still running (the benchmark is being interrupted). */
export function killChildren(): void {
  for (const child of running) child.kill('SIGTERM');
}

/** `script`: a path relative to this folder, or an absolute one (a built bundle). */
export function runChild<T>(script: string, input: unknown, options: ChildOptions): Promise<T> {
  const file = isAbsolute(script) ? script : fileURLToPath(new URL(script, import.meta.url));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', ...(options.nodeFlags ?? []), file, JSON.stringify(input)], {
      env: { ...process.env, BENCH_PASSWORD: options.password },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    running.add(child);
    const out: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      running.delete(child);
      const lines = Buffer.concat(out).toString('utf8').trim().split('\n');
      if (code !== 0) {
        reject(new Error(`${script} exited with ${code ?? signal}`));
        return;
      }
      try {
        resolve(JSON.parse(lines.at(-1) ?? '') as T);
      } catch {
        reject(new Error(`${script} printed no result: ${lines.join('\n').slice(-500)}`));
      }
    });
  });
}
