/**
 * Account passwords for the desktop app, encrypted with Electron's
 * safeStorage (a key held by the OS keychain: Keychain, DPAPI, libsecret or
 * KWallet). One file per account, profileDir/credentials/<accountId>.bin,
 * readable only by the owner and replaced atomically.
 *
 * When no real keychain is available, saving and loading are refused: the
 * app never falls back to storing passwords in plain text. On Linux that
 * includes Chromium's `basic_text` backend, which encrypts with a key that
 * is hard-coded in Chromium and so protects nothing.
 *
 * Accounts created by the CLI refer to an environment variable
 * ({kind: 'env'}); those are read from the environment as the CLI does.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import type { SafeStorage } from 'electron';
import type { CredentialRef, CredentialStore } from '../src-protocol/accounts/credentials.ts';
import { PosternError } from '../src-protocol/common/errors.ts';
import { AccountId } from '../src-protocol/contract/schemas.ts';

export type SafeStorageLike = Pick<
  SafeStorage,
  'isAsyncEncryptionAvailable' | 'encryptStringAsync' | 'decryptStringAsync' | 'getSelectedStorageBackend'
>;

export interface SafeStorageCredentialStoreOptions {
  profileDir: string;
  safeStorage: SafeStorageLike;
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
}

const NO_KEYCHAIN =
  'Postern cannot keep passwords safely because the system keychain is not available ' +
  '(on Linux: start a keyring such as GNOME Keyring or KWallet, or pass --password-store=gnome-libsecret). ' +
  'Postern does not store passwords in plain text.';

function isErrnoCode(err: unknown, code: string): boolean {
  return err instanceof Error && (err as NodeJS.ErrnoException).code === code;
}

export class SafeStorageCredentialStore implements CredentialStore {
  readonly #dir: string;
  readonly #safeStorage: SafeStorageLike;
  readonly #env: NodeJS.ProcessEnv;
  readonly #platform: NodeJS.Platform;

  constructor(options: SafeStorageCredentialStoreOptions) {
    this.#dir = path.join(options.profileDir, 'credentials');
    this.#safeStorage = options.safeStorage;
    this.#env = options.env ?? process.env;
    this.#platform = options.platform ?? process.platform;
  }

  async save(accountId: string, secret: string, hint?: { envVariable?: string }): Promise<CredentialRef> {
    if (hint?.envVariable) return { kind: 'env', variable: hint.envVariable };
    const file = this.#fileFor(accountId);
    await this.#requireKeychain();
    const encrypted = await this.#safeStorage.encryptStringAsync(secret);
    await this.#writeAtomically(file, encrypted);
    return { kind: 'safe-storage' };
  }

  async load(accountId: string, ref: CredentialRef): Promise<string> {
    if (ref.kind === 'env') return this.#fromEnv(ref.variable);
    if (ref.kind === 'session') {
      throw new PosternError('CREDENTIAL_MISSING',
        'The password for this account was kept only for the session that added it; enter it again.');
    }
    const file = this.#fileFor(accountId);
    await this.#requireKeychain();
    let encrypted: Buffer;
    try {
      encrypted = await readFile(file);
    } catch (err) {
      if (isErrnoCode(err, 'ENOENT')) {
        throw new PosternError('CREDENTIAL_MISSING', 'No saved password was found for this account; enter it again.');
      }
      throw new PosternError('STORAGE', `The saved password could not be read: ${(err as Error).message}`, { cause: err });
    }
    let decrypted: { result: string; shouldReEncrypt: boolean };
    try {
      decrypted = await this.#safeStorage.decryptStringAsync(encrypted);
    } catch (err) {
      throw new PosternError('CREDENTIAL_MISSING',
        'The saved password could not be decrypted (the system keychain may have changed); enter it again.', { cause: err });
    }
    if (decrypted.shouldReEncrypt) {
      // The keychain rotated its key; keep the file readable under the new one.
      await this.#writeAtomically(file, await this.#safeStorage.encryptStringAsync(decrypted.result)).catch(() => undefined);
    }
    return decrypted.result;
  }

  async remove(accountId: string, ref: CredentialRef): Promise<void> {
    if (ref.kind !== 'safe-storage') return;
    await rm(this.#fileFor(accountId), { force: true });
  }

  /** The account id becomes a file name, so it must be a plain contract id. */
  #fileFor(accountId: string): string {
    if (!AccountId.safeParse(accountId).success) {
      throw new PosternError('BAD_INPUT', `"${accountId}" is not a valid account id.`);
    }
    return path.join(this.#dir, `${accountId}.bin`);
  }

  #fromEnv(variable: string): string {
    const value = this.#env[variable];
    if (value === undefined || value === '') {
      throw new PosternError('CREDENTIAL_MISSING',
        `The password for this account is read from the environment variable ${variable}, which is not set.`);
    }
    return value;
  }

  async #requireKeychain(): Promise<void> {
    const available = await this.#safeStorage.isAsyncEncryptionAvailable();
    const plainTextBackend = this.#platform === 'linux' && this.#safeStorage.getSelectedStorageBackend() === 'basic_text';
    if (!available || plainTextBackend) throw new PosternError('CREDENTIAL_MISSING', NO_KEYCHAIN);
  }

  /** temp file (0600) + fsync + rename + directory fsync: a crash leaves the old or the new file, never half of one. */
  async #writeAtomically(file: string, data: Buffer): Promise<void> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const temp = `${file}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      const handle = await open(temp, 'wx', 0o600);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temp, file);
    } catch (err) {
      await rm(temp, { force: true });
      throw new PosternError('STORAGE', `The password could not be saved: ${(err as Error).message}`, { cause: err });
    }
    await this.#syncDir();
  }

  async #syncDir(): Promise<void> {
    if (this.#platform === 'win32') return; // directories cannot be opened for fsync there
    const handle = await open(this.#dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}
