/**
 * Sends persisted user actions to the server in the order they were made.
 * A server refusal (NO/BAD) ends a task as failed and lets the next sync
 * restore the truth from the server; a lost connection leaves it pending
 * with a backoff. Every task is idempotent on the server (flags are sets,
 * a moved or expunged UID is gone), so a task repeated after a crash between
 * "the server did it" and "marked done" does no harm.
 */
import type { ImapFlow } from 'imapflow';
import type { MailStore } from '../store/mail-store.ts';
import type { TaskRow, TaskStore } from '../store/task-store.ts';
import type { BlobStore } from '../store/blob-store.ts';

export interface TaskOutcome {
  task: TaskRow;
  state: 'done' | 'failed' | 'pending';
  error: string | null;
}

export function isServerRefusal(err: unknown): boolean {
  const status = (err as { responseStatus?: unknown } | null)?.responseStatus;
  return status === 'NO' || status === 'BAD';
}

export async function runDueTasks(
  client: ImapFlow,
  tasks: TaskStore,
  store: MailStore,
  accountId: string,
  onOutcome: (o: TaskOutcome) => void = () => {},
  blobs?: BlobStore,
): Promise<TaskOutcome[]> {
  const outcomes: TaskOutcome[] = [];
  for (const task of tasks.due(accountId)) {
    // Undo may have taken it back while earlier tasks ran.
    if (!tasks.isPending(task.id)) continue;
    try {
      await applyTask(client, store, task, blobs);
      tasks.done(task.id);
      outcomes.push({ task, state: 'done', error: null });
    } catch (err) {
      const message = serverWords(err);
      // A refusal, or an error that left the connection fine: this task cannot be done as it is.
      if (isServerRefusal(err) || client.usable) {
        tasks.failed(task.id, message);
        undoLocally(store, accountId, task);
        outcomes.push({ task, state: 'failed', error: message });
      } else {
        // The connection is gone or unusable: this and everything after it waits.
        tasks.retryLater(task.id, message);
        outcomes.push({ task, state: 'pending', error: message });
        onOutcome(outcomes[outcomes.length - 1] as TaskOutcome);
        throw err;
      }
    }
    onOutcome(outcomes[outcomes.length - 1] as TaskOutcome);
  }
  return outcomes;
}

async function applyTask(client: ImapFlow, store: MailStore, task: TaskRow, blobs?: BlobStore): Promise<void> {
  let p = task.payload;
  if (p.kind === 'flags' && p.uid <= 0 && p.message_id !== undefined) {
    // Flagged while its move was still waiting: by now the move is done (tasks run in order).
    const row = store.message(p.message_id);
    if (!row || row.uid <= 0) return;
    p = { ...p, folder: row.folder_path, uid: row.uid };
  }
  let moved: { message_id: number; to: string } | null = null;
  const lock = await client.getMailboxLock(p.folder);
  try {
    switch (p.kind) {
      case 'flags':
        if (p.add.length) refusedIfFalse(await client.messageFlagsAdd(String(p.uid), p.add, { uid: true }), `change the flags in ${p.folder}`);
        if (p.remove.length) refusedIfFalse(await client.messageFlagsRemove(String(p.uid), p.remove, { uid: true }), `change the flags in ${p.folder}`);
        return;
      case 'expunge':
        refusedIfFalse(await client.messageDelete(String(p.uid), { uid: true }), `delete a message in ${p.folder}`);
        return;
      case 'draft-put': {
        if (!blobs) throw new Error('draft tasks need the blob store');
        const appended = await client.append(p.folder, await blobs.get(p.blob_sha256), ['\\Draft', '\\Seen']);
        const versions = await draftVersions(client, p.draft_key);
        // Keep the version just saved (or, without UIDPLUS, the newest).
        const keep = appended && appended.uid ? appended.uid : Math.max(...versions);
        const old = versions.filter((u) => u !== keep);
        if (old.length) await client.messageDelete(old.join(','), { uid: true });
        return;
      }
      case 'draft-remove': {
        const versions = await draftVersions(client, p.draft_key);
        if (versions.length) await client.messageDelete(versions.join(','), { uid: true });
        return;
      }
      case 'move': {
        const result = refusedIfFalse(await client.messageMove(String(p.uid), p.to, { uid: true }), `move a message to ${p.to}`);
        const newUid = result ? result.uidMap?.get(p.uid) : undefined;
        // With UIDPLUS the local copy learns its new UID at once, and the UIDVALIDITY it belongs to.
        if (newUid !== undefined) store.assignUid(p.message_id, newUid, result && result.uidValidity !== undefined ? Number(result.uidValidity) : undefined);
        else moved = p;
        return;
      }
    }
  } finally {
    lock.release();
    // Looked up after the source's lock is let go: it selects the destination.
    if (moved) await adoptMovedCopy(client, store, moved.message_id, moved.to);
  }
}

/**
 * A move the server did without saying the copy's UID: a server without
 * UIDPLUS, or an earlier attempt that moved it before a crash. The local
 * row (already shown in the destination, with its body) finds its UID by
 * Message-ID among the destination's UIDs the store does not know yet;
 * the highest, since a moved message gets a UID above all the folder had.
 * Removing it instead would hide the message until the destination's next
 * sync, and drop a flag set on it meanwhile. Only a message without a
 * Message-ID, or one the search cannot find, is left to that sync.
 */
async function adoptMovedCopy(client: ImapFlow, store: MailStore, id: number, to: string): Promise<void> {
  const row = store.message(id);
  // Gone, or moved on here since: the task that moves it on finds its own way.
  if (!row || row.folder_path !== to) return;
  let uid: number | undefined;
  let uidvalidity: number | undefined;
  if (row.message_id) {
    try {
      const lock = await client.getMailboxLock(to, { readOnly: true });
      try {
        const found = await client.search({ header: { 'message-id': row.message_id } }, { uid: true });
        // Only the UIDs found are looked up here: the folder may hold 100k.
        const fresh = (Array.isArray(found) ? found : []).filter((u) => store.idsForUids(row.folder_id, [u]).length === 0);
        if (fresh.length) uid = Math.max(...fresh);
        if (client.mailbox && client.mailbox.uidValidity !== undefined) uidvalidity = Number(client.mailbox.uidValidity);
      } finally {
        lock.release();
      }
    } catch (err) {
      // The move itself is done: a refused look-up must not report it failed.
      if (!isServerRefusal(err)) throw err;
    }
  }
  if (uid !== undefined) store.assignUid(id, uid, uidvalidity);
  else store.removeMessage(id);
}

/** After a refusal the server is right: make the next sync compare everything. */
function undoLocally(store: MailStore, accountId: string, task: TaskRow): void {
  const p = task.payload;
  if (p.kind === 'move') store.removeMessage(p.message_id);
  const folder = store.folder(accountId, p.folder);
  if (folder) store.forgetSyncState(folder.id);
}

async function draftVersions(client: ImapFlow, draftKey: string): Promise<number[]> {
  const found = await client.search({ header: { 'x-postern-draft': draftKey } }, { uid: true });
  return Array.isArray(found) ? found : [];
}

/**
 * imapflow answers a NO to STORE, MOVE or EXPUNGE with `false` instead of
 * throwing; that is a refusal by the server, not a success.
 */
function refusedIfFalse<T>(result: T | false, what: string): T {
  if (result !== false) return result;
  throw Object.assign(new Error(`The server refused to ${what}.`), { responseStatus: 'NO' });
}

/** The server's own words when it gave some (imapflow keeps them in responseText). */
function serverWords(err: unknown): string {
  const text = (err as { responseText?: unknown } | null)?.responseText;
  if (typeof text === 'string' && text.trim()) return text.trim();
  return err instanceof Error ? err.message : String(err);
}
