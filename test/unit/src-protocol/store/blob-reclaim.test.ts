// The space of stored messages nothing refers to any more (real SQLite and
// real files on disk): a deleted message's file and a pack whose messages
// are all gone are deleted one run after they were marked, never a file
// still referred to (a message row, a draft and its attachments, a queued
// message, a task), never one written within the grace period, and never
// one that a writer came to refer to again after the mark.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { useTempStore } from '../../../helpers/temp-store.ts';
import type { HeaderInput, MailStore } from '../../../../src-protocol/store/mail-store.ts';
import { BlobStore, type PutResult } from '../../../../src-protocol/store/blob-store.ts';
import { reclaimBlobs } from '../../../../src-protocol/store/blob-reclaim.ts';
import { DraftStore } from '../../../../src-protocol/store/draft-store.ts';
import { TaskStore } from '../../../../src-protocol/store/task-store.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';

let store: MailStore;
let blobs: BlobStore;
let root: string;
let folder: number;
useTempStore('postern-reclaim-', (s) => {
  store = s;
});
beforeEach(() => {
  root = join(dirname(store.db.location() as string), 'messages');
  blobs = new BlobStore(root, store);
  folder = store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id;
});

const HOUR = 60 * 60 * 1000;
const message = (n: number): Buffer => Buffer.from(`From: a@example.test\r\nSubject: ${n}\r\nMessage-ID: <m${n}@example.test>\r\n\r\nBody ${n}\r\n`);
const sha256 = (bytes: Buffer): string => createHash('sha256').update(bytes).digest('hex');

function header(uid: number): HeaderInput {
  return { uid, subject: `Message ${uid}`, from: [], date_ms: Date.UTC(2026, 0, uid), flags: [], size: 100, has_attachments: false, message_id: `<m${uid}@example.test>` };
}

/** Rows for the UIDs, their bodies stored as a body download does: one pack for several. */
async function download(uids: number[]): Promise<PutResult[]> {
  const ids = store.insertHeaders(folder, uids.map(header));
  const results = await blobs.putMany(uids.map(message));
  store.storeBodies(results.map((r, i) => ({ id: ids[i] as number, sha256: r.sha256, packed: r.packed, index: null })));
  return results;
}

/** Every file under the message folder, relative to it. */
function files(): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(root.length + 1)).sort();
}

/** Makes every file look written `ms` ago. */
function age(ms: number): void {
  const then = new Date(Date.now() - ms);
  for (const f of files()) utimesSync(join(root, f), then, then);
}

const marks = (): number => (store.db.prepare('SELECT count(*) AS n FROM blob_doomed').get() as { n: number }).n;
/** A run as the engine does it, `later` ms from now. */
const run = (later = 0) => reclaimBlobs({ store, blobs, now: () => Date.now() + later });

describe('reclaimBlobs', () => {
  it('deletes a deleted message\'s file and a pack with nothing left in it a run after marking them; kept messages stay readable', async () => {
    const packed = await download([1, 2, 3]);
    const kept = await download([4, 5]);
    const loose = await blobs.put(message(6));
    store.setBlob(store.insertHeaders(folder, [header(6)])[0] as number, loose);
    const before = files();
    expect(before.filter((f) => f.startsWith('packs/'))).toHaveLength(2);
    store.removeUids(folder, [1, 2, 3, 6]);
    age(2 * HOUR);

    const first = await run();
    expect(first).toEqual({ marked: 4, repacked: 0, unreadable: 0, deleted: 0, freedBytes: 0 });
    // Marked, not deleted: the files are all there.
    expect(files()).toEqual(before);

    const second = await run(2 * HOUR);
    expect(second.deleted).toBe(2);
    expect(second.freedBytes).toBe([1, 2, 3, 6].reduce((n, i) => n + message(i).length, 0));
    const pack = (r: PutResult) => `packs/${r.packed?.pack ?? ''}`;
    expect(files()).toEqual(before.filter((f) => f !== pack(packed[0] as PutResult) && f !== `${loose.slice(0, 2)}/${loose.slice(2)}`));
    for (const [i, r] of kept.entries()) expect(await blobs.get(r.sha256)).toEqual(message(4 + i));
    expect(marks()).toBe(0);
    // Nothing more to do.
    expect(await run(4 * HOUR)).toEqual({ marked: 0, repacked: 0, unreadable: 0, deleted: 0, freedBytes: 0 });
  });

  it('keeps a pack while a message in it is kept; one a quarter or more unused is rewritten with only the kept ones, and the old one goes', async () => {
    const [one] = await download([1, 2, 3]);
    const [four] = await download([4, 5, 6, 7, 8]);
    // Two of three gone from the first pack (a third of it kept), one of five from the second (four fifths).
    store.removeUids(folder, [1, 2, 4]);
    age(2 * HOUR);
    expect((await run()).marked).toBe(3);
    // A writer looked up message 3 in the old pack just before the rewrite, and commits after it.
    const stale = store.packedAt(sha256(message(3)));
    const second = await run(2 * HOUR);
    expect(second).toMatchObject({ repacked: 1, deleted: 0 });
    store.storeBodies([{ id: store.insertHeaders(folder, [header(13)])[0] as number, sha256: sha256(message(3)), packed: stale, index: null }]);
    const first = one?.packed?.pack as string;
    const other = four?.packed?.pack as string;
    const repacked = store.packedAt(sha256(message(3)))?.pack as string;
    expect(repacked).not.toBe(first);
    expect(store.packedAt(sha256(message(5)))?.pack).toBe(other);
    expect(await blobs.get(sha256(message(3)))).toEqual(message(3));
    // The old pack goes at the next run; the new one holds only the kept message.
    age(2 * HOUR);
    const third = await run(2 * HOUR);
    expect(third).toMatchObject({ repacked: 0, deleted: 1 });
    expect(third.freedBytes).toBe([1, 2, 3].reduce((n, i) => n + message(i).length, 0));
    expect(files().filter((f) => f.startsWith('packs/')).sort()).toEqual([`packs/${other}`, `packs/${repacked}`].sort());
    expect(blobs.packBytes(repacked)).toBe(message(3).length);
    for (const i of [3, 5, 6, 7, 8]) expect(await blobs.get(sha256(message(i)))).toEqual(message(i));
  });

  it('leaves a pack it cannot read as it is and goes on with the rest', async () => {
    const [cut] = await download([1, 2, 3]);
    store.removeUids(folder, [1, 2]);
    const loose = await blobs.put(message(9));
    age(2 * HOUR);
    // The pack lost its end (a disk error, say): message 3 cannot be copied out of it.
    truncateSync(join(root, 'packs', cut?.packed?.pack as string), message(1).length + message(2).length + 5);
    expect((await run()).marked).toBe(3);
    expect(await run(2 * HOUR)).toMatchObject({ repacked: 0, unreadable: 1, deleted: 1 });
    expect(files()).toContain(`packs/${cut?.packed?.pack as string}`);
    expect(existsSync(blobs.pathOf(loose))).toBe(false);
  });

  it('keeps what drafts (with their attachments), the outbox and tasks not done refer to', async () => {
    const [draftRaw, attachment, queued, appended, uploaded] = await Promise.all([7, 8, 9, 10, 12].map((n) => blobs.put(message(n))));
    const drafts = new DraftStore(store.db);
    drafts.insert('work', 'key-1', { to: [], cc: [], bcc: [], subject: 'Draft', text: '', attachments: [{ filename: 'a.txt', content_type: null, blob_sha256: attachment as string, size: 3 }] }, draftRaw as string);
    store.db.prepare(`INSERT INTO outbox (account_id, message_id, blob_sha256, envelope_json, draft_json, state, send_at_ms, created_ms, updated_ms)
      VALUES ('work', '<q@example.test>', ?, '{}', '{}', 'queued', 0, 0, 0)`).run(queued as string);
    const tasks = new TaskStore(store.db);
    tasks.add('work', { kind: 'draft-put', folder: 'Drafts', draft_key: 'key-1', blob_sha256: appended as string });
    // An older version's upload, done: its bytes are needed no more.
    tasks.done(tasks.add('work', { kind: 'draft-put', folder: 'Drafts', draft_key: 'key-1', blob_sha256: uploaded as string }));
    const orphan = await blobs.put(message(11));
    age(2 * HOUR);
    expect((await run()).marked).toBe(2);
    expect((await run(2 * HOUR)).deleted).toBe(2);
    await expect(blobs.get(uploaded as string)).rejects.toThrow(/missing/);
    for (const [i, sha] of [draftRaw, attachment, queued, appended].entries()) expect(await blobs.get(sha as string)).toEqual(message(7 + i));
    await expect(blobs.get(orphan)).rejects.toThrow(/missing/);
  });

  it('never deletes a file written within the grace period: a pack whose rows are not committed yet, a message just stored', async () => {
    const uncommitted = await blobs.putMany([message(1), message(2)]);
    const justStored = await blobs.put(message(3));
    expect(await run()).toEqual({ marked: 0, repacked: 0, unreadable: 0, deleted: 0, freedBytes: 0 });
    expect(await blobs.get(justStored)).toEqual(message(3));
    expect(files()).toHaveLength(2);
    // An hour on, nothing ever referred to them: the pack a crash left and the lone message go.
    age(2 * HOUR);
    const tmp = join(root, 'packs', '.tmp-0123456789ab');
    writeFileSync(tmp, 'a write cut short');
    utimesSync(tmp, new Date(Date.now() - 2 * HOUR), new Date(Date.now() - 2 * HOUR));
    const first = await run();
    // The pack goes at once (nothing points at it, it is old); the loose message is marked first.
    expect(first).toMatchObject({ marked: 1, deleted: 2 });
    expect(files().some((f) => f.includes(uncommitted[0]?.packed?.pack as string))).toBe(false);
    expect(existsSync(tmp)).toBe(false);
    expect((await run(2 * HOUR)).deleted).toBe(1);
    expect(files()).toEqual([]);
  });

  it('keeps a marked message that is referred to again: stored anew, or found by a writer just before the mark', async () => {
    // Stored anew after the mark: the same bytes are written again, not trusted.
    const [a] = await download([1, 2]);
    const loose = await blobs.put(message(3));
    store.setBlob(store.insertHeaders(folder, [header(3)])[0] as number, loose);
    // A writer about to refer to message 2 found its location before the mark.
    const found = store.packedAt(sha256(message(2)));
    store.removeUids(folder, [1, 2, 3]);
    age(2 * HOUR);
    expect((await run()).marked).toBe(3);
    expect(store.isDoomed(loose)).toBe(true);

    const again = await download([11]).then(async () => blobs.putMany([message(1), message(5)]));
    expect(again[0]?.packed?.pack).not.toBe(a?.packed?.pack);
    const id1 = store.insertHeaders(folder, [header(21)])[0] as number;
    store.storeBodies([{ id: id1, sha256: again[0]?.sha256 as string, packed: again[0]?.packed ?? null, index: null }]);
    const id2 = store.insertHeaders(folder, [header(22)])[0] as number;
    store.storeBodies([{ id: id2, sha256: sha256(message(2)), packed: found, index: null }]);
    expect(await blobs.put(message(3))).toBe(loose);
    store.setBlob(store.insertHeaders(folder, [header(23)])[0] as number, loose);
    expect(marks()).toBe(0);

    await run(2 * HOUR);
    expect(await blobs.get(sha256(message(1)))).toEqual(message(1));
    expect(await blobs.get(sha256(message(2)))).toEqual(message(2));
    expect(await blobs.get(loose)).toEqual(message(3));
  });

  it('a message stored again while marked is written anew, so the sweep before its row commits leaves it', async () => {
    const sha = await blobs.put(message(1));
    store.setBlob(store.insertHeaders(folder, [header(1)])[0] as number, sha);
    store.removeUids(folder, [1]);
    age(2 * HOUR);
    expect((await run()).marked).toBe(1);
    store.db.prepare('UPDATE blob_doomed SET doomed_ms = doomed_ms - ?').run(2 * HOUR);
    // The same bytes arrive again; the writer's row is not committed when the sweep runs.
    expect(await blobs.put(message(1))).toBe(sha);
    expect((await run()).deleted).toBe(0);
    store.setBlob(store.insertHeaders(folder, [header(2)])[0] as number, sha);
    expect(await blobs.get(sha)).toEqual(message(1));
  });

  it('has a trigger for every table that can name a stored message', () => {
    const withBlobs = (store.db.prepare(`SELECT m.name FROM sqlite_schema m, pragma_table_info(m.name) c
      WHERE m.type = 'table' AND (c.name = 'blob_sha256' OR c.name LIKE '%json') GROUP BY m.name`).all() as { name: string }[]).map((r) => r.name);
    const triggered = new Set((store.db.prepare(`SELECT tbl_name FROM sqlite_schema WHERE type = 'trigger' AND name LIKE 'blob_kept_%'`).all() as { tbl_name: string }[]).map((r) => r.tbl_name));
    // JSON columns that cannot hold a message hash.
    const noHashes = new Set(['folders', 'thread_refs', 'contacts', 'saved_searches', 'headers_pending']);
    expect(withBlobs.filter((t) => !triggered.has(t) && !noHashes.has(t))).toEqual([]);
  });

  it('marks in batches: more than one transaction\'s worth is all swept', async () => {
    const uids = Array.from({ length: LIMITS.blobReclaimBatch + 5 }, (_, i) => i + 1);
    for (const uid of uids) store.setBlob(store.insertHeaders(folder, [header(uid)])[0] as number, await blobs.put(message(uid)));
    store.removeUids(folder, uids);
    age(2 * HOUR);
    expect((await run()).marked).toBe(uids.length);
    expect((await run(2 * HOUR)).deleted).toBe(uids.length);
    expect(files()).toEqual([]);
  });
});
