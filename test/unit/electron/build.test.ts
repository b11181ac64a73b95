/**
 * The bundles electron/build.mjs writes, checked as Electron would load
 * them: the preload in a sandbox whose `require` knows only 'electron', the
 * engine worker started for real by the engine host, the header writer
 * found beside it and writing.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { isBuiltin } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import vm from 'node:vm';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EnvCredentialStore } from '../../../src-protocol/accounts/credentials.ts';
import { CALL_NAMES } from '../../../src-protocol/contract/contract.ts';
import type { PreloadApi } from '../../../src-protocol/contract/preload-api.ts';
import { startEngine } from '../../../src-protocol/service/engine-host.ts';
import { openDatabase } from '../../../src-protocol/store/database.ts';
import { MailStore, type HeaderInput } from '../../../src-protocol/store/mail-store.ts';
import { storeWriterEntry, type StoreWriterInit, type StoreWriterReply, type StoreWriterRequest } from '../../../src-protocol/store/store-writer.ts';

const repo = fileURLToPath(new URL('../../..', import.meta.url));
const outdir = mkdtempSync(path.join(tmpdir(), 'postern-electron-build-'));
const profiles: string[] = [];

beforeAll(async () => {
  await promisify(execFile)(process.execPath, [path.join(repo, 'electron', 'build.mjs'), '--outdir', outdir], { cwd: repo });
}, 120_000);

afterAll(() => {
  for (const dir of [outdir, ...profiles]) rmSync(dir, { recursive: true, force: true });
});

function requiredModules(file: string): string[] {
  const code = readFileSync(path.join(outdir, file), 'utf8');
  return [...new Set([...code.matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1] ?? ''))];
}

describe('electron/build.mjs', () => {
  it('bundles every npm dependency into main and the worker (the package ships no node_modules)', () => {
    for (const file of ['main.cjs', 'engine-worker.cjs']) {
      const stray = requiredModules(file).filter((m) => m !== 'electron' && !isBuiltin(m));
      expect(stray, file).toEqual([]);
    }
    expect(requiredModules('engine-worker.cjs')).not.toContain('electron');
  });

  it('makes a small preload that requires only electron and works in a sandbox', async () => {
    const code = readFileSync(path.join(outdir, 'preload.cjs'), 'utf8');
    expect(code.length).toBeLessThan(20_000); // the contract's names, not zod
    const exposed = new Map<string, unknown>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: unknown) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => { invoked.push(args); return { ok: true, value: [] }; },
        send: () => undefined,
        on: () => undefined,
        removeListener: () => undefined,
      },
    };
    const sandboxRequire = (id: string): unknown => {
      if (id === 'electron') return electron;
      throw new Error(`module not found: ${id}`);
    };
    const module = { exports: {} };
    vm.runInNewContext(code, { require: sandboxRequire, module, exports: module.exports });
    const api = exposed.get('postern') as PreloadApi;
    expect(Object.keys(api).sort()).toEqual(['call', 'cancel', 'subscribe']);
    expect(await api.call(1, CALL_NAMES[0] ?? '', {})).toEqual({ ok: true, value: [] });
    expect(await api.call(2, 'not:a-call', {})).toMatchObject({ ok: false, error: { code: 'FORBIDDEN' } });
    expect(invoked).toEqual([[CALL_NAMES[0], 1, {}]]);
  });

  it('the preload knows every call of the contract', () => {
    const code = readFileSync(path.join(outdir, 'preload.cjs'), 'utf8');
    for (const name of CALL_NAMES) expect(code).toContain(`"${name}"`);
  });

  it('the bundled store writer, beside the engine worker, writes header and body batches', async () => {
    expect(requiredModules('store-writer-worker.cjs').filter((m) => !isBuiltin(m))).toEqual([]);
    const dir = mkdtempSync(path.join(tmpdir(), 'postern-writer-profile-'));
    profiles.push(dir);
    const file = path.join(dir, 'mail.sqlite');
    const store = new MailStore(openDatabase(file));
    const folderId = store.ensureFolder('acct', { path: 'INBOX', name: 'INBOX', delimiter: '/', special_use: 'inbox' }).id;
    // The engine worker looks for it beside its own file.
    const entry = storeWriterEntry(pathToFileURL(path.join(outdir, 'engine-worker.cjs')).href);
    const worker = new Worker(entry, { workerData: { file } satisfies StoreWriterInit });
    try {
      const reply = () => new Promise<StoreWriterReply>((resolve) => worker.once('message', resolve));
      const headers: HeaderInput[] = [1, 2].map((uid) => ({ uid, subject: `Bundled ${uid}`, from: [], date_ms: null, flags: [], size: 1, has_attachments: false, message_id: null }));
      const inserted = reply();
      worker.postMessage({ type: 'headers', seq: 1, folderId, headers, linkLater: true } satisfies StoreWriterRequest);
      const answer = await inserted;
      expect(answer).toMatchObject({ seq: 1, ids: [expect.any(Number), expect.any(Number)] });
      expect(store.localCounts(folderId).total).toBe(2);
      // Written as a header sync writes them: linked into conversations afterwards.
      expect(store.pendingLinks()).toBe(2);
      const [id] = 'ids' in answer ? answer.ids : [];
      const recorded = reply();
      worker.postMessage({ type: 'bodies', seq: 2, bodies: [{ id: id as number, sha256: 'a'.repeat(64), packed: { pack: `${'b'.repeat(24)}.pack`, offset: 0, length: 9 }, index: { body: 'quokka', attachmentNames: [], hasAttachments: false } }] } satisfies StoreWriterRequest);
      expect(await recorded).toEqual({ seq: 2, ids: [] });
      expect(store.search('quokka', { limit: 5 }).map((m) => m.id)).toEqual([id]);
      expect(store.packedAt('a'.repeat(64))).toEqual({ pack: `${'b'.repeat(24)}.pack`, offset: 0, length: 9 });
    } finally {
      await worker.terminate();
      store.db.close();
    }
  });

  it('the bundled engine worker starts and answers calls', async () => {
    const profileDir = mkdtempSync(path.join(tmpdir(), 'postern-worker-profile-'));
    profiles.push(profileDir);
    const dispatcher = await startEngine({
      profileDir,
      credentials: new EnvCredentialStore({}),
      workerUrl: pathToFileURL(path.join(outdir, 'engine-worker.cjs')),
    });
    try {
      expect(await dispatcher.call('mail:accounts.list', {})).toEqual({ ok: true, value: [] });
    } finally {
      await dispatcher.close();
    }
  }, 60_000);
});
