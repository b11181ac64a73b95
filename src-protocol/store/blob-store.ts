/**
 * Raw messages as files named by their SHA-256, written durably (temp file,
 * fsync, rename, fsync of the folder) so that a crash never leaves a torn
 * message behind and the same bytes are stored once.
 *
 * putMany() stores a batch at once: the files are written and fsynced side
 * by side (the disk does several at once), then renamed, then each folder
 * they landed in is fsynced once for the whole batch. Only when it resolves
 * are the files durable; callers record the hashes after that, never before.
 */
import { createHash, randomBytes } from 'node:crypto';
import { statSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { PosternError } from '../common/errors.ts';

export class BlobStore {
  readonly #root: string;

  /** Shard folders known to exist and be durable in the root (so no mkdir per message). */
  readonly #shards = new Set<string>();

  constructor(root: string) {
    this.#root = root;
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new PosternError('BAD_INPUT', 'Not a message hash.');
    return join(this.#root, sha256.slice(0, 2), sha256.slice(2));
  }

  async put(bytes: Buffer): Promise<string> {
    return (await this.putMany([bytes]))[0] as string;
  }

  /** Stores each buffer; returns their hashes in the same order once every file is durable. */
  async putMany(items: readonly Buffer[]): Promise<string[]> {
    const shas = items.map((bytes) => createHash('sha256').update(bytes).digest('hex'));
    // Bytes already stored (the same message in two folders) are not written again.
    // A synchronous stat that does not throw: an exception per new message costs more than the lookup.
    try {
      const todo = new Map<string, Buffer>();
      shas.forEach((sha, i) => {
        if (!todo.has(sha) && !statSync(this.pathOf(sha), { throwIfNoEntry: false })) todo.set(sha, items[i] as Buffer);
      });
      if (todo.size === 0) return shas;
      const dirs = new Set([...todo.keys()].map((sha) => sha.slice(0, 2)));
      await Promise.all([...dirs].map((d) => this.#ensureShard(d)));
      const written = await Promise.allSettled([...todo].map(async ([sha, bytes]) => ({ sha, tmp: await writeSynced(join(this.#root, sha.slice(0, 2)), bytes) })));
      const failed = written.find((w) => w.status === 'rejected');
      if (failed) {
        // No half-done batch leaves temp files behind.
        await Promise.all(written.map((w) => (w.status === 'fulfilled' ? rm(w.value.tmp, { force: true }) : undefined)));
        throw failed.reason;
      }
      await Promise.all(written.map((w) => (w.status === 'fulfilled' ? rename(w.value.tmp, this.pathOf(w.value.sha)) : undefined)));
      await Promise.all([...dirs].map((d) => syncDir(join(this.#root, d))));
    } catch (err) {
      throw new PosternError('STORAGE', `A message could not be saved on disk: ${(err as Error).message}`, { cause: err });
    }
    return shas;
  }

  async get(sha256: string): Promise<Buffer> {
    const path = this.pathOf(sha256);
    try {
      return await readFile(path);
    } catch (err) {
      throw new PosternError('NOT_FOUND', 'The stored copy of this message is missing.', { cause: err });
    }
  }

  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  async #ensureShard(shard: string): Promise<void> {
    if (this.#shards.has(shard)) return;
    const created = await mkdir(join(this.#root, shard), { recursive: true });
    // A folder just made exists for sure only once its parent is synced too.
    if (created !== undefined) await syncDir(this.#root);
    this.#shards.add(shard);
  }
}

/** Writes `bytes` to a new temp file in `dir` and fsyncs it; returns its path. */
async function writeSynced(dir: string, bytes: Buffer): Promise<string> {
  const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
  const fh = await open(tmp, 'wx', 0o600);
  try {
    await fh.writeFile(bytes);
    await fh.sync();
  } catch (err) {
    await fh.close();
    await rm(tmp, { force: true });
    throw err;
  }
  await fh.close();
  return tmp;
}

async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
