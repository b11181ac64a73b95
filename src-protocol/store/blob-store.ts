/**
 * Raw messages, named by their SHA-256, written durably (temp file, fsync,
 * rename, fsync of the folder) so that a crash never leaves a torn message
 * behind and the same bytes are stored once.
 *
 * Two layouts. put() writes a file of its own per message (`ab/cdef…`).
 * putMany(), the body download's batch, writes the batch's messages of up
 * to LIMITS.readWholeMessageBytes into one pack file (`packs/<random>.pack`,
 * the messages back to back) with one fsync, instead of a file, an fsync
 * and a rename per message: for a 10k download that was 2.5-2.9 s of the
 * thread pool's CPU. Bigger messages still get a file of their own, so that
 * a message read in chunks (mime/raw-source.ts) is always a whole file.
 *
 * Where a packed message sits (pack, offset, length) is recorded by the
 * caller in the database (MailStore.storeBodies, table blob_packs), in the
 * same transaction that points a row at the message: so a row never
 * points at bytes that are not durable, and the location is never lost
 * while a row needs it. A pack written just before a crash, before its
 * transaction, is never referred to. store/blob-reclaim.ts gives back the
 * space of messages nothing refers to any more, and of such packs: the
 * methods it uses (scan, the delete…IfOlder) never touch a file written
 * within its grace period.
 */
import { createHash, randomBytes } from 'node:crypto';
import { statSync, unlinkSync } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PosternError } from '../common/errors.ts';
import { LIMITS } from '../common/limits.ts';

/** Where a packed message's bytes are. */
export interface PackedAt {
  pack: string;
  offset: number;
  length: number;
}

/** What the database records of packed messages (MailStore implements it). */
export interface PackIndex {
  packedAt(sha256: string): PackedAt | null;
  /** Marked for deletion (store/blob-reclaim.ts): a copy found on disk is not to be trusted to stay. */
  isDoomed(sha256: string): boolean;
}

/** What the blob folder holds, for the reclaimer. */
export interface BlobScan {
  /** Hashes of messages with a file of their own. */
  loose: string[];
  /** Pack file names. */
  packs: string[];
  /** Temp files (a write cut by a crash leaves one), as paths. */
  temps: string[];
}

/** One message of a putMany(): its hash and, when it went into a pack, where (to be recorded with its row). */
export interface PutResult {
  sha256: string;
  packed: PackedAt | null;
}

const PACKS = 'packs';
const SHARD = /^[0-9a-f]{2}$/;
const LOOSE_NAME = /^[0-9a-f]{62}$/;
const PACK_NAME = /^[0-9a-f]{24}\.pack$/;
const TEMP_NAME = /^\.tmp-[0-9a-f]{12}$/;

export class BlobStore {
  readonly #root: string;
  readonly #index: PackIndex;

  /** Folders (shards and the pack folder) known to exist and be durable in the root (so no mkdir per message). */
  readonly #folders = new Set<string>();

  constructor(root: string, index: PackIndex) {
    this.#root = root;
    this.#index = index;
  }

  /** The path a message has when stored in a file of its own. */
  pathOf(sha256: string): string {
    checkHash(sha256);
    return join(this.#root, sha256.slice(0, 2), sha256.slice(2));
  }

  /** The message's own file, or null when it sits in a pack (read it with get()). */
  looseFile(sha256: string): string | null {
    checkHash(sha256);
    return this.#index.packedAt(sha256) ? null : this.pathOf(sha256);
  }

  async put(bytes: Buffer): Promise<string> {
    const sha = hash(bytes);
    if (this.#storedOrThrow(sha) === undefined) await this.#writeLoose([[sha, bytes]]);
    return sha;
  }

  /**
   * Stores a batch; answers in the same order once every message is
   * durable. A message already stored answers where it is.
   */
  async putMany(items: readonly Buffer[]): Promise<PutResult[]> {
    const shas = items.map(hash);
    const known = new Map<string, PackedAt | null>();
    const loose = new Map<string, Buffer>();
    const packed = new Map<string, Buffer>();
    shas.forEach((sha, i) => {
      if (known.has(sha) || loose.has(sha) || packed.has(sha)) return;
      const stored = this.#storedOrThrow(sha);
      if (stored !== undefined) known.set(sha, stored);
      else if ((items[i] as Buffer).length > LIMITS.readWholeMessageBytes) loose.set(sha, items[i] as Buffer);
      else packed.set(sha, items[i] as Buffer);
    });
    // A pack of one is no cheaper than a file of its own.
    if (packed.size === 1) for (const [sha, bytes] of packed) loose.set(sha, bytes);
    const [locations] = await Promise.all([
      packed.size > 1 ? this.#writePack([...packed]) : new Map<string, PackedAt>(),
      this.#writeLoose([...loose]),
    ]);
    return shas.map((sha) => ({ sha256: sha, packed: known.get(sha) ?? locations.get(sha) ?? null }));
  }

  async get(sha256: string): Promise<Buffer> {
    checkHash(sha256);
    const packed = this.#index.packedAt(sha256);
    try {
      return packed ? await this.#readPacked(packed) : await readFile(this.pathOf(sha256));
    } catch (err) {
      if (err instanceof PosternError) throw err;
      throw new PosternError('NOT_FOUND', 'The stored copy of this message is missing.', { cause: err });
    }
  }

  /** Deletes a message's own file; a packed copy stays in its pack. */
  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Lists what is stored, by name only; anything else in the folder is left alone. */
  async scan(): Promise<BlobScan> {
    const out: BlobScan = { loose: [], packs: [], temps: [] };
    const top = await readdir(this.#root, { withFileTypes: true }).catch(missingAsEmpty);
    for (const entry of top) {
      if (!entry.isDirectory() || !(SHARD.test(entry.name) || entry.name === PACKS)) continue;
      const folder = join(this.#root, entry.name);
      for (const name of await readdir(folder).catch(missingAsEmpty)) {
        if (TEMP_NAME.test(name)) out.temps.push(join(folder, name));
        else if (entry.name === PACKS) {
          if (PACK_NAME.test(name)) out.packs.push(name);
        } else if (LOOSE_NAME.test(name)) out.loose.push(entry.name + name);
      }
    }
    return out;
  }

  /** When a message's own file was last written (ms), or null when it has none. */
  looseWrittenMs(sha256: string): number | null {
    return statSync(this.pathOf(sha256), { throwIfNoEntry: false })?.mtimeMs ?? null;
  }

  /**
   * Deletes a message's own file unless it was written after `beforeMs`
   * (a writer stored it again meanwhile); answers the bytes freed.
   * Synchronous: the reclaimer calls it inside the transaction that drops
   * the message's mark.
   */
  deleteLooseIfOlder(sha256: string, beforeMs: number): number {
    return deleteIfOlder(this.pathOf(sha256), beforeMs);
  }

  /** Deletes a pack unless it was written after `beforeMs`; answers the bytes freed. */
  deletePackIfOlder(name: string, beforeMs: number): number {
    if (!PACK_NAME.test(name)) throw new PosternError('BAD_INPUT', 'Not a pack file name.');
    return deleteIfOlder(join(this.#root, PACKS, name), beforeMs);
  }

  /** When a pack was written (ms), or null when it is not there. */
  packWrittenMs(name: string): number | null {
    if (!PACK_NAME.test(name)) throw new PosternError('BAD_INPUT', 'Not a pack file name.');
    return statSync(join(this.#root, PACKS, name), { throwIfNoEntry: false })?.mtimeMs ?? null;
  }

  /** A pack's size on disk in bytes, or null when it is not there. */
  packBytes(name: string): number | null {
    if (!PACK_NAME.test(name)) throw new PosternError('BAD_INPUT', 'Not a pack file name.');
    return statSync(join(this.#root, PACKS, name), { throwIfNoEntry: false })?.size ?? null;
  }

  /**
   * Copies the given messages of a pack into a new pack, durable before it
   * resolves with where each one is now. The old pack is left as it is:
   * whoever records the new locations (store/blob-reclaim.ts) deletes it
   * once nothing names it. Null when the old pack cannot be read whole
   * (missing, cut short): nothing is written then.
   */
  async repack(from: string, items: readonly { sha256: string; offset: number; length: number }[]): Promise<Map<string, PackedAt> | null> {
    let bytes: Buffer[];
    try {
      bytes = await this.#readFromPack(from, items);
    } catch {
      return null;
    }
    return this.#writePack(items.map((item, i) => [item.sha256, bytes[i] as Buffer]));
  }

  /** Deletes a temp file scan() found, unless it was written after `beforeMs` (a write under way). */
  deleteTempIfOlder(path: string, beforeMs: number): number {
    if (!TEMP_NAME.test(basenameOf(path)) || !path.startsWith(this.#root)) throw new PosternError('BAD_INPUT', 'Not a temp file of the message store.');
    return deleteIfOlder(path, beforeMs);
  }

  /** Where a message is already: its pack, null for a file of its own, undefined when not stored. */
  #storedOrThrow(sha256: string): PackedAt | null | undefined {
    try {
      const packed = this.#index.packedAt(sha256);
      if (packed) return packed;
      // A synchronous stat that does not throw when the file is missing: an exception per new message costs more than the lookup.
      if (!statSync(this.pathOf(sha256), { throwIfNoEntry: false })) return undefined;
      // Marked for deletion: written again (same bytes, a new file time), so the reclaimer keeps it.
      return this.#index.isDoomed(sha256) ? undefined : null;
    } catch (err) {
      // E.g. the store's folder is a file: nothing can be stored here.
      throw storageError(err);
    }
  }

  async #writeLoose(items: [string, Buffer][]): Promise<void> {
    if (items.length === 0) return;
    try {
      const dirs = new Set(items.map(([sha]) => sha.slice(0, 2)));
      await Promise.all([...dirs].map((d) => this.#ensureFolder(d)));
      const written = await Promise.allSettled(items.map(async ([sha, bytes]) => ({ sha, tmp: await writeSynced(join(this.#root, sha.slice(0, 2)), [bytes]) })));
      const failed = written.find((w) => w.status === 'rejected');
      if (failed) {
        // No half-done batch leaves temp files behind.
        await Promise.all(written.map((w) => (w.status === 'fulfilled' ? rm(w.value.tmp, { force: true }) : undefined)));
        throw failed.reason;
      }
      await Promise.all(written.map((w) => (w.status === 'fulfilled' ? rename(w.value.tmp, this.pathOf(w.value.sha)) : undefined)));
      await Promise.all([...dirs].map((d) => syncDir(join(this.#root, d))));
    } catch (err) {
      throw storageError(err);
    }
  }

  /** One file with the messages back to back, durable before it resolves with where each one is. */
  async #writePack(items: [string, Buffer][]): Promise<Map<string, PackedAt>> {
    const pack = `${randomBytes(12).toString('hex')}.pack`;
    const locations = new Map<string, PackedAt>();
    let offset = 0;
    for (const [sha, bytes] of items) {
      locations.set(sha, { pack, offset, length: bytes.length });
      offset += bytes.length;
    }
    try {
      await this.#ensureFolder(PACKS);
      const folder = join(this.#root, PACKS);
      const tmp = await writeSynced(folder, items.map(([, bytes]) => bytes));
      await rename(tmp, join(folder, pack));
      await syncDir(folder);
    } catch (err) {
      throw storageError(err);
    }
    return locations;
  }

  async #readPacked(at: PackedAt): Promise<Buffer> {
    return (await this.#readFromPack(at.pack, [at]))[0] as Buffer;
  }

  /** Several messages of one pack, with the file opened once. */
  async #readFromPack(pack: string, items: readonly { offset: number; length: number }[]): Promise<Buffer[]> {
    if (!PACK_NAME.test(pack)) throw new PosternError('STORAGE', 'The stored location of this message is not valid.');
    const fh = await open(join(this.#root, PACKS, pack), 'r');
    try {
      const out: Buffer[] = [];
      for (const at of items) {
        const bytes = Buffer.allocUnsafe(at.length);
        const { bytesRead } = await fh.read(bytes, 0, at.length, at.offset);
        if (bytesRead !== at.length) throw new PosternError('STORAGE', 'The stored copy of this message is cut short.');
        out.push(bytes);
      }
      return out;
    } finally {
      await fh.close();
    }
  }

  async #ensureFolder(name: string): Promise<void> {
    if (this.#folders.has(name)) return;
    const created = await mkdir(join(this.#root, name), { recursive: true });
    // A folder just made exists for sure only once its parent is synced too.
    if (created !== undefined) await syncDir(this.#root);
    this.#folders.add(name);
  }
}

function deleteIfOlder(path: string, beforeMs: number): number {
  const st = statSync(path, { throwIfNoEntry: false });
  if (!st || st.mtimeMs > beforeMs) return 0;
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return 0;
    throw new PosternError('STORAGE', `A stored message could not be deleted: ${(err as Error).message}`, { cause: err });
  }
  return st.size;
}

function basenameOf(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function missingAsEmpty(err: unknown): never[] {
  if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
  throw new PosternError('STORAGE', `The message store's folder could not be read: ${(err as Error).message}`, { cause: err });
}

function hash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function checkHash(sha256: string): void {
  if (!/^[0-9a-f]{64}$/.test(sha256)) throw new PosternError('BAD_INPUT', 'Not a message hash.');
}

function storageError(err: unknown): PosternError {
  return new PosternError('STORAGE', `A message could not be saved on disk: ${(err as Error).message}`, { cause: err });
}

/** Writes `parts` one after another to a new temp file in `dir` and fsyncs it; returns its path. */
async function writeSynced(dir: string, parts: Buffer[]): Promise<string> {
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    for (let i = 0; i < parts.length; i += WRITEV_MAX) await writeAll(fh, parts.slice(i, i + WRITEV_MAX));
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  return tmp;
}

/** writev() takes at most IOV_MAX (1024 on Linux) buffers at once. */
const WRITEV_MAX = 512;

/** writev until every byte is written (a short write goes on where it stopped). */
async function writeAll(fh: FileHandle, parts: Buffer[]): Promise<void> {
  let pending = parts.filter((p) => p.length > 0);
  while (pending.length > 0) {
    let { bytesWritten } = await fh.writev(pending);
    while (pending.length > 0 && bytesWritten >= (pending[0] as Buffer).length) {
      bytesWritten -= (pending[0] as Buffer).length;
      pending = pending.slice(1);
    }
    if (bytesWritten > 0) pending = [(pending[0] as Buffer).subarray(bytesWritten), ...pending.slice(1)];
  }
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
