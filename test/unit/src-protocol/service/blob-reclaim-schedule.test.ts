// The engine's reclaimer runs on its own after the first delay and again
// after each interval (a deleted message's file is marked, then deleted),
// and close() stops it: no run after, none left half done.
import { existsSync, utimesSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { useTempStore } from '../../../helpers/temp-store.ts';
import type { MailStore } from '../../../../src-protocol/store/mail-store.ts';
import { BlobStore } from '../../../../src-protocol/store/blob-store.ts';
import { BlobReclaimSchedule } from '../../../../src-protocol/service/blob-reclaim-schedule.ts';
import { createLogger } from '../../../../src-protocol/common/log.ts';

let store: MailStore;
useTempStore('postern-reclaim-schedule-', (s) => {
  store = s;
});
const logger = createLogger({ component: 'test' }, () => {}, 'error');
const HOUR = 60 * 60 * 1000;

describe('BlobReclaimSchedule', () => {
  it('runs after the first delay and then every interval until closed', async () => {
    const blobs = new BlobStore(join(dirname(store.db.location() as string), 'messages'), store);
    const folder = store.ensureFolder('work', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id;
    const sha = await blobs.put(Buffer.from('Subject: gone\r\n\r\nbye\r\n'));
    store.setBlob(store.insertHeaders(folder, [{ uid: 1, subject: 'gone', from: [], date_ms: 0, flags: [], size: 20, has_attachments: false, message_id: null }])[0] as number, sha);
    store.removeUids(folder, [1]);
    const old = new Date(Date.now() - 2 * HOUR);
    utimesSync(blobs.pathOf(sha), old, old);

    const schedule = new BlobReclaimSchedule({ db: store.db, blobs, logger, firstDelayMs: 20, everyMs: 20 });
    await expect.poll(() => store.isDoomed(sha)).toBe(true);
    // The mark is an hour old at the next run: the file goes.
    store.db.prepare('UPDATE blob_doomed SET doomed_ms = doomed_ms - ?').run(2 * HOUR);
    await expect.poll(() => existsSync(blobs.pathOf(sha))).toBe(false);
    await schedule.close();
    const runs = schedule.runs;
    expect(runs).toBeGreaterThanOrEqual(2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(schedule.runs).toBe(runs);
  });
});
