/**
 * One run of Postern's side of the benchmark, in a process of its own so
 * that its memory is the engine's and a CPU profile shows only Postern. The
 * engine runs in this thread (createInProcessEngine), as the CLI runs it.
 *
 * Input: a JSON PosternRunInput as the first argument, the password in
 * BENCH_PASSWORD. Output: one JSON PosternRunResult line on stdout.
 * Progress goes to stderr.
 *
 * mode 'headers': header sync of INBOX into an empty profile (a process of
 * its own, so that it leaves nothing behind in the next mode's memory).
 * mode 'full': in an empty profile, the full offline sync (all folders,
 * bodies), the no-op resync, the searches, and the memory.
 * mode 'grow': an existing profile syncs what was added on the server since
 * (bodies too), then the searches and the memory at the new size.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvCredentialStore } from '../../../src-protocol/accounts/credentials.ts';
import { createInProcessEngine, type InProcessEngine } from '../../../src-protocol/service/engine.ts';
import type { AccountSyncResult, SyncResult } from '../../../src-protocol/contract/schemas.ts';
import { addAccount, call, type BenchAccount } from './engine-calls.ts';
import { HITS_CAP, QUERIES, SEARCH_LIMIT } from './queries.ts';
import { flushDisks, median, progress } from './timing.ts';
import { directoryBytes } from './disk.ts';

export interface PosternRunInput {
  mode: 'headers' | 'full' | 'grow';
  label: string;
  account: Omit<BenchAccount, 'password'>;
  /** Where fresh profiles are made ('headers', 'full'); profileDir is the profile to grow ('grow'). */
  workDir: string;
  profileDir?: string;
  accountId?: string;
  expectMessages: number;
  searchRepeats: number;
  /** When set, each timed step is CPU-profiled on its own into this folder (<label>-<step>.cpuprofile). */
  cpuProfileDir?: string;
}

export interface SearchTiming {
  name: string;
  query: string;
  runsMs: number[];
  medianMs: number;
  /** Messages matching (all of them, not only the first SEARCH_LIMIT; Postern's count stops at HITS_CAP). */
  hits: number;
}

export interface HeaderRunResult {
  label: string;
  headerSyncMs: number;
  /** CPU time of the engine's own thread during the header sync (null off Linux); see threadCpuMs. */
  headerSyncThreadCpuMs: number | null;
  headerSyncTotal: number;
  rssAfterHeaderSyncBytes: number;
  cpuProfiles: string[];
}

export interface PosternRunResult {
  label: string;
  profileDir: string;
  accountId: string;
  fullSyncMs: number;
  /** CPU time of the engine's own thread during the full sync (null off Linux)... */
  fullSyncThreadCpuMs: number | null;
  /** ...and of the whole process (every thread: the engine, workers, the thread pool, GC helpers). */
  fullSyncProcessCpuMs: number;
  fullSync: { bodies: number; bytes: number; added: number };
  /** No-op resync in a newly opened engine: it connects, as mbsync does. */
  noopMs: number | null;
  /** The same right after, on the connection the engine kept. */
  noopKeptMs: number | null;
  noopModes: string[];
  searches: SearchTiming[];
  /** RSS with the engine open and the account added, before the sync. */
  rssBeforeSyncBytes: number;
  rssAfterSyncBytes: number;
  /** process.memoryUsage() right after the sync, and RSS once a full GC has run (what is really held). */
  memoryAfterSync: NodeJS.MemoryUsage;
  rssAfterGcBytes: number | null;
  rssAfterSearchBytes: number;
  maxRssBytes: number;
  profileBytes: number;
  cpuProfiles: string[];
}

const PASSWORD_ENV = 'BENCH_PASSWORD';

function engine(profileDir: string): InProcessEngine {
  return createInProcessEngine({
    profileDir,
    credentials: new EnvCredentialStore(process.env),
    // The account refers to the variable, so a later run can open the profile.
    credentialHint: { envVariable: PASSWORD_ENV },
  });
}

/** Times one step after flushing the disks; with a profile folder, CPU-profiles just that step. */
class Steps {
  readonly #tag: string;
  readonly #profileDir: string | undefined;
  #session: Session | null = null;
  readonly written: string[] = [];

  constructor(tag: string, profileDir: string | undefined) {
    this.#tag = tag;
    this.#profileDir = profileDir;
  }

  async timed<T>(step: string, fn: () => Promise<T>): Promise<{ ms: number; value: T; threadCpuMs: number | null; processCpuMs: number }> {
    flushDisks();
    await this.#startProfile();
    const thread0 = threadCpuMs();
    const process0 = process.cpuUsage();
    const t0 = performance.now();
    const value = await fn();
    const ms = performance.now() - t0;
    const processUsed = process.cpuUsage(process0);
    const thread1 = threadCpuMs();
    await this.#stopProfile(step);
    const threadCpu = thread0 === null || thread1 === null ? null : thread1 - thread0;
    const processCpu = (processUsed.user + processUsed.system) / 1000;
    progress(`${this.#tag}: ${step}: ${(ms / 1000).toFixed(2)} s (CPU: engine thread ${threadCpu === null ? '?' : (threadCpu / 1000).toFixed(2)} s, process ${(processCpu / 1000).toFixed(2)} s)`);
    return { ms, value, threadCpuMs: threadCpu, processCpuMs: processCpu };
  }

  async #startProfile(): Promise<void> {
    if (!this.#profileDir) return;
    if (!this.#session) {
      this.#session = new Session();
      this.#session.connect();
      await this.#session.post('Profiler.enable');
    }
    await this.#session.post('Profiler.start');
  }

  async #stopProfile(step: string): Promise<void> {
    if (!this.#profileDir || !this.#session) return;
    const { profile } = await this.#session.post('Profiler.stop');
    const file = join(this.#profileDir, `${this.#tag.replace(/\W+/g, '-')}-${step.replace(/\W+/g, '-')}.cpuprofile`);
    await writeFile(file, JSON.stringify(profile));
    this.written.push(file);
  }

  close(): void {
    this.#session?.disconnect();
  }
}

/** RSS once the garbage collector has run (the child runs with --expose-gc). */
function rssAfterGc(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  gc();
  return process.memoryUsage().rss;
}

async function headerRun(input: PosternRunInput, account: BenchAccount, steps: Steps): Promise<HeaderRunResult> {
  const a = engine(await mkdtemp(join(input.workDir, 'profile-headers-')));
  try {
    const id = await addAccount(a.dispatcher, account);
    const r = await steps.timed('header sync of INBOX', () => call<SyncResult>(a.dispatcher, 'mail:sync.folder', { account_id: id, folder: 'INBOX' }));
    if (r.value.total !== input.expectMessages) throw new Error(`header sync stored ${r.value.total} messages, expected ${input.expectMessages}`);
    return { label: input.label, headerSyncMs: r.ms, headerSyncThreadCpuMs: r.threadCpuMs, headerSyncTotal: r.value.total, rssAfterHeaderSyncBytes: process.memoryUsage().rss, cpuProfiles: steps.written };
  } finally {
    steps.close();
    await a.dispatcher.close();
  }
}

async function main(): Promise<PosternRunResult | HeaderRunResult> {
  const input = JSON.parse(process.argv[2] ?? '{}') as PosternRunInput;
  const password = process.env[PASSWORD_ENV];
  if (!password) throw new Error(`${PASSWORD_ENV} is not set`);
  const account: BenchAccount = { ...input.account, password };
  const steps = new Steps(`postern ${input.label}`, input.cpuProfileDir);
  if (input.mode === 'headers') return headerRun(input, account, steps);

  const profileDir = input.mode === 'full' ? await mkdtemp(join(input.workDir, 'profile-full-')) : (input.profileDir as string);
  let b = engine(profileDir);
  try {
    const accountId = input.mode === 'full' ? await addAccount(b.dispatcher, account) : (input.accountId as string);
    const rssBeforeSyncBytes = process.memoryUsage().rss;
    const syncAll = () => call<AccountSyncResult>(b.dispatcher, 'mail:sync.account', { account_id: accountId, all_folders: true, bodies: true });
    const full = await steps.timed(input.mode === 'full' ? 'full offline sync' : 'sync of the new mail', syncAll);
    const total = full.value.folders.reduce((n, f) => n + f.total, 0);
    if (total !== input.expectMessages) throw new Error(`sync stored ${total} messages, expected ${input.expectMessages}`);
    const memoryAfterSync = process.memoryUsage();
    const rssAfterGcBytes = rssAfterGc();

    let noopMs: number | null = null;
    let noopKeptMs: number | null = null;
    let noopModes: string[] = [];
    if (input.mode === 'full') {
      // The engine keeps the sync's connection for a minute (imap/imap-pool.ts). mbsync connects
      // each time, so the no-op held against it runs in a newly opened engine and connects too;
      // the one after it, on the kept connection, is what a person syncing again soon gets.
      await b.dispatcher.close();
      b = engine(profileDir);
      const noop = await steps.timed('no-op resync', syncAll);
      const kept = await steps.timed('no-op resync on the kept connection', syncAll);
      noopMs = noop.ms;
      noopKeptMs = kept.ms;
      noopModes = noop.value.folders.map((f) => `${f.folder}:${f.mode ?? '?'}`);
      for (const r of [noop, kept]) {
        if (r.value.bodies_downloaded !== 0 || r.value.folders.some((f) => f.added !== 0)) throw new Error('the no-op resync downloaded something');
      }
    }

    const searches: SearchTiming[] = [];
    for (const q of QUERIES) {
      const runsMs: number[] = [];
      for (let i = 0; i < input.searchRepeats; i++) {
        const t0 = performance.now();
        await call<unknown[]>(b.dispatcher, 'mail:search', { query: q.postern, account_id: accountId, limit: SEARCH_LIMIT });
        runsMs.push(performance.now() - t0);
      }
      const hits = (await call<unknown[]>(b.dispatcher, 'mail:search', { query: q.postern, account_id: accountId, limit: HITS_CAP })).length;
      searches.push({ name: q.name, query: q.postern, runsMs, medianMs: median(runsMs), hits });
    }
    progress(`postern ${input.label}: searches ${searches.map((s) => `${s.name} ${s.medianMs.toFixed(1)} ms`).join(', ')}`);

    return {
      label: input.label, profileDir, accountId,
      fullSyncMs: full.ms,
      fullSyncThreadCpuMs: full.threadCpuMs,
      fullSyncProcessCpuMs: full.processCpuMs,
      fullSync: { bodies: full.value.bodies_downloaded, bytes: full.value.bytes_downloaded, added: full.value.folders.reduce((n, f) => n + f.added, 0) },
      noopMs, noopKeptMs, noopModes, searches,
      rssBeforeSyncBytes, rssAfterSyncBytes: memoryAfterSync.rss, memoryAfterSync, rssAfterGcBytes,
      rssAfterSearchBytes: process.memoryUsage().rss,
      maxRssBytes: process.resourceUsage().maxRSS * 1024,
      profileBytes: await directoryBytes(profileDir),
      cpuProfiles: steps.written,
    };
  } finally {
    steps.close();
    await b.dispatcher.close();
  }
}

// Only as a script (the benchmark imports this file's types, never its code).
if (process.argv[1] === fileURLToPath(import.meta.url)) void main().then(
  (result) => process.stdout.write(`${JSON.stringify(result)}\n`),
  (err: unknown) => {
    process.stderr.write(`postern run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);

/**
 * CPU time (user + system) of this process's main thread, where the engine
 * runs here, from /proc (Linux only; null elsewhere). On a shared box it moves
 * far less with the load than wall time does, and it is the critical path:
 * work moved to other threads leaves it.
 */
function threadCpuMs(): number | null {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces) start at its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return Number.isFinite(ticks) ? (ticks * 1000) / CLOCK_TICKS_PER_S : null;
  } catch {
    return null;
  }
}

/** Linux's USER_HZ, the unit of /proc's CPU times: 100 on every architecture Node runs on. */
const CLOCK_TICKS_PER_S = 100;
