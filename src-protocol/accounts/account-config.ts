/**
 * Accounts live in PROFILE/accounts.json (validated on every read: a config
 * file is a boundary too) with each private CA in PROFILE/ca/. No secret is
 * ever in these files: `credential` only says where the secret lives.
 */
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { PosternError } from '../common/errors.ts';
import { writeFileAtomic } from '../common/atomic-file.ts';
import { AccountId, Identity, Pop3Retention, ServerEndpoint, SmtpEndpoint, type AccountSummary } from '../contract/schemas.ts';
import { StoredOAuth } from './oauth-providers.ts';

const CredentialRefSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('env'), variable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/) }),
  z.object({ kind: z.literal('safe-storage') }),
  z.object({ kind: z.literal('session') }),
  z.object({ kind: z.literal('file') }),
  z.object({ kind: z.literal('none') }),
]);

export const StoredAccount = z.object({
  id: AccountId,
  name: z.string().min(1),
  email: z.string().min(3),
  user: z.string().min(1),
  imap: ServerEndpoint.nullable(),
  /** Absent in files written before POP3 existed. */
  pop3: ServerEndpoint.extend({ retention: Pop3Retention }).nullable().default(null),
  smtp: SmtpEndpoint,
  credential: CredentialRefSchema,
  /**
   * OAuth 2.0 sign-in (XOAUTH2) instead of a password: the provider's
   * endpoints, client id and scopes only. The tokens are in the credential
   * store (`credential`), never here.
   */
  oauth: StoredOAuth.nullable().default(null),
  /** Aliases with signatures; absent in files written before identities existed. */
  identities: z.array(Identity).default([]),
  ca_file: z.string().regex(/^[a-z0-9-]+\.pem$/).nullable(),
});
export type StoredAccount = z.infer<typeof StoredAccount>;
export type StoredAccountInput = z.input<typeof StoredAccount>;

const AccountsFile = z.object({ version: z.literal(1), accounts: z.array(StoredAccount) });

export class AccountConfig {
  readonly #profileDir: string;

  constructor(profileDir: string) {
    this.#profileDir = profileDir;
  }

  get #file(): string {
    return join(this.#profileDir, 'accounts.json');
  }

  async list(): Promise<StoredAccount[]> {
    let text: string;
    try {
      text = await readFile(this.#file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw new PosternError('STORAGE', `The account list could not be read: ${(err as Error).message}`, { cause: err });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      throw new PosternError('STORAGE', `The account list ${this.#file} is not valid JSON; fix or remove it.`, { cause: err });
    }
    const parsed = AccountsFile.safeParse(json);
    if (!parsed.success) {
      throw new PosternError('STORAGE', `The account list ${this.#file} is damaged: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
    }
    return parsed.data.accounts;
  }

  /** Finds an account by id or by name (case-insensitive). */
  async find(idOrName: string): Promise<StoredAccount> {
    const accounts = await this.list();
    const hit = accounts.find((a) => a.id === idOrName) ?? accounts.find((a) => a.name.toLowerCase() === idOrName.toLowerCase());
    if (!hit) throw new PosternError('NOT_FOUND', `There is no account called "${idOrName}".`);
    return hit;
  }

  async add(account: StoredAccountInput, caPem?: string): Promise<StoredAccount> {
    const accounts = await this.list();
    if (accounts.some((a) => a.id === account.id || a.name.toLowerCase() === account.name.toLowerCase())) {
      throw new PosternError('ACCOUNT_EXISTS', `An account called "${account.name}" already exists.`);
    }
    // Parsing drops anything that is not part of the schema (never a password).
    let stored = StoredAccount.parse(account);
    if (caPem) {
      const caFile = `${account.id}.pem`;
      await writeFileAtomic(join(this.#profileDir, 'ca', caFile), caPem, 0o644);
      stored = { ...stored, ca_file: caFile };
    }
    await this.#write([...accounts, stored]);
    return stored;
  }

  async update(id: string, change: (a: StoredAccount) => StoredAccountInput): Promise<StoredAccount> {
    const accounts = await this.list();
    const i = accounts.findIndex((a) => a.id === id);
    const current = accounts[i];
    if (!current) throw new PosternError('NOT_FOUND', `There is no account "${id}".`);
    const next = StoredAccount.parse(change(current));
    accounts[i] = next;
    await this.#write(accounts);
    return next;
  }

  async remove(id: string): Promise<boolean> {
    const accounts = await this.list();
    const hit = accounts.find((a) => a.id === id);
    if (!hit) return false;
    await this.#write(accounts.filter((a) => a.id !== id));
    if (hit.ca_file) await rm(join(this.#profileDir, 'ca', hit.ca_file), { force: true });
    return true;
  }

  async caPem(account: StoredAccount): Promise<string | undefined> {
    if (!account.ca_file) return undefined;
    return readFile(join(this.#profileDir, 'ca', account.ca_file), 'utf8');
  }

  async #write(accounts: StoredAccount[]): Promise<void> {
    await writeFileAtomic(this.#file, JSON.stringify({ version: 1, accounts }, null, 2) + '\n');
  }
}

/** A stable, readable id from the account's name ("Work Mail" -> "work-mail"). */
export function accountIdFromName(name: string, taken: ReadonlySet<string>): string {
  const base = name.toLowerCase().normalize('NFKD').replace(/\p{M}+/gu, '').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'account';
  let id = base;
  for (let n = 2; taken.has(id); n++) id = `${base}-${n}`;
  return id;
}

export function toSummary(a: StoredAccount): AccountSummary {
  return {
    id: a.id, name: a.name, email: a.email, user: a.user, kind: a.pop3 ? 'pop3' : 'imap',
    imap: a.imap, pop3: a.pop3, smtp: a.smtp, has_custom_ca: a.ca_file !== null, identities: identitiesOf(a),
    ...(a.oauth ? { oauth: { provider: a.oauth.provider, signed_in: a.credential.kind !== 'none' } } : {}),
  };
}

/** The account's own address first (signature from a saved entry for it), then its aliases. */
export function identitiesOf(a: StoredAccount): z.infer<typeof Identity>[] {
  const own = a.identities.find((i) => i.address.toLowerCase() === a.email.toLowerCase());
  return [
    { name: own?.name ?? a.name, address: a.email, signature: own?.signature ?? '' },
    ...a.identities.filter((i) => i.address.toLowerCase() !== a.email.toLowerCase()),
  ];
}
