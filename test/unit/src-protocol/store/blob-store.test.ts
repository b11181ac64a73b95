import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { BlobStore, type PackedAt, type PutResult } from '../../../../src-protocol/store/blob-store.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';

let dir: string;
let root: string;
let blobs: BlobStore;
/** What the database would record of packed messages (MailStore.storeBodies does it with the rows). */
let packs: Map<string, PackedAt>;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-blobs-'));
  root = join(dir, 'messages');
  packs = new Map();
  blobs = new BlobStore(root, { packedAt: (sha) => packs.get(sha) ?? null, isDoomed: () => false });
});

/** Records the packed ones as the caller does, in the database, with the rows. */
function record(results: PutResult[]): string[] {
  for (const r of results) if (r.packed) packs.set(r.sha256, r.packed);
  return results.map((r) => r.sha256);
}

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

  it('putMany packs a batch into one file and answers the hashes in order, duplicates and already stored bytes included', async () => {
    const stored = await blobs.put(message(7));
    const batch = [message(8), message(7), message(9), message(8), message(10)];
    const results = await blobs.putMany(batch);
    const shas = record(results);
    expect(shas).toEqual(batch.map(sha256));
    expect(shas[1]).toBe(stored);
    // The one stored before keeps its own file; the new ones share one pack, each once.
    expect(results[1]?.packed).toBeNull();
    expect(new Set(results.filter((r) => r.packed).map((r) => r.packed?.pack)).size).toBe(1);
    expect(results[3]?.packed).toEqual(results[0]?.packed);
    for (const [i, sha] of shas.entries()) expect((await blobs.get(sha)).equals(batch[i] as Buffer)).toBe(true);
    const files = await filesUnder(root);
    expect(files.filter((f) => f.startsWith('packs/'))).toHaveLength(1);
    expect(files).toHaveLength(2);
    expect(files.filter((f) => f.includes('.tmp'))).toEqual([]);
    expect((await stat(join(root, files.find((f) => f.startsWith('packs/')) as string))).mode & 0o777).toBe(0o600);
    // A packed message has no file of its own to stream; one stored alone has.
    expect(blobs.looseFile(shas[0] as string)).toBeNull();
    expect(blobs.looseFile(stored)).toBe(blobs.pathOf(stored));
    expect(await blobs.putMany([])).toEqual([]);
  });

  it('putMany does not store again what is already packed, and gives a large message a file of its own', async () => {
    const first = record(await blobs.putMany([message(1), message(2)]));
    const large = Buffer.concat([message(3), Buffer.alloc(LIMITS.readWholeMessageBytes, 'x')]);
    const again = await blobs.putMany([message(2), large, message(4), message(5)]);
    expect(again[0]?.packed).toEqual(packs.get(first[1] as string));
    expect(again[1]?.packed).toBeNull();
    record(again);
    expect(blobs.looseFile(sha256(large))).toBe(blobs.pathOf(sha256(large)));
    expect((await blobs.get(sha256(large))).equals(large)).toBe(true);
    expect((await blobs.get(sha256(message(5)))).equals(message(5))).toBe(true);
    const files = await filesUnder(root);
    expect(files.filter((f) => f.startsWith('packs/'))).toHaveLength(2);
    expect(files).toHaveLength(3);
  });

  it('a packed message whose pack is cut short or gone is an error, never other bytes', async () => {
    const [a, b] = record(await blobs.putMany([message(1), message(2)])) as [string, string];
    const at = packs.get(b) as PackedAt;
    const pack = join(root, 'packs', at.pack);
    await writeFile(pack, (await readFile(pack)).subarray(0, at.offset + 3));
    expect((await rejection(blobs.get(b))).code).toBe('STORAGE');
    expect((await blobs.get(a)).equals(message(1))).toBe(true);
    await rm(pack);
    expect((await rejection(blobs.get(a))).code).toBe('NOT_FOUND');
    // A location that names anything but a pack in the pack folder is refused.
    packs.set(a, { pack: '../../victim', offset: 0, length: 1 });
    expect((await rejection(blobs.get(a))).code).toBe('STORAGE');
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
