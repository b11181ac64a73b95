/**
 * The store writer thread (see store-writer.ts): its own connection to the
 * profile's database, one transaction per batch through the same MailStore
 * methods the engine uses inline (insertHeaders, storeBodies), answers in
 * order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.ts';
import { MailStore } from './mail-store.ts';
import { releaseWordBuffers, type StoreWriterInit, type StoreWriterReply, type StoreWriterRequest } from './store-writer.ts';

const port = parentPort;
if (!port) throw new Error('store-writer-worker.ts runs only as a worker thread');
const { file } = workerData as StoreWriterInit;
// SQLite's defaults on purpose. Rarer checkpoints here moved them onto the
// engine thread (its connection met the longer WAL at its next write); an
// 8 MB page cache saved ~27 ms of this thread's CPU per 10k header rows but
// its memory can stay in this thread's malloc arena after the sync, and the
// engine's RSS at 100k sits close to its 200 MB limit.
const store = new MailStore(openDatabase(file));

port.on('message', (request: StoreWriterRequest) => {
  if (request.type === 'close') {
    store.db.close();
    port.close();
    return;
  }
  let reply: StoreWriterReply;
  try {
    if (request.type === 'headers') reply = { seq: request.seq, ids: store.insertHeaders(request.folderId, request.headers, { linkLater: request.linkLater }) };
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
