/**
 * The store writer thread (see store-writer.ts): its own connection to the
 * profile's database, one transaction per batch through the same MailStore
 * methods the engine uses inline (insertHeaders, storeBodies), answers in
 * order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.ts';
import { LIMITS } from '../common/limits.ts';
import { MailStore } from './mail-store.ts';
import { releaseWordBuffers, type StoreWriterInit, type StoreWriterReply, type StoreWriterRequest } from './store-writer.ts';

const port = parentPort;
if (!port) throw new Error('store-writer-worker.ts runs only as a worker thread');
const { file } = workerData as StoreWriterInit;
const store = new MailStore(openDatabase(file));
// The indexes' pages fell out of SQLite's default 2 MB page cache between
// batches. 10k header rows (throwaway driver, median of 9): 347 ms CPU with
// the default, 320 with 8 MB. Checkpoints stay at SQLite's default: made
// rarer here, the engine's own connection met the longer WAL at its next
// write and did the checkpoint on the engine thread instead (full sync:
// engine thread 2.6-2.9 s before, 3.1-3.4 s with it).
store.db.exec(`PRAGMA cache_size = -${LIMITS.storeWriterCacheKb}`);

port.on('message', (request: StoreWriterRequest) => {
  if (request.type === 'close') {
    store.db.close();
    port.close();
    return;
  }
  let reply: StoreWriterReply;
  try {
    if (request.type === 'headers') reply = { seq: request.seq, ids: store.insertHeaders(request.folderId, request.headers) };
    else {
      try {
        store.storeBodies(request.bodies);
      } finally {
        releaseWordBuffers(request.bodies);
      }
      reply = { seq: request.seq, ids: [] };
    }
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { seq: request.seq, error: { code: typeof code === 'string' ? code : 'STORAGE', message: err instanceof Error ? err.message : String(err) } };
  }
  port.postMessage(reply);
});
