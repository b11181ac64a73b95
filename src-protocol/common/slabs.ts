/**
 * Buffers reused batch after batch, for bytes that are held a short while
 * and then dropped together (a body download's batch of messages).
 *
 * Why: every message imapflow reads is a Buffer of its own, allocated by
 * malloc outside V8's heap and freed only when V8 collects the object that
 * holds it. A body batch is held across a few scavenges (fetched, written,
 * its words read), so its buffers are promoted to the old generation and
 * wait for a full GC, which V8 starts only when about 64 MB of them have
 * piled up. glibc's malloc keeps that high-water mark for the life of the
 * process: 60-80 MB of RSS after a 10k-message sync (heaptrack: ~2,300
 * message buffers alive at the peak, for two batches in use). Copying each
 * message into a slab as it arrives lets imapflow's buffer die young, freed
 * by the next scavenge, and the slabs are used again for the next batches.
 *
 * A slab handed out stays the caller's until it gives it back; whoever
 * gives it back must hold no view of it any more.
 */

/** Slabs are at least this big, so that batches of small messages share one. */
const MIN_SLAB_BYTES = 1024 * 1024;
/** Room over the first need, so that the next batch, a little bigger, fits. */
const HEADROOM = 1.25;
/** Slab sizes are whole multiples of this. */
const SLAB_ALIGN = 64 * 1024;

export class SlabPool {
  readonly #keep: number;
  readonly #maxKeepBytes: number;
  readonly #free: Buffer[] = [];

  /**
   * `keep`: how many slabs to hold between batches (the most batches in use
   * at once); `maxKeepBytes`: a bigger slab (a batch of large messages) is
   * used once and left to the GC, not held for the batches after it.
   */
  constructor(keep: number, maxKeepBytes: number) {
    this.#keep = keep;
    this.#maxKeepBytes = maxKeepBytes;
  }

  /** A slab of at least `bytes`: the smallest kept one that is big enough, else a new one. */
  take(bytes: number): Buffer {
    // Kept biggest first: the last one that fits is the smallest.
    const i = this.#free.findLastIndex((s) => s.length >= bytes);
    if (i >= 0) return this.#free.splice(i, 1)[0] as Buffer;
    const size = Math.ceil(Math.max(MIN_SLAB_BYTES, bytes * HEADROOM) / SLAB_ALIGN) * SLAB_ALIGN;
    // Not from Node's shared pool: a slab is one allocation of its own.
    return Buffer.allocUnsafeSlow(size);
  }

  /** Takes a slab back for later batches; the biggest `keep` not over the bound are kept, the rest left to the GC. */
  give(slab: Buffer): void {
    if (slab.length > this.#maxKeepBytes) return;
    this.#free.push(slab);
    this.#free.sort((a, b) => b.length - a.length);
    this.#free.length = Math.min(this.#free.length, this.#keep);
  }

  /** Lets go of every kept slab (the download is over). */
  clear(): void {
    this.#free.length = 0;
  }
}

/** Fills one slab front to back with copies of the buffers it is given. */
export class SlabFill {
  readonly #slab: Buffer;
  #used = 0;

  constructor(slab: Buffer) {
    this.#slab = slab;
  }

  /**
   * A copy of `bytes` in the slab (a view of it), or `bytes` itself when it
   * does not fit: a message bigger than announced still arrives whole.
   */
  hold(bytes: Buffer): Buffer {
    const end = this.#used + bytes.length;
    if (end > this.#slab.length) return bytes;
    bytes.copy(this.#slab, this.#used);
    const view = this.#slab.subarray(this.#used, end);
    this.#used = end;
    return view;
  }
}

/**
 * Gives the memory behind `buffer` back to malloc now, by detaching it
 * (ES2024 transfer(0)), instead of when a GC finds it dead: what malloc
 * holds meanwhile raises the high-water mark glibc keeps for the life of
 * the process. Every view of it reads as empty afterwards: only for a
 * buffer nobody else uses.
 */
export function detach(buffer: ArrayBuffer): void {
  const b = buffer as Es2024ArrayBuffer;
  if (!b.detached) b.transfer(0);
}

/** `bytes` spans the whole of its ArrayBuffer: a buffer of its own, not a view of Node's shared pool or of a slab. */
export function ownsItsBuffer(bytes: Uint8Array): boolean {
  return bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && bytes.buffer instanceof ArrayBuffer;
}

/** ArrayBuffer's ES2024 members (Node 24 has them; the project's lib is ES2023). */
type Es2024ArrayBuffer = ArrayBuffer & { readonly detached: boolean; transfer(length: number): ArrayBuffer };
