import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SafeStorageCredentialStore, type SafeStorageLike } from '../../../electron/safe-storage-credentials.ts';

/**
 * Electron's safeStorage, played by a reversible transform (XOR with a key
 * plus a marker), as the OS keychain would: the bytes on disk differ from
 * the secret, and only this "keychain" turns them back.
 */
function fakeSafeStorage(options: { available?: boolean; backend?: ReturnType<SafeStorageLike['getSelectedStorageBackend']>; rotate?: boolean } = {}) {
  const key = Buffer.from('keychain-key-0123456789');
  const xor = (data: Buffer) => Buffer.from(data.map((b, i) => b ^ (key[i % key.length] ?? 0)));
  const marker = Buffer.from('v10');
  const stats = { encrypted: 0, decrypted: 0 };
  const storage: SafeStorageLike = {
    isAsyncEncryptionAvailable: async () => options.available ?? true,
    getSelectedStorageBackend: () => options.backend ?? 'gnome_libsecret',
    encryptStringAsync: async (plain: string) => {
      stats.encrypted++;
      return Buffer.concat([marker, xor(Buffer.from(plain, 'utf8'))]);
    },
    decryptStringAsync: async (encrypted: Buffer) => {
      stats.decrypted++;
      if (!encrypted.subarray(0, 3).equals(marker)) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return { result: xor(encrypted.subarray(3)).toString('utf8'), shouldReEncrypt: options.rotate ?? false };
    },
  };
  return { storage, stats };
}

const dirs: string[] = [];
function profile(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'postern-creds-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const SECRET = 'correct horse battery staple ✓';

describe('SafeStorageCredentialStore', () => {
  it('round-trips a password and keeps no plain text on disk', async () => {
    const profileDir = profile();
    const store = new SafeStorageCredentialStore({ profileDir, safeStorage: fakeSafeStorage().storage, platform: 'linux' });
    const ref = await store.save('home', SECRET);
    expect(ref).toEqual({ kind: 'safe-storage' });
    expect(await store.load('home', ref)).toBe(SECRET);

    const file = path.join(profileDir, 'credentials', 'home.bin');
    const bytes = readFileSync(file);
    expect(bytes.includes(Buffer.from(SECRET, 'utf8'))).toBe(false);
    expect(bytes.includes(Buffer.from('correct horse'))).toBe(false);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(profileDir, 'credentials')).mode & 0o777).toBe(0o700);
    // The temp file of the atomic write is gone.
    expect(readdirSync(path.join(profileDir, 'credentials'))).toEqual(['home.bin']);
  });

  it('replaces a saved password', async () => {
    const store = new SafeStorageCredentialStore({ profileDir: profile(), safeStorage: fakeSafeStorage().storage, platform: 'linux' });
    await store.save('home', 'old password');
    const ref = await store.save('home', SECRET);
    expect(await store.load('home', ref)).toBe(SECRET);
  });

  it('refuses to save when the keychain is unavailable, and writes nothing', async () => {
    const profileDir = profile();
    const store = new SafeStorageCredentialStore({ profileDir, safeStorage: fakeSafeStorage({ available: false }).storage, platform: 'darwin' });
    await expect(store.save('home', SECRET)).rejects.toMatchObject({ code: 'CREDENTIAL_MISSING', message: expect.stringMatching(/plain text/) });
    expect(readdirSync(profileDir)).toEqual([]);
  });

  it('refuses Linux\'s basic_text backend, whose key is public', async () => {
    const profileDir = profile();
    const { storage, stats } = fakeSafeStorage({ backend: 'basic_text' });
    const store = new SafeStorageCredentialStore({ profileDir, safeStorage: storage, platform: 'linux' });
    await expect(store.save('home', SECRET)).rejects.toMatchObject({ code: 'CREDENTIAL_MISSING' });
    expect(stats.encrypted).toBe(0);
    expect(readdirSync(profileDir)).toEqual([]);
  });

  it('refuses to load when the keychain went away', async () => {
    const profileDir = profile();
    const ref = await new SafeStorageCredentialStore({ profileDir, safeStorage: fakeSafeStorage().storage, platform: 'linux' }).save('home', SECRET);
    const later = new SafeStorageCredentialStore({ profileDir, safeStorage: fakeSafeStorage({ available: false }).storage, platform: 'linux' });
    await expect(later.load('home', ref)).rejects.toMatchObject({ code: 'CREDENTIAL_MISSING' });
  });

  it('says the password is missing when there is no file or it cannot be decrypted', async () => {
    const profileDir = profile();
    const store = new SafeStorageCredentialStore({ profileDir, safeStorage: fakeSafeStorage().storage, platform: 'linux' });
    await expect(store.load('home', { kind: 'safe-storage' })).rejects.toMatchObject({ code: 'CREDENTIAL_MISSING' });
    await store.save('home', SECRET);
    writeFileSync(path.join(profileDir, 'credentials', 'home.bin'), 'garbage');
    await expect(store.load('home', { kind: 'safe-storage' })).rejects.toMatchObject({ code: 'CREDENTIAL_MISSING' });
  });

  it('re-encrypts when the keychain asks for it', async () => {
    const profileDir = profile();
    const { storage, stats } = fakeSafeStorage({ rotate: true });
    const store = new SafeStorageCredentialStore({ profileDir, safeStorage: storage, platform: 'linux' });
    await store.save('home', SECRET);
    expect(await store.load('home', { kind: 'safe-storage' })).toBe(SECRET);
    expect(stats.encrypted).toBe(2);
  });

  it('reads {kind: env} references of CLI-made accounts from the environment', async () => {
    const store = new SafeStorageCredentialStore({
      profileDir: profile(),
      safeStorage: fakeSafeStorage({ available: false }).storage,
      env: { POSTERN_PW_HOME: SECRET },
    });
    expect(await store.load('home', { kind: 'env', variable: 'POSTERN_PW_HOME' })).toBe(SECRET);
    await expect(store.load('home', { kind: 'env', variable: 'POSTERN_PW_OTHER' })).rejects.toMatchObject({
      code: 'CREDENTIAL_MISSING',
      message: expect.stringContaining('POSTERN_PW_OTHER'),
    });
    expect(await store.save('home', SECRET, { envVariable: 'POSTERN_PW_HOME' })).toEqual({ kind: 'env', variable: 'POSTERN_PW_HOME' });
  });

  it('remove deletes the file', async () => {
    const profileDir = profile();
    const store = new SafeStorageCredentialStore({ profileDir, safeStorage: fakeSafeStorage().storage, platform: 'linux' });
    const ref = await store.save('home', SECRET);
    await store.remove('home', ref);
    expect(readdirSync(path.join(profileDir, 'credentials'))).toEqual([]);
    await expect(store.load('home', ref)).rejects.toMatchObject({ code: 'CREDENTIAL_MISSING' });
  });

  it('refuses account ids that are not plain file names', async () => {
    const profileDir = profile();
    const store = new SafeStorageCredentialStore({ profileDir, safeStorage: fakeSafeStorage().storage, platform: 'linux' });
    for (const id of ['../escape', 'a/b', '', 'UPPER', '.hidden']) {
      await expect(store.save(id, SECRET), id).rejects.toMatchObject({ code: 'BAD_INPUT' });
    }
    expect(readdirSync(profileDir)).toEqual([]);
  });
});
