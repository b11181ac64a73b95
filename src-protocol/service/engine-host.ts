/**
 * Runs the mail engine in a worker thread so that sync, parsing and
 * indexing never block the thread that serves the UI (Electron's main
 * process, or the web bridge). The returned Dispatcher is what transports use.
 */
import { Worker } from 'node:worker_threads';
import type { CredentialStore } from '../accounts/credentials.ts';
import type { Dispatcher } from './dispatcher-types.ts';
import type { EventName } from '../contract/contract.ts';
import type { Envelope } from '../contract/envelope.ts';
import { toErrorPayload } from '../common/errors.ts';
import type { CredentialOp, HostToWorker, WorkerInit, WorkerToHost } from './engine-protocol.ts';
import type { MigrationStep } from '../store/database.ts';

export interface EngineOptions {
  /** Folder holding accounts.json, the SQLite store and the message files. */
  profileDir: string;
  /** Lives in the calling thread (safeStorage exists only in Electron's main). */
  credentials: CredentialStore;
  /** The worker's entry; the Electron bundle passes its built file. */
  workerUrl?: URL;
  /** Where "Save all" puts attachments (Electron: app.getPath('downloads')). */
  downloadsDir?: string;
  /** Each step of upgrading the database, while the engine starts (EngineStartupState keeps them for the window). */
  onMigration?: (step: MigrationStep) => void;
}

/**
 * A small young generation for the engine's heap. V8 sizes it from the
 * machine's memory (its new space grows to 128 MB on a 24 GB machine with
 * Node 24); sync allocates hundreds of MB of
 * short-lived buffers and strings, and with a big young generation the old
 * generation grows with them and stays grown. 12 MB (V8's semi-space 4 MB)
 * kept the engine's RSS after a 10k-message sync at about 250 MB instead of
 * 330 MB, at no measurable cost in sync time. The old generation is not
 * capped: one large message may need it, and a cap would crash the engine.
 * The benchmark (test/bench/sync) runs its in-process engine with the same
 * limit (--max-semi-space-size) so that it measures what the app runs.
 */
export const ENGINE_RESOURCE_LIMITS = { maxYoungGenerationSizeMb: 12 } as const;

export async function startEngine(options: EngineOptions): Promise<Dispatcher> {
  const workerData: WorkerInit = { profileDir: options.profileDir, downloadsDir: options.downloadsDir };
  const worker = new Worker(options.workerUrl ?? new URL('./engine-worker.ts', import.meta.url), { workerData, resourceLimits: ENGINE_RESOURCE_LIMITS });
  const post = (msg: HostToWorker) => worker.postMessage(msg);
  const pending = new Map<number, (e: Envelope<unknown>) => void>();
  const listeners = new Set<(name: EventName, payload: unknown) => void>();
  let nextId = 1;
  let dead: string | null = null;

  const failAll = (message: string) => {
    dead = message;
    for (const resolve of pending.values()) resolve({ ok: false, error: { code: 'INTERNAL', message } });
    pending.clear();
  };

  // The worker opens the database first, which may mean upgrading it: its steps come before 'ready'.
  const ready = new Promise<void>((resolve, reject) => {
    const onMessage = (m: WorkerToHost) => {
      if (m.type === 'migrating') {
        options.onMigration?.(m.step);
        return;
      }
      stopWaiting();
      if (m.type === 'ready') resolve();
      else reject(new Error(`engine sent ${m.type} first`));
    };
    const onError = (err: Error) => {
      stopWaiting();
      reject(err);
    };
    const onExit = (code: number) => {
      stopWaiting();
      reject(new Error(`The mail engine exited (code ${code}) while starting.`));
    };
    const stopWaiting = () => {
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
    };
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
  });
  await ready;

  let closed: (() => void) | null = null;
  worker.on('message', (msg: WorkerToHost) => {
    switch (msg.type) {
      case 'result':
        pending.get(msg.id)?.(msg.envelope);
        pending.delete(msg.id);
        break;
      case 'event':
        for (const l of listeners) l(msg.name as EventName, msg.payload);
        break;
      case 'credential':
        void answerCredential(options.credentials, msg.request).then(
          (value) => post({ type: 'credential-result', id: msg.id, ok: true, value }),
          (err: unknown) => post({ type: 'credential-result', id: msg.id, ok: false, error: toErrorPayload(err) }),
        );
        break;
      case 'closed':
        closed?.();
        break;
      case 'ready':
      case 'migrating':
        break;
    }
  });
  worker.on('error', (err) => failAll(`The mail engine stopped: ${err.message}`));
  worker.on('exit', (code) => failAll(`The mail engine exited (code ${code}).`));

  return {
    call(name, input, signal) {
      if (dead) return Promise.resolve({ ok: false, error: { code: 'INTERNAL', message: dead } });
      if (signal?.aborted) return Promise.resolve({ ok: false, error: { code: 'CANCELLED', message: 'The operation was cancelled.' } });
      const id = nextId++;
      return new Promise((resolve) => {
        const onAbort = () => post({ type: 'cancel', id });
        signal?.addEventListener('abort', onAbort, { once: true });
        pending.set(id, (envelope) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(envelope);
        });
        post({ type: 'call', id, name, input });
      });
    },
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      if (dead) return;
      const done = new Promise<void>((resolve) => (closed = resolve));
      post({ type: 'close' });
      // A worker that does not say goodbye in time is stopped.
      const timer = setTimeout(() => void worker.terminate(), 5000);
      await Promise.race([done, new Promise<void>((r) => worker.once('exit', () => r()))]);
      clearTimeout(timer);
      await worker.terminate();
    },
  };
}

async function answerCredential(store: CredentialStore, request: CredentialOp): Promise<unknown> {
  switch (request.op) {
    case 'save':
      return store.save(request.accountId, request.secret, request.hint);
    case 'load':
      return store.load(request.accountId, request.ref);
    case 'remove':
      await store.remove(request.accountId, request.ref);
      return null;
  }
}
