/**
 * Where account secrets live. The engine never writes a password to disk in
 * plain text: the Electron shell keeps it encrypted with safeStorage (the OS
 * keychain's key); the CLI and tests name an environment variable that holds
 * it at run time; the web bridge may keep it in memory for the session.
 */
import { PosternError } from '../common/errors.ts';

export type CredentialRef =
  | { kind: 'env'; variable: string }
  | { kind: 'safe-storage' }
  | { kind: 'session' };

export interface CredentialStore {
  /** Keeps `secret` for the account and says how the config should refer to it. */
  save(accountId: string, secret: string, hint?: { envVariable?: string }): Promise<CredentialRef>;
  load(accountId: string, ref: CredentialRef): Promise<string>;
  remove(accountId: string, ref: CredentialRef): Promise<void>;
}

/**
 * Secrets from environment variables (CLI, tests) with a per-process memory
 * fallback (web bridge). The variable's name is remembered, never its value.
 */
export class EnvCredentialStore implements CredentialStore {
  readonly #session = new Map<string, string>();
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv = process.env) {
    this.#env = env;
  }

  async save(accountId: string, secret: string, hint?: { envVariable?: string }): Promise<CredentialRef> {
    if (hint?.envVariable) return { kind: 'env', variable: hint.envVariable };
    this.#session.set(accountId, secret);
    return { kind: 'session' };
  }

  async load(accountId: string, ref: CredentialRef): Promise<string> {
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

  async remove(accountId: string): Promise<void> {
    this.#session.delete(accountId);
  }
}
