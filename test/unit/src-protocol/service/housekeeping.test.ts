// The engine's upkeep runs on its own after the first delay and again after
// each interval: a deleted message's file is marked, then deleted; a
// finished task older than the keep time is forgotten, a newer one and a
// pending one stay. close() stops it: no run after, none left half done.
import { existsSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempStore } from '../../../helpers/temp-store.ts';
import type { MailStore } from '../../../../src-protocol/store/mail-store.ts';
import { BlobStore } from '../../../../src-protocol/store/blob-store.ts';
import { TaskStore, type TaskPayload } from '../../../../src-protocol/store/task-store.ts';
import { Housekeeping } from '../../../../src-protocol/service/housekeeping.ts';
import { createLogger } from '../../../../src-protocol/common/log.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';

let store: MailStore;
useTempStore('postern-housekeeping-', (s) => {
  store = s;
});
const logger = createLogger({ component: 'test' }, () => {}, 'error');
const HOUR = 60 * 60 * 1000;

describe('Housekeeping', () => {
  it('runs after the first delay and then every interval until closed', async () => {
    const blobs = new BlobStore(join(dirname(store.db.location() as string), 'messages'), store);
    const tasks = new TaskStore(store.db);
    const folder = store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id;
    const sha = await blobs.put(Buffer.from('Subject: gone\r\n\r\nbye\r\n'));
    store.setBlob(store.insertHeaders(folder, [{ uid: 1, subject: 'gone', from: [], date_ms: 0, flags: [], size: 20, has_attachments: false, message_id: null }])[0] as number, sha);
    store.removeUids(folder, [1]);
    const old = new Date(Date.now() - 2 * HOUR);
    utimesSync(blobs.pathOf(sha), old, old);
    const flag: TaskPayload = { kind: 'flags', folder: 'INBOX', uid: 1, message_id: 1, add: ['\\Seen'], remove: [] };
    const longDone = tasks.add('work', flag, Date.now() - LIMITS.doneTasksKeepMs - HOUR);
    tasks.done(longDone);
    const recentlyDone = tasks.add('work', flag);
    tasks.done(recentlyDone);
    const longPending = tasks.add('work', flag, Date.now() - LIMITS.doneTasksKeepMs - HOUR);

    const upkeep = new Housekeeping({ store, blobs, tasks, logger, firstDelayMs: 20, everyMs: 20 });
    await expect.poll(() => store.isDoomed(sha)).toBe(true);
    expect(tasks.list('work', ['pending', 'done']).map((t) => t.id)).toEqual([recentlyDone, longPending]);
    // The mark is an hour old at the next run: the file goes.
    store.db.prepare('UPDATE blob_doomed SET doomed_ms = doomed_ms - ?').run(2 * HOUR);
    await expect.poll(() => existsSync(blobs.pathOf(sha))).toBe(false);
    await upkeep.close();
    const runs = upkeep.runs;
    expect(runs).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(upkeep.runs).toBe(runs);
  });
});
