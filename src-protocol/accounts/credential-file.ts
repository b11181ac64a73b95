/**
 * Secrets that must outlive the process when no keychain is at hand: the
 * CLI's (and the web bridge's) OAuth token sets, which the engine rewrites
 * on every refresh (providers such as Microsoft rotate the refresh token).
 *
 * Never in plain text: each file is sealed with AES-256-GCM under a key
 * derived (scrypt) from a passphrase the person gives in the environment
 * variable POSTERN_CREDENTIAL_KEY, as the CLI takes passwords from the
 * environment. Without it nothing is written. One file per account,
 * PROFILE/credentials/<id>.oauth, mode 0600 in a 0700 folder, replaced
 * atomically. The desktop app never uses this: it encrypts with safeStorage.
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt } from 'node:crypto';
import { chmod, mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PosternError } from '../common/errors.ts';
import { writeFileAtomic } from '../common/atomic-file.ts';
import { AccountId } from '../contract/schemas.ts';

export const CREDENTIAL_KEY_VARIABLE = 'POSTERN_CREDENTIAL_KEY';

// scrypt's cost: ~50 ms on this class of machine, paid once per file read or write.
const SCRYPT = { N: 1 << 15, r: 8, p: 1, maxmem: 64 * 1024 * 1024 } as const;

const Sealed = z.object({
  v: z.literal(1),
  salt: z.base64(),
  iv: z.base64(),
  tag: z.base64(),
  data: z.base64(),
});

function deriveKey(passphrase: string, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(passphrase, salt, 32, SCRYPT, (err, key) => (err ? reject(err) : resolve(key))));
}

export class CredentialFiles {
  readonly #dir: string;
  readonly #passphrase: string | undefined;

  constructor(profileDir: string, passphrase: string | undefined) {
    this.#dir = join(profileDir, 'credentials');
    this.#passphrase = passphrase === '' ? undefined : passphrase;
  }

  async write(accountId: string, secret: string): Promise<void> {
    const passphrase = this.#needPassphrase('keep the sign-in');
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', await deriveKey(passphrase, salt), iv);
    const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
    const sealed = { v: 1, salt: salt.toString('base64'), iv: iv.toString('base64'), tag: cipher.getAuthTag().toString('base64'), data: data.toString('base64') };
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    await chmod(this.#dir, 0o700);
    await writeFileAtomic(this.#file(accountId), JSON.stringify(sealed), 0o600);
  }

  async read(accountId: string): Promise<string> {
    let text: string;
    try {
      text = await readFile(this.#file(accountId), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        throw new PosternError('CREDENTIAL_MISSING', 'This account has not been signed in on this computer yet (no saved sign-in was found).');
      }
      throw new PosternError('STORAGE', `The saved sign-in could not be read: ${(err as Error).message}`, { cause: err });
    }
    const passphrase = this.#needPassphrase('read the saved sign-in');
    let sealed: z.infer<typeof Sealed>;
    try {
      sealed = Sealed.parse(JSON.parse(text));
    } catch (err) {
      throw new PosternError('CREDENTIAL_MISSING', 'The saved sign-in is damaged; sign in again with "postern account login".', { cause: err });
    }
    try {
      const decipher = createDecipheriv('aes-256-gcm', await deriveKey(passphrase, Buffer.from(sealed.salt, 'base64')), Buffer.from(sealed.iv, 'base64'));
      decipher.setAuthTag(Buffer.from(sealed.tag, 'base64'));
      return Buffer.concat([decipher.update(Buffer.from(sealed.data, 'base64')), decipher.final()]).toString('utf8');
    } catch (err) {
      throw new PosternError('CREDENTIAL_MISSING', `The saved sign-in could not be opened with the passphrase in ${CREDENTIAL_KEY_VARIABLE}; give the one it was saved with, or sign in again.`, { cause: err });
    }
  }

  async remove(accountId: string): Promise<void> {
    await rm(this.#file(accountId), { force: true });
  }

  #needPassphrase(what: string): string {
    if (this.#passphrase === undefined) {
      throw new PosternError('CREDENTIAL_MISSING', `Postern keeps sign-ins encrypted and needs a passphrase to ${what}: set ${CREDENTIAL_KEY_VARIABLE}.`);
    }
    return this.#passphrase;
  }

  #file(accountId: string): string {
    // The id becomes a file name: only the contract's account ids.
    return join(this.#dir, `${AccountId.parse(accountId)}.oauth`);
  }
}
