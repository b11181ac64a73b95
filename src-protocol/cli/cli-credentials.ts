/**
 * The CLI's credential store: a password named by --password-env is read
 * from that variable on every run; an account added without it gets its
 * password from standard input whenever a command needs it. Passwords are
 * never kept; OAuth token sets are, in a 0600 file of the profile
 * (credential-file.ts), when the store is given the profile folder.
 */
import { EnvCredentialStore, type CredentialRef } from '../accounts/credentials.ts';
import { readSecretFromStdin } from './stdin.ts';

export class CliCredentialStore extends EnvCredentialStore {
  #stdinSecret: string | undefined;

  override async load(accountId: string, ref: CredentialRef): Promise<string> {
    if (ref.kind !== 'session' && ref.kind !== 'safe-storage') return super.load(accountId, ref);
    this.#stdinSecret ??= await readSecretFromStdin();
    return this.#stdinSecret;
  }
}
