/**
 * Raw messages as files named by their SHA-256, written durably (temp file,
 * fsync, rename, fsync of the folder) so that a crash never leaves a torn
 * message behind and the same bytes are stored once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { PosternError } from '../common/errors.ts';

export class BlobStore {
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
  }

  pathOf(sha256: string): string {
    if (!/^[0-9a-f]{64}$/.test(sha256)) throw new PosternError('BAD_INPUT', 'Not a message hash.');
    return join(this.#root, sha256.slice(0, 2), sha256.slice(2));
  }

  async put(bytes: Buffer): Promise<string> {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathOf(sha);
    if (await exists(target)) return sha;
    const dir = join(this.#root, sha.slice(0, 2));
    try {
      await mkdir(dir, { recursive: true });
      const tmp = join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
      const fh = await open(tmp, 'wx', 0o600);
      try {
        await fh.writeFile(bytes);
        await fh.sync();
      } finally {
        await fh.close();
      }
      await rename(tmp, target);
      await syncDir(dir);
    } catch (err) {
      throw new PosternError('STORAGE', `A message could not be saved on disk: ${(err as Error).message}`, { cause: err });
    }
    return sha;
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
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
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
