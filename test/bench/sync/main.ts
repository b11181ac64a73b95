/**
 * The sync and search benchmark of issue 3 ("Measured, not assumed"):
 * starts the real servers, seeds 10,000 generated messages (~235 MB), and
 * measures Postern against references taken in the same run (raw header
 * FETCH, mbsync, notmuch). Prints the table on stdout, progress on
 * stderr, and writes everything to test-output/bench/sync.json.
 *
 *   npm run bench [-- --runs 3 --messages 10000 --with-100k --cpu-prof --keep --engine-from-sources]
 */
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { startServers, stopServers, type TestServers } from '../../servers/harness.ts';
import { ENGINE_RESOURCE_LIMITS } from '../../../src-protocol/service/engine-host.ts';
import { createUser } from '../../servers/mail-tools.ts';
import { killChildren, runChild } from './child.ts';
import { formatSummary, summariseProfile, type ProfileSummary } from './cpu-profile.ts';
import { runMbsync } from './mbsync.ts';
import { notmuchNew } from './notmuch.ts';
import type { HeaderRunResult, PosternRunInput, PosternRunResult, SearchTiming } from './postern-run.ts';
import { HITS_CAP, QUERIES, SEARCH_LIMIT } from './queries.ts';
import { notmuchSearches, rawFetchesBeside, rawFetchOnce, referenceRun, type ReferenceRun } from './references.ts';
import type { RawFetchResult } from './raw-imap.ts';
import { formatTable, mb, ms, ratioRow, type Row } from './report.ts';
import { seedCorpus, type SeedStats } from './seed.ts';
import { GapRecorder, STALL_MS, unexplainedGaps, type Gap } from './stall-gaps.ts';
import type { StallRunInput, StallRunResult } from './stall-run.ts';
import { flushDisks, killCommands, median, progress } from './timing.ts';

/** Raw header FETCHes per run, in a row right before Postern's header sync (see rawFetchesBeside). */
const RAW_FETCHES_PER_RUN = 3;
const OUTPUT_DIR = fileURLToPath(new URL('../../../test-output/bench/', import.meta.url));

interface Options {
  runs: number;
  messages: number;
  searchRepeats: number;
  stallRuns: number;
  with100k: boolean;
  largeCount: number;
  cpuProf: boolean;
  keep: boolean;
  childNodeFlags: string[];
  /** Run Postern's engine process from the .ts sources (Node type-strips them) instead of the bundle. */
  engineFromSources: boolean;
}

/** Built by run.mjs before the benchmark starts. */
export interface BenchScripts {
  /** postern-run.ts bundled like the app's engine worker (electron/build.mjs). */
  posternRunBundle: string;
}

function options(): Options {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '3' },
      messages: { type: 'string', default: '10000' },
      'search-repeats': { type: 'string', default: '3' },
      'stall-runs': { type: 'string', default: '1' },
      'with-100k': { type: 'boolean', default: false },
      'large-count': { type: 'string', default: '100000' },
      'cpu-prof': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
      'child-node-flags': { type: 'string', default: '' },
      'engine-from-sources': { type: 'boolean', default: false },
    },
  });
  return {
    runs: Number(values.runs), messages: Number(values.messages), searchRepeats: Number(values['search-repeats']),
    stallRuns: Number(values['stall-runs']), with100k: values['with-100k'], largeCount: Number(values['large-count']),
    cpuProf: values['cpu-prof'], keep: values.keep,
    childNodeFlags: values['child-node-flags'].split(/\s+/).filter((f) => f.length > 0),
    engineFromSources: values['engine-from-sources'],
  };
}

const scaleLabel = (n: number): string => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}k` : String(n));

/** Per query, the median over every timing of every run. */
function searchMedians(runs: readonly SearchTiming[][]): { name: string; query: string; medianMs: number; hits: number }[] {
  return QUERIES.map((q, i) => {
    const all = runs.flatMap((r) => r[i]?.runsMs ?? []);
    return { name: q.name, query: runs[0]?.[i]?.query ?? '', medianMs: median(all), hits: runs[0]?.[i]?.hits ?? 0 };
  });
}

function searchRows(scale: string, postern: ReturnType<typeof searchMedians>, notmuch: ReturnType<typeof searchMedians>, eachMaxMs: number): Row[] {
  const rows: Row[] = postern.map((p, i) => {
    const n = notmuch[i];
    const ref = n?.medianMs ?? Number.NaN;
    return {
      measure: `search ${scale}: ${p.name} (${p.hits}${p.hits >= HITS_CAP ? '+' : ''} / ${n?.hits ?? '?'} hits)`,
      postern: ms(p.medianMs), reference: ms(ref), ratio: p.medianMs / ref, target: `≤ ${eachMaxMs} ms`, pass: p.medianMs <= eachMaxMs,
    };
  });
  const pMedian = median(postern.map((p) => p.medianMs));
  const nMedian = median(notmuch.map((n) => n.medianMs));
  rows.push(ratioRow(`search ${scale}: median of the 7 queries`, pMedian, nMedian, 0.25, '≤ 0.25× notmuch'));
  return rows;
}

async function cpuProfiles(dir: string): Promise<ProfileSummary[]> {
  const files = (await readdir(dir)).filter((f) => f.endsWith('.cpuprofile')).sort();
  const out: ProfileSummary[] = [];
  for (const f of files) {
    const summary = summariseProfile(JSON.parse(await readFile(join(dir, f), 'utf8')), 30);
    process.stderr.write(`\nCPU profile of one step: ${join(dir, f)}\n${formatSummary(summary)}\n`);
    out.push(summary);
  }
  return out;
}

function versions(): Record<string, string> {
  const v = (cmd: string, args: string[]): string => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8' }).trim().split('\n')[0] ?? '';
    } catch {
      return 'unknown';
    }
  };
  const changed = v('git', ['status', '--porcelain', '--', 'src-protocol']) === '' ? 'clean' : 'uncommitted changes';
  return {
    node: process.version, dovecot: v('dovecot', ['--version']), mbsync: v('mbsync', ['--version']), notmuch: v('notmuch', ['--version']),
    postern: `${v('git', ['rev-parse', '--short', 'HEAD'])} (src-protocol: ${changed})`,
  };
}

async function bench(servers: TestServers, opts: Options, workDir: string, scripts: BenchScripts): Promise<void> {
  const user = await createUser(servers, 'bench');
  progress(`generating and seeding ${opts.messages} messages into ${user.user}'s INBOX`);
  const corpus: SeedStats = await seedCorpus(servers, user.user, { count: opts.messages });
  progress(`corpus: ${corpus.messages} messages, ${mb(corpus.bytes)}, ${corpus.withAttachments} with attachments (${(corpus.ms / 1000).toFixed(1)} s)`);
  // Dovecot parses ENVELOPE and BODYSTRUCTURE on the first FETCH and caches
  // them; every measured run (ours and the reference) sees a warm cache.
  await rawFetchOnce(servers, user);

  const account = {
    host: servers.host, imapsPort: servers.ports.imaps, submissionsPort: servers.ports.submissions,
    caPem: servers.caPem, user: user.user, email: user.email,
  };
  const profileDir = opts.cpuProf ? join(OUTPUT_DIR, 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : undefined;
  if (profileDir) await mkdir(profileDir, { recursive: true });
  // The in-process engine gets the young generation the app's engine worker gets (engine-host.ts),
  // so its memory is the app's; --child-node-flags come after and can override it.
  const youngGeneration = `--max-semi-space-size=${ENGINE_RESOURCE_LIMITS.maxYoungGenerationSizeMb / 3}`;
  const child = { password: user.password, nodeFlags: [youngGeneration, ...opts.childNodeFlags] };
  // What the app runs: the engine compiled ahead of time (see README.md, "Memory"). A CPU
  // profile is read against the sources (file:line of our functions; in the bundle, our code
  // and the libraries share one file), so --cpu-prof runs them.
  const posternRun = opts.engineFromSources || opts.cpuProf ? './postern-run.ts' : scripts.posternRunBundle;
  const loads: { when: string; loadavg: number[] }[] = [{ when: 'after seeding', loadavg: loadavg() }];

  // Dovecot also caches the header fields Postern's header sync asks for
  // (whatever they are today): one untimed header sync warms them too.
  progress('warming Dovecot\'s cache with one untimed Postern header sync');
  await runChild<HeaderRunResult>(posternRun, {
    mode: 'headers', label: 'warm-up', account, workDir, expectMessages: opts.messages, searchRepeats: 0,
  } satisfies PosternRunInput, child);

  const refs: ReferenceRun[] = [];
  const raws: RawFetchResult[][] = [];
  const headers: HeaderRunResult[] = [];
  const ours: PosternRunResult[] = [];
  for (let run = 1; run <= opts.runs; run++) {
    refs.push(await referenceRun(servers, user, workDir, run, opts.searchRepeats));
    const input: PosternRunInput = {
      mode: 'headers', label: `run ${run}`, account, workDir, expectMessages: opts.messages, searchRepeats: opts.searchRepeats,
      ...(profileDir ? { cpuProfileDir: profileDir } : {}),
    };
    raws.push(await rawFetchesBeside(servers, user, run, RAW_FETCHES_PER_RUN));
    headers.push(await runChild<HeaderRunResult>(posternRun, input, child));
    ours.push(await runChild<PosternRunResult>(posternRun, { ...input, mode: 'full' }, child));
    loads.push({ when: `after run ${run}`, loadavg: loadavg() });
  }

  // The UI thread's delay, next to a control: this (idle) process's own
  // delay over the same time. Delays the control sees too come from the
  // machine (CPU starvation on a shared box), not from Postern.
  const stalls: (StallRunResult & { controlMaxMs: number; controlP99Ms: number; controlGaps: Gap[]; unexplained: Gap[] })[] = [];
  for (let run = 1; run <= opts.stallRuns; run++) {
    const input: StallRunInput = { account, workDir, expectMessages: opts.messages };
    const control = monitorEventLoopDelay({ resolution: 1 });
    const controlGaps = new GapRecorder(STALL_MS);
    control.enable();
    controlGaps.start();
    const r = await runChild<StallRunResult>('./stall-run.ts', input, { password: user.password });
    controlGaps.stop();
    control.disable();
    const unexplained = unexplainedGaps(r.gaps, controlGaps.gaps);
    stalls.push({ ...r, controlMaxMs: control.max / 1e6, controlP99Ms: control.percentile(99) / 1e6, controlGaps: controlGaps.gaps, unexplained });
    progress(
      `control (this idle process, same time): max ${(control.max / 1e6).toFixed(1)} ms, p99 ${(control.percentile(99) / 1e6).toFixed(1)} ms, ` +
        `${controlGaps.gaps.length} stalls over ${STALL_MS} ms; the UI thread's stalls not seen by the control: ${unexplained.length}`,
    );
  }

  // ---- optional: grow the folder to 100k and search again -------------------------
  let large: null | {
    count: number; seed: SeedStats; mbsyncMs: number; notmuchNewMs: number; postern: PosternRunResult;
    notmuchSearches: SearchTiming[];
  } = null;
  const lastRef = refs.at(-1);
  const lastOurs = ours.at(-1);
  if (opts.with100k && lastRef && lastOurs) {
    const extra = opts.largeCount - opts.messages;
    progress(`growing INBOX to ${opts.largeCount} messages (${extra} more)`);
    const seed = await seedCorpus(servers, user.user, { count: extra, firstIndex: opts.messages, seed: 7 });
    flushDisks();
    const mbsyncMs = await runMbsync(lastRef.mbsync);
    progress(`mbsync pulled ${extra} new messages in ${(mbsyncMs / 1000).toFixed(1)} s`);
    flushDisks();
    const notmuchNewMs = await notmuchNew(lastRef.notmuch);
    progress(`notmuch new indexed them in ${(notmuchNewMs / 1000).toFixed(1)} s`);
    const notmuchAtLarge = await notmuchSearches(lastRef.notmuch, opts.searchRepeats);
    const input: PosternRunInput = {
      mode: 'grow', label: `${opts.largeCount}`, account, workDir, profileDir: lastOurs.profileDir, accountId: lastOurs.accountId,
      expectMessages: opts.largeCount, searchRepeats: opts.searchRepeats, ...(profileDir ? { cpuProfileDir: profileDir } : {}),
    };
    const postern = await runChild<PosternRunResult>(posternRun, input, child);
    large = { count: opts.largeCount, seed, mbsyncMs, notmuchNewMs, postern, notmuchSearches: notmuchAtLarge };
  }

  // ---- report ---------------------------------------------------------------------
  const k = scaleLabel(opts.messages);
  const headerMs = median(headers.map((r) => r.headerSyncMs));
  const rawMs = median(raws.flat().map((r) => r.fetchMs));
  const fullMs = median(ours.map((r) => r.fullSyncMs));
  const mbsyncFullMs = median(refs.map((r) => r.mbsyncFullMs));
  const noopMs = median(ours.map((r) => r.noopMs ?? Number.NaN));
  const mbsyncNoopMs = median(refs.map((r) => r.mbsyncNoopMs));
  const noopKeptMs = median(ours.map((r) => r.noopKeptMs ?? Number.NaN));
  const ourSearch = searchMedians(ours.map((r) => r.searches));
  const notmuchSearch = searchMedians(refs.map((r) => r.searches));
  const rss = median(ours.map((r) => r.rssAfterSyncBytes));
  const maxStall = Math.max(...stalls.map((s) => s.maxMs));
  const p99Stall = median(stalls.map((s) => s.p99Ms));

  const rows: Row[] = [
    ratioRow(`header sync of ${k} (INBOX), list ready`, headerMs, rawMs, 4, '≤ 4× raw header FETCH'),
    ratioRow(`full offline sync of ${k} (bodies, index, durable)`, fullMs, mbsyncFullMs, 1, '≤ 1.0× mbsync (fsync on)'),
    ratioRow(`no-op resync of ${k}`, noopMs, mbsyncNoopMs, 1, '≤ 1.0× mbsync no-op'),
    {
      measure: `for reference: no-op resync of ${k} again, on the connection the engine kept`,
      postern: ms(noopKeptMs), reference: ms(mbsyncNoopMs), ratio: noopKeptMs / mbsyncNoopMs, target: '', pass: null,
    },
    ...searchRows(k, ourSearch, notmuchSearch, 20),
    {
      measure: `engine RSS after the ${k} sync (peak ${mb(median(ours.map((r) => r.maxRssBytes)))}, after a GC ${mb(median(ours.map((r) => r.rssAfterGcBytes ?? Number.NaN)))})`,
      postern: mb(rss), reference: '', ratio: null, target: '≤ 200 MB (at 100k)', pass: rss <= 200e6,
    },
    ...(stalls.length === 0 ? [] : [{
      measure: `UI thread during a ${k} sync: max delay (p99 ${ms(p99Stall)}); stalls > ${STALL_MS} ms (not seen by control)`,
      postern: `max ${ms(maxStall)}; ${stalls.reduce((n, s) => n + s.gaps.length, 0)} (${stalls.reduce((n, s) => n + s.unexplained.length, 0)})`,
      reference: `idle control: max ${ms(Math.max(...stalls.map((s) => s.controlMaxMs)))}; ${stalls.reduce((n, s) => n + s.controlGaps.length, 0)}`,
      ratio: null, target: `no stall over ${STALL_MS} ms`,
      // A stall the idle control process saw at the same moment was the machine's, not Postern's.
      pass: stalls.every((s) => s.unexplained.length === 0),
    }]),
    {
      measure: `for reference: notmuch new of ${k} vs Postern's full sync`,
      postern: ms(fullMs), reference: ms(median(refs.map((r) => r.notmuchNewMs))), ratio: fullMs / median(refs.map((r) => r.notmuchNewMs)), target: '', pass: null,
    },
  ];
  if (large) {
    const lk = scaleLabel(large.count);
    rows.push(
      {
        measure: `sync of the ${large.count - opts.messages} messages added to reach ${lk}`,
        postern: ms(large.postern.fullSyncMs), reference: ms(large.mbsyncMs), ratio: large.postern.fullSyncMs / large.mbsyncMs,
        target: '(mbsync, incremental)', pass: null,
      },
      ...searchRows(lk, searchMedians([large.postern.searches]), searchMedians([large.notmuchSearches]), 50),
      {
        measure: `engine RSS with ${lk} cached (after syncing to ${lk}; peak ${mb(large.postern.maxRssBytes)})`,
        postern: mb(large.postern.rssAfterSyncBytes), reference: '', ratio: null, target: '≤ 200 MB', pass: large.postern.rssAfterSyncBytes <= 200e6,
      },
    );
  }

  const profiles = profileDir ? await cpuProfiles(profileDir) : [];
  const table = formatTable(rows);
  process.stdout.write(
    `\nPostern sync/search benchmark: ${corpus.messages} messages (${mb(corpus.bytes)}), medians of ${opts.runs} runs, ` +
      `searches return the newest ${SEARCH_LIMIT}; load average ${loads.map((l) => l.loadavg[0]?.toFixed(1)).join(' → ')} on ${cpus().length} CPUs\n${table}\n` +
      `(ratio = Postern / reference; lower is better. Hits: Postern / notmuch; notmuch counts messages, stems words.)\n`,
  );

  const result = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, memoryBytes: totalmem(), loads },
    versions: versions(),
    options: opts,
    corpus,
    rows,
    medians: { headerMs, rawMs, fullMs, mbsyncFullMs, noopMs, noopKeptMs, mbsyncNoopMs, rssBytes: rss, maxStallMs: maxStall, p99StallMs: p99Stall, postern: ourSearch, notmuch: notmuchSearch },
    runs: {
      references: refs.map(({ mbsync: _m, notmuch: _n, ...r }) => r),
      rawFetches: raws,
      postern: ours,
      headers,
      stalls,
      large: large && { ...large, postern: large.postern },
    },
    cpuProfiles: profileDir ? { dir: profileDir, summaries: profiles } : null,
  };
  await mkdir(OUTPUT_DIR, { recursive: true });
  await writeFile(join(OUTPUT_DIR, 'sync.json'), `${JSON.stringify(result, null, 2)}\n`);
  progress(`results written to ${join(OUTPUT_DIR, 'sync.json')}`);
}

export async function main(scripts: BenchScripts): Promise<number> {
  const opts = options();
  const started = Date.now();
  progress('starting Dovecot and Postfix');
  const servers = await startServers();
  const workDir = await mkdtemp(join(tmpdir(), 'postern-bench-'));
  // Ctrl-C or a kill still stops the servers and removes the seeded mail.
  let cleaning: Promise<void> | null = null;
  const cleanup = (): Promise<void> => {
    cleaning ??= (async () => {
      killChildren();
      killCommands();
      await stopServers(servers).catch((err: unknown) => progress(`stopping the servers failed: ${String(err)}`));
      if (!opts.keep) await rm(workDir, { recursive: true, force: true });
      else progress(`kept ${workDir} and the server state`);
    })();
    return cleaning;
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    progress(`${signal}: cleaning up`);
    void cleanup().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    if (opts.keep) process.env['POSTERN_KEEP_SERVER_STATE'] = '1';
    await bench(servers, opts, workDir, scripts);
    return 0;
  } catch (err) {
    process.stderr.write(`benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    return 1;
  } finally {
    await cleanup();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    progress(`done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }
}
