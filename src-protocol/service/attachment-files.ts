/**
 * Attachments as files on the person's disk: "Open" (saved where Postern
 * keeps opened attachments, read-only, then handed to the system's
 * application) and "Save all" (every attachment into one folder). Names come
 * from safeFileName (a stranger's name never leaves the folder), and nothing
 * already there is overwritten: a taken name gets " (2)".
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readdir, rm, stat } from 'node:fs/promises';
import { extname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { PosternError } from '../common/errors.ts';
import { LIMITS } from '../common/limits.ts';
import { sniffType } from '../mime/attachment-type.ts';

/** Extensions that run code when opened: Postern saves these but never opens them itself. */
const RUNS_CODE = new Set([
  'exe', 'com', 'bat', 'cmd', 'scr', 'pif', 'msi', 'msp', 'mst', 'cpl', 'msc', 'hta', 'jar', 'js', 'jse', 'vbs', 'vbe', 'wsf', 'wsh', 'ws',
  'ps1', 'psm1', 'psd1', 'lnk', 'reg', 'inf', 'scf', 'url', 'application', 'appref-ms', 'gadget', 'settingcontent-ms', 'library-ms',
  'sh', 'bash', 'zsh', 'csh', 'ksh', 'command', 'tool', 'app', 'pkg', 'mpkg', 'desktop', 'run', 'appimage', 'deb', 'rpm', 'py', 'pyw', 'pl', 'rb',
  'applescript', 'scpt', 'workflow', 'iso', 'img', 'vhd', 'vhdx', 'xll', 'chm', 'ade', 'adp', 'mde', 'accde',
]);
const EXECUTABLE_TYPES = new Set(['application/x-msdownload', 'application/x-executable']);

/** Why Postern will not open this attachment itself, or null when it may. */
export function refusalToOpen(name: string, content: Uint8Array): string | null {
  const ext = extname(name).slice(1).toLowerCase();
  const sniffed = sniffType(content);
  if (RUNS_CODE.has(ext) || (sniffed !== undefined && EXECUTABLE_TYPES.has(sniffed))) {
    return `"${name}" is a program or script; Postern does not open those. Save it, and open it yourself only if you trust the sender.`;
  }
  return null;
}

/**
 * Writes what `write` puts into the stream it is given (and ends) as `name`
 * in `dir`, without replacing anything: "a.pdf", else "a (2).pdf", … For an
 * attachment decoded as it is written (mime/parse.ts writeAttachment), so a
 * large one is never whole in memory. The file is flushed to disk before it
 * counts as saved; on failure nothing is left behind.
 */
export async function writeNewStreamed(dir: string, name: string, write: (out: Writable) => Promise<unknown>, mode = 0o600): Promise<string> {
  const ext = extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; n <= LIMITS.maxSaveNameAttempts; n++) {
    const path = join(dir, n === 1 ? name : `${stem} (${n})${ext}`);
    let handle;
    try {
      handle = await open(path, 'wx', mode);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue;
      throw new PosternError('STORAGE', `Could not save ${path}: ${(err as Error).message}`, { cause: err });
    }
    // Closes the handle when it ends (or is destroyed), after an fsync (flush).
    const out = handle.createWriteStream({ flush: true });
    try {
      await write(out);
      await finished(out);
    } catch (err) {
      out.destroy();
      await handle.close().catch(() => undefined);
      await rm(path, { force: true });
      if (err instanceof PosternError && err.code !== 'STORAGE') throw err;
      throw new PosternError('STORAGE', `Could not save ${path}: ${(err as Error).message}`, { cause: err });
    }
    return path;
  }
  throw new PosternError('STORAGE', `Could not find a free name for ${name} in ${dir}.`);
}

/** Writes `content` as `name` in `dir` without replacing anything: "a.pdf", else "a (2).pdf", … */
export function writeNew(dir: string, name: string, content: Uint8Array, mode = 0o600): Promise<string> {
  return writeNewStreamed(dir, name, async (out) => {
    out.end(content);
  }, mode);
}

/**
 * Saves an attachment to open it: a folder of its own under `openedDir`
 * (so the name is the sender's, cleaned), read-only so that edits are not
 * mistaken for changes to the mail.
 */
export async function saveForOpening(openedDir: string, name: string, content: Uint8Array): Promise<string> {
  const refusal = refusalToOpen(name, content);
  if (refusal) throw new PosternError('FORBIDDEN', refusal);
  const dir = join(openedDir, randomBytes(6).toString('hex'));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = await writeNew(dir, name, content, 0o600);
  await chmod(path, 0o400);
  return path;
}

/** Removes what was opened more than `maxAgeMs` ago (the viewer has long had its copy). */
export async function pruneOpened(openedDir: string, maxAgeMs: number, now = Date.now()): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(openedDir);
  } catch {
    return;
  }
  for (const entry of entries) {
    const dir = join(openedDir, entry);
    try {
      if (now - (await stat(dir)).mtimeMs > maxAgeMs) await rm(dir, { recursive: true, force: true });
    } catch {
      // Gone already, or in use: the next start tries again.
    }
  }
}

/** One attachment to save: its name, and what writes its bytes into a stream (and ends it), saying how many. */
export interface AttachmentToSave {
  name: string;
  write: (out: Writable) => Promise<{ size: number }>;
}

/** Saves every attachment into `dir` (made if missing), each under a name not yet taken there, one at a time. */
export async function saveAll(dir: string, attachments: AsyncIterable<AttachmentToSave>): Promise<{ path: string; size: number }[]> {
  await mkdir(dir, { recursive: true });
  const saved: { path: string; size: number }[] = [];
  for await (const a of attachments) {
    let size = 0;
    const path = await writeNewStreamed(dir, a.name, async (out) => ({ size } = await a.write(out)), 0o644);
    saved.push({ path, size });
  }
  return saved;
}
