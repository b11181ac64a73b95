/**
 * The CLI's credential store: a password named by --password-env is read
 * from that variable on every run; an account added without it gets its
 * password from standard input whenever a command needs it. Nothing is kept.
 */
import { EnvCredentialStore, type CredentialRef } from '../accounts/credentials.ts';
import { readSecretFromStdin } from './stdin.ts';

export class CliCredentialStore extends EnvCredentialStore {
  #stdinSecret: string | undefined;

  override async load(accountId: string, ref: CredentialRef): Promise<string> {
    if (ref.kind === 'env') return super.load(accountId, ref);
    this.#stdinSecret ??= await readSecretFromStdin();
    return this.#stdinSecret;
  }
}
