/**
 * Downloads a POP3 maildrop into the local INBOX, keyed by UIDL (never by
 * message number, which changes between sessions).
 *
 * Order of durability, so that no crash loses or doubles mail:
 *   RETR -> raw bytes written and fsynced -> one transaction: header row,
 *   search index, UIDL row -> commit. Only then may a message be DELEted,
 *   and a deletion counts only when QUIT answers +OK; a dropped connection
 *   deletes nothing and the next run simply finds the UIDL already stored.
 */
import { createHash } from 'node:crypto';
import { Pop3ServerError, type Pop3Client } from '../pop3/index.ts';
import type { Pop3Retention } from '../contract/schemas.ts';
import type { MailStore } from '../store/mail-store.ts';
import type { BlobStore } from '../store/blob-store.ts';
import type { Pop3Store } from '../store/pop3-store.ts';
import { parseMessage } from '../mime/parse.ts';
import { indexTextOf } from './body-index.ts';
import { failpoint } from '../common/failpoints.ts';
import { GarbageReleaser } from '../common/garbage.ts';
import { LIMITS } from '../common/limits.ts';

export interface Pop3DownloadResult {
  on_server: number;
  downloaded: number;
  bytes: number;
  deleted_on_server: number;
  /** The server has no UIDL: messages were told apart by a hash of their headers. */
  uidl_fallback: boolean;
  /** Said to the person: how this run differed from the usual. */
  notes: string[];
}

const DAY_MS = 86_400_000;
/** Body lines kept of a message that comes down as a preview. */
const PREVIEW_LINES = 40;

export async function downloadPop3(
  client: Pop3Client,
  deps: { store: MailStore; blobs: BlobStore; pop3: Pop3Store },
  accountId: string,
  retention: Pop3Retention,
  options: { onProgress?: (p: { phase: string; done: number; total: number | null }) => void; signal?: AbortSignal; now?: number } = {},
): Promise<Pop3DownloadResult> {
  const now = options.now ?? Date.now();
  const report = options.onProgress ?? (() => {});
  report({ phase: 'listing', done: 0, total: null });
  const sizes = new Map((await client.list()).map((l) => [l.msg, l.size]));
  const { ids, fallback } = await uniqueIds(client, [...sizes.keys()]);
  const known = deps.pop3.known(accountId);
  const inbox = deps.store.folder(accountId, 'INBOX');
  if (!inbox) throw new Error('the local INBOX is missing');

  const fresh = [...ids].filter(([, uidl]) => !known.has(uidl));
  let downloaded = 0;
  let bytes = 0;
  // As after an IMAP body download: V8's spare pages go back once a big download ends.
  const garbage = new GarbageReleaser(LIMITS.bodyGarbageBytes);
  report({ phase: 'messages', done: 0, total: fresh.length });
  try {
    for (const [msg, uidl] of fresh) {
      options.signal?.throwIfAborted();
      const size = sizes.get(msg) ?? 0;
      // A large message: headers and a preview now, the rest when it is opened.
      const preview = retention.preview_over_kib !== null && size > retention.preview_over_kib * 1024;
      const raw = preview ? await client.top(msg, PREVIEW_LINES) : await client.retr(msg);
      failpoint('pop3:after-retr');
      const sha = await deps.blobs.put(raw);
      const model = await parseMessage(raw).catch(() => null);
      deps.store.transaction(() => {
        const id = deps.store.insertLocalMessage(inbox.id, {
          uid: 0, subject: model?.subject ?? '', from: model?.from ?? [], to: [...(model?.to ?? []), ...(model?.cc ?? [])],
          date_ms: model?.date_iso ? Date.parse(model.date_iso) : now, flags: [], size: preview ? size : raw.length,
          has_attachments: (model?.attachments.length ?? 0) > 0, message_id: model?.message_id ?? null, blob_sha256: sha,
          refs: [...(model?.references ?? []), ...(model?.in_reply_to ? [model.in_reply_to] : [])],
        });
        // The same words as every other stored message: the index's own extractor, not the display model.
        const words = indexTextOf(raw);
        deps.store.indexBody(id, words.body, words.attachmentNames);
        if (preview) deps.store.setPartial(id, true);
        deps.pop3.record(accountId, uidl, id, size || raw.length, now);
      });
      failpoint('pop3:after-commit');
      downloaded++;
      bytes += raw.length;
      garbage.released(raw.length);
      report({ phase: 'messages', done: downloaded, total: fresh.length });
    }
  } finally {
    // Also when the download stops part-way: what it stored was still a burst of memory.
    garbage.finish();
  }

  // Deletion: only messages whose local copy is committed (a UIDL row exists).
  const stored = deps.pop3.known(accountId);
  const toDelete: [number, string][] = [];
  for (const [msg, uidl] of ids) {
    const row = stored.get(uidl);
    if (!row) continue;
    // Never delete what is here only as a preview: the server holds the rest.
    if (row.message_id !== null && deps.store.message(row.message_id)?.partial === 1) continue;
    const old = retention.delete_after_days !== null && now - row.downloaded_ms >= retention.delete_after_days * DAY_MS;
    // The local copy is gone for good (its row cleared the link): the person deleted it here.
    const deletedHere = retention.delete_when_deleted_here && row.message_id === null;
    if (!retention.leave_on_server || old || deletedHere) toDelete.push([msg, uidl]);
  }
  for (const [msg] of toDelete) await client.dele(msg);
  if (toDelete.length) failpoint('pop3:after-dele');
  const confirmed = await client.quit();
  if (confirmed && toDelete.length) deps.pop3.markDeletedOnServer(accountId, toDelete.map(([, uidl]) => uidl));
  report({ phase: 'done', done: downloaded, total: fresh.length });
  const notes = fallback ? ['This POP3 server has no UIDL; Postern tells messages apart by their headers, so two identical messages count as one.'] : [];
  if (toDelete.length && !confirmed) notes.push('The server did not confirm the deletions at QUIT; nothing was deleted, and the next check tries again.');
  return { on_server: ids.size, downloaded, bytes, deleted_on_server: confirmed ? toDelete.length : 0, uidl_fallback: fallback, notes };
}

/** UIDL when the server has it; otherwise a hash of each message's headers (TOP n 0). */
async function uniqueIds(client: Pop3Client, msgs: number[]): Promise<{ ids: Map<number, string>; fallback: boolean }> {
  try {
    return { ids: new Map((await client.uidl()).map((u) => [u.msg, u.uid])), fallback: false };
  } catch (err) {
    if (!isRefusal(err)) throw err;
  }
  const ids = new Map<number, string>();
  for (const msg of msgs) ids.set(msg, `sha256:${createHash('sha256').update(await client.top(msg, 0)).digest('hex')}`);
  return { ids, fallback: true };
}

/** -ERR to UIDL: the server does not have it (as opposed to a dropped connection). */
function isRefusal(err: unknown): boolean {
  return err instanceof Pop3ServerError;
}
