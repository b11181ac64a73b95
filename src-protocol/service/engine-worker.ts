/**
 * The engine's worker thread: owns the store and every server connection,
 * and answers the host's calls through the shared dispatcher.
 */
import { setPriority } from 'node:os';
import { parentPort, workerData } from 'node:worker_threads';
import { LIMITS } from '../common/limits.ts';
import { createInProcessEngine } from './engine.ts';
import { PosternError } from '../common/errors.ts';
import { isErrorCode } from '../common/error-codes.ts';
import type { CredentialRef, CredentialStore } from '../accounts/credentials.ts';
import type { CredentialOp, HostToWorker, WorkerInit, WorkerToHost } from './engine-protocol.ts';

const port = parentPort;
if (!port) throw new Error('engine-worker.ts must run in a worker thread');
lowerThisThreadsPriority();
const init = workerData as WorkerInit;
const send = (msg: WorkerToHost) => port.postMessage(msg);

let nextCredentialId = 1;
const pendingCredentials = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
function askHost(request: CredentialOp): Promise<unknown> {
  const id = nextCredentialId++;
  return new Promise((resolve, reject) => {
    pendingCredentials.set(id, { resolve, reject });
    send({ type: 'credential', id, request });
  });
}

const credentials: CredentialStore = {
  save: async (accountId, secret, hint) => (await askHost({ op: 'save', accountId, secret, ...(hint ? { hint } : {}) })) as CredentialRef,
  load: async (accountId, ref) => (await askHost({ op: 'load', accountId, ref })) as string,
  remove: async (accountId, ref) => {
    await askHost({ op: 'remove', accountId, ref });
  },
};

// Opening the database may upgrade it first; the host hears each step while the window waits.
const { dispatcher, service } = createInProcessEngine({
  profileDir: init.profileDir, downloadsDir: init.downloadsDir, credentials, onMigration: (step) => send({ type: 'migrating', step }),
});
// The app picks up where a previous run stopped: sends in the outbox, actions not yet on the server.
void service.resume();
const stopEvents = dispatcher.onEvent((name, payload) => send({ type: 'event', name, payload }));
const running = new Map<number, AbortController>();

port.on('message', (msg: HostToWorker) => {
  switch (msg.type) {
    case 'call': {
      const controller = new AbortController();
      running.set(msg.id, controller);
      void dispatcher.call(msg.name, msg.input, controller.signal).then((envelope) => {
        running.delete(msg.id);
        send({ type: 'result', id: msg.id, envelope });
      });
      break;
    }
    case 'cancel':
      running.get(msg.id)?.abort();
      break;
    case 'credential-result': {
      const pending = pendingCredentials.get(msg.id);
      pendingCredentials.delete(msg.id);
      if (!pending) break;
      if (msg.ok) pending.resolve(msg.value);
      else pending.reject(new PosternError(isErrorCode(msg.error.code) ? msg.error.code : 'INTERNAL', msg.error.message));
      break;
    }
    case 'close':
      for (const c of running.values()) c.abort();
      stopEvents();
      void dispatcher.close().then(() => {
        send({ type: 'closed' });
        port.close();
      });
      break;
  }
});

send({ type: 'ready' });

/**
 * The engine gives way to the thread that serves the window: on a machine
 * with two cores, a sync that parses and indexes flat out otherwise takes
 * the CPU from it (the benchmark saw the UI thread stall). Only on Linux,
 * where a nice value belongs to the thread that sets it; elsewhere
 * setpriority would lower the whole process, UI included.
 */
function lowerThisThreadsPriority(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(LIMITS.engineThreadNice);
  } catch {
    // Not allowed here (a container's seccomp, say): run at normal priority.
  }
}
