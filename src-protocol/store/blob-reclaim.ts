/**
 * Gives back the disk space of stored messages nothing refers to any more:
 * mail deleted or expunged, a draft's older versions and finished
 * uploads, a pack a crash left before its transaction, a temp file of a
 * cut write. Without it the message folder only grows. (The outbox keeps
 * the bytes of what it sent, so they are kept too.)
 *
 * Mark, then sweep a run later. A run first deletes what an earlier run
 * marked at least LIMITS.blobReclaimGraceMs ago, then marks what nothing
 * refers to now (table blob_doomed, migration 21). Marking moves a packed
 * message's location out of blob_packs; BlobStore treats a marked message
 * as not stored, so whoever stores the same bytes again writes them anew.
 * Whatever comes to refer to a marked message (a writer that found the
 * copy just before the mark) unmarks it in the same statement, through
 * the triggers of migration 21. So at the sweep a mark still there means
 * nothing has referred to the message since it was marked, across every
 * process that opens this database (the app and the CLI may both).
 *
 * A pack mostly unused (deleting mail here and there leaves most packs
 * partly used) is rewritten with only its kept messages; the old one goes
 * at the next run, once nothing names it.
 *
 * Files are deleted inside the transaction that drops their marks, never
 * one written within the grace period (a message stored again, a pack
 * whose row has not committed yet). The one case left: a writer that
 * looked up a copy before the mark and commits its row only after the
 * sweep, over an hour later; none does.
 */
import { LIMITS } from '../common/limits.ts';
import type { BlobStore } from './blob-store.ts';
import type { MailStore } from './mail-store.ts';

export interface ReclaimReport {
  /** Messages marked this run (deleted by a later one unless referred to again). */
  marked: number;
  /** Packs rewritten with only their kept messages (the old ones go at the next run). */
  repacked: number;
  /** Packs that could not be read to be rewritten (left as they are; the run goes on). */
  unreadable: number;
  /** Files deleted: messages' own files, packs, temp files. */
  deleted: number;
  freedBytes: number;
}

export interface ReclaimOptions {
  /** Its transactions are BEGIN IMMEDIATE: no other connection (the store writer, the CLI) commits while a file goes. */
  store: MailStore;
  blobs: BlobStore;
  now?: () => number;
  graceMs?: number;
  signal?: AbortSignal;
}

/**
 * Every hash something refers to: a message row, a queued or sent
 * message, a draft, and any hash in the JSON of drafts (attachments), the
 * outbox and tasks not done (a draft's upload that is done needs its bytes
 * no more). Kept in step with migration 21's triggers.
 */
const REFERENCED = `
  SELECT blob_sha256 AS sha FROM messages WHERE blob_sha256 IS NOT NULL
  UNION ALL SELECT blob_sha256 FROM outbox
  UNION ALL SELECT blob_sha256 FROM drafts
  UNION ALL SELECT j.value FROM drafts, json_tree(drafts.content_json) AS j WHERE j.type = 'text' AND length(j.value) = 64
  UNION ALL SELECT j.value FROM outbox, json_tree(outbox.draft_json) AS j WHERE j.type = 'text' AND length(j.value) = 64
  UNION ALL SELECT j.value FROM tasks, json_tree(tasks.payload_json) AS j WHERE tasks.state <> 'done' AND j.type = 'text' AND length(j.value) = 64`;

export async function reclaimBlobs(options: ReclaimOptions): Promise<ReclaimReport> {
  const { store, blobs } = options;
  const db = store.db;
  const now = options.now ?? Date.now;
  const cutoff = now() - (options.graceMs ?? LIMITS.blobReclaimGraceMs);
  const report: ReclaimReport = { marked: 0, repacked: 0, unreadable: 0, deleted: 0, freedBytes: 0 };
  const freed = (bytes: number): void => {
    if (bytes <= 0) return;
    report.deleted++;
    report.freedBytes += bytes;
  };
  const scan = await blobs.scan();

  // Sweep: marks old enough, a batch per transaction, the engine free in between.
  const marks = db.prepare('SELECT sha256, pack FROM blob_doomed WHERE doomed_ms <= ? LIMIT ?');
  const unmark = db.prepare('DELETE FROM blob_doomed WHERE sha256 = ?');
  for (;;) {
    options.signal?.throwIfAborted();
    const n = store.transaction(() => {
      const rows = marks.all(cutoff, LIMITS.blobReclaimBatch) as { sha256: string; pack: string | null }[];
      for (const r of rows) {
        // A packed one goes with its pack, below, once nothing else in it is kept.
        if (r.pack === null) freed(blobs.deleteLooseIfOlder(r.sha256, cutoff));
        unmark.run(r.sha256);
      }
      return rows.length;
    });
    if (n < LIMITS.blobReclaimBatch) break;
    await yieldToEngine();
  }
  store.transaction(() => {
    const used = new Set((db.prepare('SELECT pack FROM blob_packs UNION SELECT pack FROM blob_doomed WHERE pack IS NOT NULL').all() as { pack: string }[]).map((r) => r.pack));
    for (const pack of scan.packs) if (!used.has(pack)) freed(blobs.deletePackIfOlder(pack, cutoff));
  });
  for (const temp of scan.temps) freed(blobs.deleteTempIfOlder(temp, cutoff));
  await repackMostlyUnused(store, blobs, cutoff, report, options.signal);

  // Mark: what nothing refers to. The set of hashes referred to is built once, in SQL, into a
  // temp table of this connection (as a JS Set at 100k messages it held the lock twice as long).
  options.signal?.throwIfAborted();
  await yieldToEngine();
  const markedAt = now();
  report.marked = store.transaction(() => {
    db.exec('CREATE TEMP TABLE IF NOT EXISTS blob_refs (sha TEXT PRIMARY KEY) WITHOUT ROWID; DELETE FROM temp.blob_refs;');
    db.exec(`INSERT OR IGNORE INTO temp.blob_refs ${REFERENCED}`);
    try {
      const mark = `INSERT OR IGNORE INTO blob_doomed (sha256, pack, offset, length, doomed_ms)`;
      const packed = db.prepare(`${mark} SELECT sha256, pack, offset, length, ? FROM blob_packs
        WHERE NOT EXISTS (SELECT 1 FROM temp.blob_refs WHERE sha = blob_packs.sha256)`).run(markedAt);
      db.prepare('DELETE FROM blob_packs WHERE sha256 IN (SELECT sha256 FROM blob_doomed WHERE pack IS NOT NULL)').run();
      let loose = 0;
      if (scan.loose.length > 0) {
        const unreferenced = (db.prepare('SELECT value AS sha FROM json_each(?) WHERE NOT EXISTS (SELECT 1 FROM temp.blob_refs WHERE sha = value)')
          .all(JSON.stringify(scan.loose)) as { sha: string }[]).map((r) => r.sha);
        const markLoose = db.prepare(`${mark} VALUES (?, NULL, NULL, NULL, ?)`);
        for (const sha of unreferenced) {
          if ((blobs.looseWrittenMs(sha) ?? Infinity) <= cutoff) loose += Number(markLoose.run(sha, markedAt).changes);
        }
      }
      return Number(packed.changes) + loose;
    } finally {
      db.exec('DELETE FROM temp.blob_refs');
    }
  });
  return report;
}

/**
 * Rewrites each pack (written before the cutoff) whose kept messages fill
 * at most LIMITS.blobRepackBelowShare of it into a new pack with only
 * them, and points their locations at it. Only locations still naming the
 * old pack move: one marked meanwhile keeps it, and the old pack goes once
 * nothing names it (the unused-pack step of a later run; a reader that
 * looked up the old location a moment ago still finds it). A crash before
 * the locations move leaves the new pack unnamed, for the same step.
 */
async function repackMostlyUnused(store: MailStore, blobs: BlobStore, cutoff: number, report: ReclaimReport, signal: AbortSignal | undefined): Promise<void> {
  const db = store.db;
  const live = db.prepare('SELECT pack, sum(length) AS bytes FROM blob_packs GROUP BY pack').all() as { pack: string; bytes: number }[];
  const entries = db.prepare('SELECT sha256, offset, length FROM blob_packs WHERE pack = ? ORDER BY offset');
  const move = db.prepare('UPDATE blob_packs SET pack = ?, offset = ?, length = ? WHERE sha256 = ? AND pack = ?');
  for (const { pack, bytes } of live) {
    signal?.throwIfAborted();
    const size = blobs.packBytes(pack);
    if (size === null || size === 0 || bytes > size * LIMITS.blobRepackBelowShare || (blobs.packWrittenMs(pack) ?? Infinity) > cutoff) continue;
    const items = entries.all(pack) as { sha256: string; offset: number; length: number }[];
    const moved = await blobs.repack(pack, items);
    // A pack cut short or gone stays as it is (its messages say so when opened); the run goes on.
    if (!moved) {
      report.unreadable++;
      continue;
    }
    store.transaction(() => {
      for (const [sha, at] of moved) move.run(at.pack, at.offset, at.length, sha, pack);
    });
    report.repacked++;
  }
}

function yieldToEngine(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
