// startEngine with the real engine in a real worker thread. Passwords live
// in the host's CredentialStore; the worker must ask for them.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import type { TestUser } from '../../../servers/harness.ts';
import { AccountConfig, type StoredAccount } from '../../../../src-protocol/accounts/account-config.ts';
import { EnvCredentialStore } from '../../../../src-protocol/accounts/credentials.ts';
import type { EventName } from '../../../../src-protocol/contract/contract.ts';
import type { Dispatcher } from '../../../../src-protocol/service/dispatcher-types.ts';
import { startEngine, type EngineOptions } from '../../../../src-protocol/service/engine-host.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';

const servers = inject('servers');
const alice: TestUser = servers.users[0] ?? (() => {
  throw new Error('the test servers have no users');
})();

const VARIABLE = 'POSTERN_ENGINE_HOST_TEST_PASSWORD';
/** Fails a test that would otherwise wait for the suite's long timeout. */
const QUICK = 15_000;

let dir: string;
let profile: string;
const started: Dispatcher[] = [];

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-engine-'));
  profile = join(dir, 'profile');
});

afterEach(async () => {
  for (const d of started.splice(0)) await d.close();
  await rm(dir, { recursive: true, force: true });
});

async function start(options: Partial<EngineOptions> = {}): Promise<Dispatcher> {
  const dispatcher = await startEngine({ profileDir: profile, credentials: new EnvCredentialStore({}), ...options });
  started.push(dispatcher);
  return dispatcher;
}

/** Alice's account on the test Dovecot, her password named by an environment variable. */
async function writeAliceAccount(): Promise<StoredAccount> {
  return new AccountConfig(profile).add({
    id: 'alice', name: 'Alice', email: alice.email, user: alice.user,
    imap: { host: 'localhost', port: servers.ports.imaps, security: 'tls' },
    smtp: { host: 'localhost', port: servers.ports.submissions, security: 'tls' },
    credential: { kind: 'env', variable: VARIABLE },
    ca_file: null,
  }, servers.caPem);
}

describe('startEngine', () => {
  it('answers calls from the engine running in the worker', async () => {
    const engine = await start();
    expect(await engine.call('mail:accounts.list', {})).toEqual({ ok: true, value: [] });
    expect(await engine.call('mail:messages.list', { account_id: 'nobody' })).toMatchObject({ ok: false, error: { code: 'NOT_FOUND' } });
    expect(await engine.call('mail:nope', {})).toMatchObject({ ok: false, error: { code: 'BAD_INPUT' } });
    // The worker made the profile: the engine really ran there.
    expect(existsSync(join(profile, 'mail.sqlite'))).toBe(true);
  }, QUICK);

  it.runIf(process.platform === 'linux')('runs the engine thread below the UI thread\'s priority, leaving this thread as it was', async () => {
    // /proc/PID/task/TID/stat, field 19 is the nice value (counted after the ")" that ends the name).
    const niceOf = (tid: string) => Number(readFileSync(`/proc/self/task/${tid}/stat`, 'utf8').split(')').at(-1)?.trim().split(' ')[16]);
    const before = new Set(readdirSync('/proc/self/task'));
    await start();
    const added = readdirSync('/proc/self/task').filter((t) => !before.has(t));
    expect(added.map(niceOf)).toContain(LIMITS.engineThreadNice);
    expect(niceOf(String(process.pid))).toBe(0);
  });

  it('answers concurrent calls each with its own result', async () => {
    const engine = await start();
    const results = await Promise.all([
      engine.call('mail:accounts.list', {}),
      engine.call('mail:messages.get', { id: 7 }),
      engine.call('mail:messages.list', { account_id: 'Bad Id' }),
      engine.call('mail:accounts.list', {}),
    ]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual(['ok', 'NOT_FOUND', 'BAD_INPUT', 'ok']);
  }, QUICK);

  it('a password the host cannot find comes back as CREDENTIAL_MISSING naming the variable', async () => {
    await writeAliceAccount();
    const engine = await start({ credentials: new EnvCredentialStore({}) });
    const result = await engine.call('mail:folders.list', { account_id: 'alice' });
    expect(result).toMatchObject({ ok: false, error: { code: 'CREDENTIAL_MISSING' } });
    expect(!result.ok && result.error.message).toContain(VARIABLE);
  }, QUICK);

  it('the worker logs in with the password from the host\'s environment', async () => {
    await writeAliceAccount();
    const engine = await start({ credentials: new EnvCredentialStore({ [VARIABLE]: alice.password }) });
    const result = await engine.call('mail:folders.list', { account_id: 'alice' });
    expect(result.ok).toBe(true);
    expect(result.ok && (result.value as { path: string }[]).map((f) => f.path)).toContain('INBOX');
  }, QUICK);

  it('adding an account saves the password in the host\'s store, removing it forgets it', async () => {
    const credentials = new EnvCredentialStore({});
    const engine = await start({ credentials });
    const added = await engine.call('mail:accounts.add', {
      name: 'Alice', email: alice.email, user: alice.user, password: alice.password,
      imap: { host: 'localhost', port: servers.ports.imaps, security: 'tls' },
      smtp: { host: 'localhost', port: servers.ports.submissions, security: 'tls' },
      ca_pem: servers.caPem,
    });
    expect(added).toMatchObject({ ok: true, value: { id: 'alice' } });
    // The secret went to the host (session memory), not to the profile.
    expect(await credentials.load('alice', { kind: 'session' })).toBe(alice.password);
    expect(await readFile(join(profile, 'accounts.json'), 'utf8')).not.toContain(alice.password);

    expect(await engine.call('mail:accounts.remove', { account_id: 'alice' })).toEqual({ ok: true, value: { removed: true } });
    await expect(credentials.load('alice', { kind: 'session' })).rejects.toMatchObject({ code: 'CREDENTIAL_MISSING' });
    expect(await engine.call('mail:accounts.list', {})).toEqual({ ok: true, value: [] });
  }, QUICK);

  it('progress events from the worker reach the host\'s listeners until they stop listening', async () => {
    await writeAliceAccount();
    const engine = await start({ credentials: new EnvCredentialStore({ [VARIABLE]: alice.password }) });
    const events: [EventName, unknown][] = [];
    const stop = engine.onEvent((name, payload) => events.push([name, payload]));
    const synced = await engine.call('mail:sync.folder', { account_id: 'alice', folder: 'INBOX' });
    expect(synced).toMatchObject({ ok: true, value: { account_id: 'alice', folder: 'INBOX' } });
    expect(events.length).toBeGreaterThan(0);
    expect(events[0]).toEqual(['mail:progress', expect.objectContaining({ task: 'sync', account_id: 'alice', folder: 'INBOX' })]);

    stop();
    const before = events.length;
    await engine.call('mail:sync.folder', { account_id: 'alice', folder: 'INBOX' });
    expect(events).toHaveLength(before);
  }, QUICK);

  it('close() lets the engine close its database and ends the worker; later calls answer INTERNAL', async () => {
    const engine = await start();
    expect((await engine.call('mail:accounts.list', {})).ok).toBe(true);
    await engine.close();
    // SQLite removes the WAL file when the last connection closes cleanly.
    expect(existsSync(join(profile, 'mail.sqlite'))).toBe(true);
    expect(existsSync(join(profile, 'mail.sqlite-wal'))).toBe(false);
    expect(await engine.call('mail:accounts.list', {})).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    await engine.close();
  }, QUICK);

  it('a worker that dies answers the call in flight and every later call with INTERNAL', async () => {
    const engine = await start({ workerUrl: new URL('./dying-engine-worker.ts', import.meta.url) });
    expect(await engine.call('mail:accounts.list', {})).toEqual({ ok: true, value: [] });

    const inFlight = await engine.call('test:exit', {});
    expect(inFlight).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
    expect(!inFlight.ok && inFlight.error.message).toMatch(/exited \(code 3\)/);

    const later = await engine.call('mail:accounts.list', {});
    expect(later).toEqual(inFlight);
    // Closing a dead engine does not wait for a goodbye that cannot come.
    await engine.close();
  }, QUICK);

  it('a worker that cannot start makes startEngine fail instead of hanging', async () => {
    await expect(startEngine({
      profileDir: profile, credentials: new EnvCredentialStore({}), workerUrl: new URL('./no-such-worker.ts', import.meta.url),
    })).rejects.toThrow();
  }, QUICK);
});
