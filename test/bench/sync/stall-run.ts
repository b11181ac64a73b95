/**
 * Is the process serving the UI still responsive during a 10k sync? This
 * process plays Electron's main process (or the web bridge): it runs the
 * engine in its worker thread (startEngine), forwards every event as a UI
 * transport would (serialised), and measures its own event loop's delay with
 * perf_hooks.monitorEventLoopDelay while a full offline sync runs.
 *
 * Input: JSON StallRunInput as the first argument, the password in
 * BENCH_PASSWORD. Output: one JSON StallRunResult line on stdout.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EnvCredentialStore } from '../../../src-protocol/accounts/credentials.ts';
import { startEngine } from '../../../src-protocol/service/engine-host.ts';
import type { AccountSyncResult } from '../../../src-protocol/contract/schemas.ts';
import { addAccount, call, type BenchAccount } from './engine-calls.ts';
import { GapRecorder, STALL_MS, type Gap } from './stall-gaps.ts';
import { flushDisks, progress } from './timing.ts';

export interface StallRunInput {
  account: Omit<BenchAccount, 'password'>;
  workDir: string;
  expectMessages: number;
}

export interface StallRunResult {
  syncMs: number;
  events: number;
  maxMs: number;
  p99Ms: number;
  p50Ms: number;
  meanMs: number;
  /** Stalls over STALL_MS, with absolute times, to compare with a control process. */
  gaps: Gap[];
  /** When the sync started (absolute ms, as the gaps). */
  syncStartMs: number;
  /** One instant on both clocks, to find a gap in a --cpu-prof profile (whose times are monotonic µs). */
  clock: { absoluteMs: number; monotonicUs: number };
}


async function main(): Promise<StallRunResult> {
  const input = JSON.parse(process.argv[2] ?? '{}') as StallRunInput;
  const password = process.env['BENCH_PASSWORD'];
  if (!password) throw new Error('BENCH_PASSWORD is not set');
  const dispatcher = await startEngine({
    profileDir: await mkdtemp(join(input.workDir, 'profile-stall-')),
    credentials: new EnvCredentialStore(process.env),
  });
  try {
    const accountId = await addAccount(dispatcher, { ...input.account, password });
    let events = 0;
    const stop = dispatcher.onEvent((name, payload) => {
      // What a transport does with each event: serialise it for the page.
      JSON.stringify({ type: 'event', name, payload });
      events++;
    });
    flushDisks();
    // 1 ms resolution: the histogram records how late each 1 ms timer tick ran.
    const delay = monitorEventLoopDelay({ resolution: 1 });
    const gaps = new GapRecorder(STALL_MS);
    delay.enable();
    gaps.start();
    const t0 = performance.now();
    const syncStartMs = performance.timeOrigin + t0;
    const r = await call<AccountSyncResult>(dispatcher, 'mail:sync.account', { account_id: accountId, all_folders: true, bodies: true });
    const syncMs = performance.now() - t0;
    delay.disable();
    gaps.stop();
    stop();
    const total = r.folders.reduce((n, f) => n + f.total, 0);
    if (total !== input.expectMessages) throw new Error(`sync stored ${total} messages, expected ${input.expectMessages}`);
    const ms = (ns: number): number => ns / 1e6;
    const result = {
      syncMs, events,
      maxMs: ms(delay.max), p99Ms: ms(delay.percentile(99)), p50Ms: ms(delay.percentile(50)), meanMs: ms(delay.mean),
      gaps: gaps.gaps, syncStartMs,
      clock: { absoluteMs: performance.timeOrigin + performance.now(), monotonicUs: Number(process.hrtime.bigint() / 1000n) },
    };
    progress(`UI thread during a sync through the worker (${(syncMs / 1000).toFixed(1)} s, ${events} events): max ${result.maxMs.toFixed(1)} ms, p99 ${result.p99Ms.toFixed(1)} ms, ${result.gaps.length} stalls over ${STALL_MS} ms`);
    return result;
  } finally {
    await dispatcher.close();
  }
}

// Only as a script (the benchmark imports this file's types, never its code).
if (process.argv[1] === fileURLToPath(import.meta.url)) void main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => {
    process.stderr.write(`stall run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
