import { describe, expect, it } from 'vitest';
import { EnvCredentialStore, type CredentialRef, type CredentialStore } from '../../../../src-protocol/accounts/credentials.ts';
import { PosternError } from '../../../../src-protocol/common/errors.ts';

async function rejection(promise: Promise<unknown>): Promise<PosternError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PosternError);
    return err as PosternError;
  }
  throw new Error('expected a rejection');
}

describe('EnvCredentialStore: environment variables', () => {
  it('save with a variable name keeps only the name, never the secret', async () => {
    const env: NodeJS.ProcessEnv = {};
    const store = new EnvCredentialStore(env);
    const ref = await store.save('work', 'typed-in-secret', { envVariable: 'WORK_PW' });
    expect(ref).toEqual({ kind: 'env', variable: 'WORK_PW' });
    expect(JSON.stringify(ref)).not.toContain('typed-in-secret');
    // The secret handed to save was not kept anywhere: loading needs the variable.
    expect((await rejection(store.load('work', ref))).code).toBe('CREDENTIAL_MISSING');
  });

  it('reads the variable when the password is needed, not when the account was saved', async () => {
    const env: NodeJS.ProcessEnv = { WORK_PW: 'first' };
    const store = new EnvCredentialStore(env);
    const ref = await store.save('work', 'ignored', { envVariable: 'WORK_PW' });
    expect(await store.load('work', ref)).toBe('first');
    env['WORK_PW'] = 'rotated';
    expect(await store.load('work', ref)).toBe('rotated');
  });

  it('a missing or empty variable is CREDENTIAL_MISSING naming the variable', async () => {
    const env: NodeJS.ProcessEnv = { EMPTY_PW: '' };
    const store = new EnvCredentialStore(env);
    for (const variable of ['UNSET_PW', 'EMPTY_PW']) {
      const err = await rejection(store.load('work', { kind: 'env', variable }));
      expect(err.code).toBe('CREDENTIAL_MISSING');
      expect(err.message).toContain(variable);
    }
  });

  it('reads the given environment, not process.env', async () => {
    const variable = 'POSTERN_CREDENTIALS_TEST_ONLY_IN_PROCESS_ENV';
    process.env[variable] = 'from-process-env';
    try {
      const store = new EnvCredentialStore({});
      expect((await rejection(store.load('work', { kind: 'env', variable }))).code).toBe('CREDENTIAL_MISSING');
      expect(await new EnvCredentialStore().load('work', { kind: 'env', variable })).toBe('from-process-env');
    } finally {
      delete process.env[variable];
    }
  });
});

describe('EnvCredentialStore: session secrets', () => {
  it('without a variable name, keeps the secret in memory for this store only', async () => {
    const store = new EnvCredentialStore({});
    const ref = await store.save('work', 's3cret!');
    expect(ref).toEqual({ kind: 'session' });
    expect(JSON.stringify(ref)).not.toContain('s3cret!');
    expect(await store.load('work', ref)).toBe('s3cret!');
    // Another store (another run of the program) does not have it.
    const err = await rejection(new EnvCredentialStore({}).load('work', ref));
    expect(err.code).toBe('CREDENTIAL_MISSING');
    expect(err.message).toMatch(/session/);
  });

  it('keeps each account\'s secret apart', async () => {
    const store = new EnvCredentialStore({});
    await store.save('work', 'work-secret');
    await store.save('home', 'home-secret');
    expect(await store.load('work', { kind: 'session' })).toBe('work-secret');
    expect(await store.load('home', { kind: 'session' })).toBe('home-secret');
    expect((await rejection(store.load('other', { kind: 'session' }))).code).toBe('CREDENTIAL_MISSING');
  });

  it('remove forgets the session secret', async () => {
    // Typed as the interface the engine calls it through.
    const store: CredentialStore = new EnvCredentialStore({});
    const ref = await store.save('work', 'gone soon');
    await store.remove('work', ref);
    expect((await rejection(store.load('work', ref))).code).toBe('CREDENTIAL_MISSING');
  });

  it('a keychain (safe-storage) reference cannot be read here and says so', async () => {
    const store = new EnvCredentialStore({ WORK_PW: 'x' });
    const ref: CredentialRef = { kind: 'safe-storage' };
    const err = await rejection(store.load('work', ref));
    expect(err.code).toBe('CREDENTIAL_MISSING');
    expect(err.message).toMatch(/keychain/);
  });
});
