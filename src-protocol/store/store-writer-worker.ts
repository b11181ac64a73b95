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
// A sync writes several MB per second. At SQLite's default of a checkpoint
// every 1000 pages (4 MB), each one waited for fsyncs in the middle of the
// batches; and a 2 MB page cache let the indexes' pages fall out between
// batches. Measured on 10k header rows (throwaway driver, median of 9):
// 410 ms wall, 347 ms CPU with the defaults; 344/335 with fewer checkpoints;
// 359/320 with the larger cache. The engine's own connection keeps the
// defaults and checkpoints what is left at its next write.
store.db.exec(`PRAGMA wal_autocheckpoint = ${LIMITS.storeWriterCheckpointPages}; PRAGMA cache_size = -${LIMITS.storeWriterCacheKb}`);

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
