/**
 * Gives memory back after a sync has downloaded hundreds of MB of messages.
 *
 * Why: V8 keeps heap pages it no longer uses after a long burst of
 * allocation (a 100k-message body download: about 100 MB of RSS beyond
 * what the heap holds), and hands them back only when idle for a while or
 * after a last-resort GC. One such GC at the end of a big download (~100 ms)
 * takes the engine's RSS from ~300 MB to ~200 MB at 100k messages.
 *
 * What glibc's malloc kept of freed message buffers is handled at the
 * source instead (common/slabs.ts): a full GC every few MB of bodies did
 * cap it too, but measured at 100k it cost 28-35% more CPU.
 *
 * The engine runs without --expose-gc (in the app it is a worker thread,
 * whose V8 flags are the process's), so the collector is fetched once by
 * turning the flag on for one new context, then off again.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's gc extension; options it does not know are ignored (a regular full GC). */
type Collect = (options?: { type: 'major'; flavor: 'last-resort' }) => void;

let collect: Collect | null | undefined;

function collector(): Collect | null {
  if (collect !== undefined) return collect;
  const exposed = (globalThis as { gc?: unknown }).gc;
  if (typeof exposed === 'function') return (collect = exposed as Collect);
  try {
    setFlagsFromString('--expose-gc');
    const fn: unknown = runInNewContext('gc');
    collect = typeof fn === 'function' ? (fn as Collect) : null;
  } catch {
    collect = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return collect;
}

/** Counts the bytes one download stored; a big download ends with one last-resort GC. */
export class GarbageReleaser {
  readonly #bigBytes: number;
  #total = 0;

  /** `bigBytes`: a download of at least this many bytes ends with the GC. */
  constructor(bigBytes: number) {
    this.#bigBytes = bigBytes;
  }

  /** `bytes` of bodies are stored; the caller no longer holds them. */
  released(bytes: number): void {
    this.#total += bytes;
  }

  /** The download is over: if it was a big one, V8's spare pages go back (one GC, ~100 ms). */
  finish(): void {
    if (this.#total < this.#bigBytes) return;
    this.#total = 0;
    collector()?.({ type: 'major', flavor: 'last-resort' });
  }
}
