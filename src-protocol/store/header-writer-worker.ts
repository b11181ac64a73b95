/**
 * The header writer thread (see header-writer.ts): its own connection to
 * the profile's database, one transaction per batch through the same
 * MailStore.insertHeaders the engine uses inline, answers in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from './database.ts';
import { MailStore } from './mail-store.ts';
import type { HeaderWriterInit, HeaderWriterReply, HeaderWriterRequest } from './header-writer.ts';

const port = parentPort;
if (!port) throw new Error('header-writer-worker.ts runs only as a worker thread');
const { file } = workerData as HeaderWriterInit;
const store = new MailStore(openDatabase(file));

port.on('message', (request: HeaderWriterRequest) => {
  if (request.type === 'close') {
    store.db.close();
    port.close();
    return;
  }
  let reply: HeaderWriterReply;
  try {
    reply = { seq: request.seq, ids: store.insertHeaders(request.folderId, request.headers) };
  } catch (err) {
    const code = (err as { code?: unknown }).code;
    reply = { seq: request.seq, error: { code: typeof code === 'string' ? code : 'STORAGE', message: err instanceof Error ? err.message : String(err) } };
  }
  port.postMessage(reply);
});
