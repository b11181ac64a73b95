/**
 * Summarises a V8 .cpuprofile (from `node --cpu-prof`): the functions with
 * the most self time, and self time per source file, so hot spots can be
 * read without DevTools.
 *
 *   node test/bench/sync/cpu-profile.ts FILE.cpuprofile [--top 25] [--callers NAME]
 *
 * --callers NAME: whose calls of the function NAME (e.g. a native `get`)
 * the self time belongs to, by the nearest caller in our own code.
 */
import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface HotSpot {
  name: string;
  where: string;
  selfMs: number;
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  functions: HotSpot[];
  files: { file: string; selfMs: number; share: number }[];
}

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));

function shortUrl(url: string): string {
  if (url === '') return '(native)';
  const path = url.startsWith('file://') ? fileURLToPath(url) : url;
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

export function summariseProfile(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const totalUs = profile.endTime - profile.startTime;

  const perFunction = new Map<string, HotSpot>();
  const perFile = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    const where = `${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
    // V8 names regular-expression frames by their whole source; keep the start.
    const full = frame.functionName || '(anonymous)';
    const name = full.length > 80 ? `${full.slice(0, 77)}...` : full;
    const key = `${name} ${where}`;
    const spot = perFunction.get(key) ?? { name, where, selfMs: 0, share: 0 };
    spot.selfMs += us / 1000;
    perFunction.set(key, spot);
    const file = frame.url === '' ? `(${name})` : shortUrl(frame.url);
    perFile.set(file, (perFile.get(file) ?? 0) + us / 1000);
  }
  const totalMs = totalUs / 1000;
  const functions = [...perFunction.values()]
    .sort((a, b) => b.selfMs - a.selfMs)
    .slice(0, top)
    .map((s) => ({ ...s, share: s.selfMs / totalMs }));
  const files = [...perFile.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([file, selfMs]) => ({ file, selfMs, share: selfMs / totalMs }));
  return { totalMs, functions, files };
}

/**
 * Self time of the functions called `name`, grouped by their nearest
 * caller in src-protocol/ or test/ (native and library frames are skipped).
 */
export function callersOf(profile: CpuProfile, name: string): { caller: string; selfMs: number }[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const selfUs = new Map<number, number>();
  profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const out = new Map<string, number>();
  for (const [id, us] of selfUs) {
    if (byId.get(id)?.callFrame.functionName !== name) continue;
    let caller = '(none of ours)';
    for (let p = parent.get(id); p !== undefined; p = parent.get(p)) {
      const frame = byId.get(p)?.callFrame;
      const where = frame ? shortUrl(frame.url) : '';
      if (frame && (where.startsWith('src-protocol/') || where.startsWith('test/'))) {
        caller = `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
        break;
      }
    }
    out.set(caller, (out.get(caller) ?? 0) + us / 1000);
  }
  return [...out.entries()].map(([caller, selfMs]) => ({ caller, selfMs })).sort((a, b) => b.selfMs - a.selfMs);
}

export function formatSummary(summary: ProfileSummary): string {
  const pct = (x: number): string => `${(x * 100).toFixed(1).padStart(5)}%`;
  const ms = (x: number): string => `${x.toFixed(0).padStart(7)} ms`;
  return [
    `profile: ${summary.totalMs.toFixed(0)} ms`,
    'self time by function:',
    ...summary.functions.map((f) => `  ${ms(f.selfMs)} ${pct(f.share)}  ${f.name}  ${f.where}`),
    'self time by file:',
    ...summary.files.map((f) => `  ${ms(f.selfMs)} ${pct(f.share)}  ${f.file}`),
  ].join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { top: { type: 'string', default: '25' }, callers: { type: 'string' } },
  });
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    if (values.callers) {
      const rows = callersOf(profile, values.callers).map((c) => `  ${c.selfMs.toFixed(0).padStart(7)} ms  ${c.caller}`);
      process.stdout.write(`${file}: self time of ${values.callers}, by caller\n${rows.join('\n')}\n`);
    } else {
      process.stdout.write(`${file}\n${formatSummary(summariseProfile(profile, Number(values.top)))}\n`);
    }
  }
}
