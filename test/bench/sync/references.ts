/**
 * One run of the references, measured on the same servers and corpus as
 * Postern: a raw header FETCH, mbsync's full download and no-op resync into
 * a fresh Maildir, and notmuch indexing that Maildir and searching it.
 */
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestServers, TestUser } from '../../servers/harness.ts';
import { prepareMbsync, runMbsync, type MbsyncTarget } from './mbsync.ts';
import { notmuchCount, notmuchNew, notmuchSearch, prepareNotmuch, type Notmuch } from './notmuch.ts';
import { QUERIES, SEARCH_LIMIT } from './queries.ts';
import { rawHeaderFetch, type RawFetchResult } from './raw-imap.ts';
import { flushDisks, median, progress } from './timing.ts';
import type { SearchTiming } from './postern-run.ts';

export interface ReferenceRun {
  mbsyncFullMs: number;
  mbsyncNoopMs: number;
  notmuchNewMs: number;
  searches: SearchTiming[];
  mbsync: MbsyncTarget;
  notmuch: Notmuch;
}

export async function rawFetchOnce(servers: TestServers, user: TestUser): Promise<RawFetchResult> {
  return rawHeaderFetch({ host: servers.host, port: servers.ports.imaps, caPem: servers.caPem, user: user.user, password: user.password });
}

/**
 * The raw header FETCH, `times` times in a row, taken right before Postern's
 * header sync of the same run: the two then meet the machine in the same
 * state. One FETCH alone, taken before a minute of mbsync and notmuch,
 * ranged from 112 to 264 ms between runs of one benchmark.
 */
export async function rawFetchesBeside(servers: TestServers, user: TestUser, run: number, times: number): Promise<RawFetchResult[]> {
  flushDisks();
  const out: RawFetchResult[] = [];
  for (let i = 0; i < times; i++) out.push(await rawFetchOnce(servers, user));
  const first = out[0];
  progress(`run ${run}: raw header FETCH ${out.map((r) => r.fetchMs.toFixed(0)).join(' / ')} ms` +
    (first ? ` (${first.messages} messages, ${(first.bytes / 1e6).toFixed(1)} MB)` : ''));
  return out;
}

export async function notmuchSearches(notmuch: Notmuch, repeats: number): Promise<SearchTiming[]> {
  const out: SearchTiming[] = [];
  for (const q of QUERIES) {
    const runsMs: number[] = [];
    for (let i = 0; i < repeats; i++) runsMs.push((await notmuchSearch(notmuch, q.notmuch, SEARCH_LIMIT)).ms);
    out.push({ name: q.name, query: q.notmuch, runsMs, medianMs: median(runsMs), hits: await notmuchCount(notmuch, q.notmuch) });
  }
  return out;
}

export async function referenceRun(servers: TestServers, user: TestUser, workDir: string, run: number, searchRepeats: number): Promise<ReferenceRun> {
  const tag = `reference run ${run}`;
  const mbsync = await prepareMbsync(await mkdtemp(join(workDir, `mbsync-${run}-`)), {
    port: servers.ports.imaps, caFile: servers.caFile, user: user.user, password: user.password,
  });
  flushDisks();
  const mbsyncFullMs = await runMbsync(mbsync);
  progress(`${tag}: mbsync full download ${(mbsyncFullMs / 1000).toFixed(2)} s`);
  // mbsync's Maildir driver sleeps 1 s when a folder changed within the
  // current second; a real resync comes long after the last change.
  await sleep(1100);
  flushDisks();
  const mbsyncNoopMs = await runMbsync(mbsync);
  progress(`${tag}: mbsync no-op resync ${mbsyncNoopMs.toFixed(0)} ms`);

  const notmuch = await prepareNotmuch(await mkdtemp(join(workDir, `notmuch-${run}-`)), mbsync.maildir);
  flushDisks();
  const notmuchNewMs = await notmuchNew(notmuch);
  progress(`${tag}: notmuch new ${(notmuchNewMs / 1000).toFixed(1)} s`);
  const searches = await notmuchSearches(notmuch, searchRepeats);
  progress(`${tag}: notmuch searches ${searches.map((s) => `${s.name} ${s.medianMs.toFixed(0)} ms`).join(', ')}`);
  return { mbsyncFullMs, mbsyncNoopMs, notmuchNewMs, searches, mbsync, notmuch };
}
