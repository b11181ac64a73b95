/**
 * Where account secrets live. The engine never writes a password to disk in
 * plain text: the Electron shell keeps it encrypted with safeStorage (the OS
 * keychain's key); the CLI and tests name an environment variable that holds
 * it at run time; the web bridge may keep it in memory for the session.
 */
import { PosternError } from '../common/errors.ts';
import { CREDENTIAL_KEY_VARIABLE, CredentialFiles } from './credential-file.ts';

export type CredentialRef =
  | { kind: 'env'; variable: string }
  | { kind: 'safe-storage' }
  | { kind: 'session' }
  /** An encrypted 0600 file in PROFILE/credentials/ (the CLI's OAuth tokens: they change as they are refreshed). */
  | { kind: 'file' }
  /** Nothing kept yet: an OAuth account before its first sign-in, or after the provider revoked it. */
  | { kind: 'none' };

export interface CredentialHint {
  /** The CLI names the environment variable that holds a password. */
  envVariable?: string;
  /**
   * 'oauth': the secret is an OAuth token set (oauth-token-set.ts) that the
   * engine rewrites on every refresh, so it must outlive the process.
   */
  purpose?: 'oauth';
}

export interface CredentialStore {
  /** Keeps `secret` for the account and says how the config should refer to it. */
  save(accountId: string, secret: string, hint?: CredentialHint): Promise<CredentialRef>;
  load(accountId: string, ref: CredentialRef): Promise<string>;
  remove(accountId: string, ref: CredentialRef): Promise<void>;
}

/**
 * Secrets from environment variables (CLI, tests) with a per-process memory
 * fallback (web bridge). The variable's name is remembered, never its value.
 * Given the profile folder, OAuth token sets go to a file there, encrypted
 * under the passphrase in POSTERN_CREDENTIAL_KEY (credential-file.ts),
 * because they must outlive the process.
 */
export class EnvCredentialStore implements CredentialStore {
  readonly #session = new Map<string, string>();
  readonly #env: NodeJS.ProcessEnv;
  readonly #files: CredentialFiles | undefined;

  constructor(env: NodeJS.ProcessEnv = process.env, profileDir?: string) {
    this.#env = env;
    this.#files = profileDir === undefined ? undefined : new CredentialFiles(profileDir, env[CREDENTIAL_KEY_VARIABLE]);
  }

  async save(accountId: string, secret: string, hint?: CredentialHint): Promise<CredentialRef> {
    if (hint?.envVariable) return { kind: 'env', variable: hint.envVariable };
    if (hint?.purpose === 'oauth' && this.#files) {
      await this.#files.write(accountId, secret);
      return { kind: 'file' };
    }
    this.#session.set(accountId, secret);
    return { kind: 'session' };
  }

  async load(accountId: string, ref: CredentialRef): Promise<string> {
    if (ref.kind === 'file') {
      if (!this.#files) throw new PosternError('CREDENTIAL_MISSING', 'The sign-in for this account is kept in the profile folder, which this process was not given.');
      return this.#files.read(accountId);
    }
    if (ref.kind === 'none') throw new PosternError('CREDENTIAL_MISSING', 'This account has not been signed in yet.');
    if (ref.kind === 'env') {
      const value = this.#env[ref.variable];
      if (value === undefined || value === '') {
        throw new PosternError('CREDENTIAL_MISSING', `The password for this account is read from the environment variable ${ref.variable}, which is not set.`);
      }
      return value;
    }
    const value = this.#session.get(accountId);
    if (value === undefined) {
      throw new PosternError('CREDENTIAL_MISSING', ref.kind === 'session'
        ? 'The password for this account was kept only for the session that added it; add the account again or start with --password-env.'
        : 'The password for this account is kept in the desktop app\'s keychain, which this process cannot read.');
    }
    return value;
  }

  async remove(accountId: string, ref: CredentialRef): Promise<void> {
    this.#session.delete(accountId);
    if (ref.kind === 'file') await this.#files?.remove(accountId);
  }
}
