/**
 * `postern parse FILE... --out DIR`: the message model of many files, one
 * JSON file each. A file that cannot be read at all gets {error} instead;
 * one bad file never stops the others.
 */
import { readFile, mkdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseMessage } from '../mime/parse.ts';
import { writeFileAtomic } from '../common/atomic-file.ts';

export interface ParseFilesSummary {
  parsed: number;
  failed: number;
  out: string;
}

export async function parseFilesTo(files: string[], outDir: string, onProgress: (done: number, total: number) => void): Promise<ParseFilesSummary> {
  await mkdir(outDir, { recursive: true });
  const used = new Set<string>();
  let parsed = 0;
  let failed = 0;
  for (const [i, file] of files.entries()) {
    const name = uniqueName(basename(file, extname(file)) || 'message', used);
    let result: unknown;
    try {
      const raw = await readFile(file);
      const started = performance.now();
      const model = await parseMessage(raw);
      result = { ...model, parse_ms: Math.round((performance.now() - started) * 1000) / 1000 };
      parsed++;
    } catch (err) {
      result = { error: err instanceof Error ? err.message : String(err) };
      failed++;
    }
    await writeFileAtomic(join(outDir, `${name}.json`), JSON.stringify(result, null, 2) + '\n', 0o644);
    if ((i + 1) % 100 === 0 || i + 1 === files.length) onProgress(i + 1, files.length);
  }
  return { parsed, failed, out: outDir };
}

/** a.eml and a.txt both become a.json: the second is numbered. */
function uniqueName(base: string, used: Set<string>): string {
  let name = base;
  for (let n = 2; used.has(name); n++) name = `${base}-${n}`;
  used.add(name);
  return name;
}
