import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { BlobStore } from '../../../../src-protocol/store/blob-store.ts';

let dir: string;
let root: string;
let blobs: BlobStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-blobs-'));
  root = join(dir, 'messages');
  blobs = new BlobStore(root);
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');
const message = (n: number): Buffer => Buffer.from(`From: a@example.test\r\nSubject: ${n}\r\n\r\nBody ${n}\r\n`);

/** Every file under the store, as paths relative to its root. */
async function filesUnder(path: string): Promise<string[]> {
  const entries = await readdir(path, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => relative(path, join(e.parentPath, e.name))).sort();
}

async function rejection(promise: Promise<unknown>): Promise<PosternError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PosternError);
    return err as PosternError;
  }
  throw new Error('expected a rejection');
}

describe('BlobStore', () => {
  it('put returns the SHA-256 of the bytes and get returns the same bytes', async () => {
    const bytes = Buffer.concat([message(1), Buffer.from([0, 255, 13, 10, 128])]);
    const sha = await blobs.put(bytes);
    expect(sha).toBe(sha256(bytes));
    expect((await blobs.get(sha)).equals(bytes)).toBe(true);
    // Sharded by the first two hex digits.
    expect(await filesUnder(root)).toEqual([join(sha.slice(0, 2), sha.slice(2))]);
  });

  it('stores the same bytes once, however often and however concurrently they are put', async () => {
    const bytes = message(2);
    const shas = await Promise.all([blobs.put(bytes), blobs.put(Buffer.from(bytes)), blobs.put(bytes)]);
    shas.push(await blobs.put(bytes));
    expect(new Set(shas)).toEqual(new Set([sha256(bytes)]));
    expect(await filesUnder(root)).toHaveLength(1);
  });

  it('keeps different messages apart', async () => {
    const a = await blobs.put(message(1));
    const b = await blobs.put(message(2));
    expect(a).not.toBe(b);
    expect((await blobs.get(a)).toString()).toContain('Subject: 1');
    expect((await blobs.get(b)).toString()).toContain('Subject: 2');
  });

  it('leaves no temporary files behind', async () => {
    await Promise.all([1, 2, 3, 1, 2].map((n) => blobs.put(message(n))));
    const files = await filesUnder(root);
    expect(files).toHaveLength(3);
    expect(files.filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('putMany stores a batch and answers the hashes in order, duplicates and already stored bytes included', async () => {
    const stored = await blobs.put(message(7));
    const batch = [message(8), message(7), message(9), message(8)];
    const shas = await blobs.putMany(batch);
    expect(shas).toEqual(batch.map(sha256));
    expect(shas[1]).toBe(stored);
    for (const [i, sha] of shas.entries()) expect((await blobs.get(sha)).equals(batch[i] as Buffer)).toBe(true);
    const files = await filesUnder(root);
    expect(files).toHaveLength(3);
    expect(files.filter((f) => f.includes('.tmp'))).toEqual([]);
    expect(await blobs.putMany([])).toEqual([]);
  });

  it('writes files that only the owner can read (0600)', async () => {
    const sha = await blobs.put(message(3));
    expect((await stat(blobs.pathOf(sha))).mode & 0o777).toBe(0o600);
  });

  it('writes an empty message too', async () => {
    const sha = await blobs.put(Buffer.alloc(0));
    expect(sha).toBe(sha256(Buffer.alloc(0)));
    expect((await blobs.get(sha)).length).toBe(0);
  });

  it('a hash that was never stored is NOT_FOUND', async () => {
    const err = await rejection(blobs.get(sha256(Buffer.from('never stored'))));
    expect(err.code).toBe('NOT_FOUND');
  });

  it('remove deletes the stored copy', async () => {
    const sha = await blobs.put(message(4));
    await blobs.remove(sha);
    expect(await filesUnder(root)).toEqual([]);
    expect((await rejection(blobs.get(sha))).code).toBe('NOT_FOUND');
  });

  it('rejects anything that is not a lowercase SHA-256 hex string, and never touches a file outside the store', async () => {
    // A file a path traversal would reach: messages/../victim.
    const victim = join(dir, 'victim');
    await writeFile(victim, 'keep me');
    const bad = ['', '../victim', '..', 'ab'.repeat(32).toUpperCase(), 'ab'.repeat(31), `${'ab'.repeat(32)}0`, `${'ab'.repeat(31)}/x`];
    for (const hash of bad) {
      expect(() => blobs.pathOf(hash), hash).toThrow(PosternError);
      expect(() => blobs.pathOf(hash)).toThrow(expect.objectContaining({ code: 'BAD_INPUT' }));
      await expect(blobs.remove(hash)).rejects.toMatchObject({ code: 'BAD_INPUT' });
      await expect(blobs.get(hash)).rejects.toBeInstanceOf(PosternError);
    }
    expect(await readFile(victim, 'utf8')).toBe('keep me');
  });

  it('a store whose folder cannot be created reports STORAGE', async () => {
    // The root is a plain file, so no shard folder can be made under it (root included).
    await writeFile(root, 'not a folder');
    const err = await rejection(blobs.put(message(5)));
    expect(err.code).toBe('STORAGE');
  });
});
