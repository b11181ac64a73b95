import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, inject, it } from 'vitest';
import { AccountConfig, accountIdFromName, toSummary, type StoredAccount } from '../../../../src-protocol/accounts/account-config.ts';
import { EnvCredentialStore } from '../../../../src-protocol/accounts/credentials.ts';
import { PosternError } from '../../../../src-protocol/common/errors.ts';
import { AccountId, AccountSummary } from '../../../../src-protocol/contract/schemas.ts';
import { createLogger } from '../../../../src-protocol/common/log.ts';
import { createInProcessEngine } from '../../../../src-protocol/service/engine.ts';
import type { TestUser } from '../../../servers/harness.ts';

const CA_PEM = '-----BEGIN CERTIFICATE-----\nMIIBfakefakefake\n-----END CERTIFICATE-----\n';

let profile: string;
let config: AccountConfig;
const accountsFile = (): string => join(profile, 'accounts.json');

beforeEach(async () => {
  profile = await mkdtemp(join(tmpdir(), 'postern-accounts-'));
  config = new AccountConfig(profile);
});

afterEach(async () => {
  await rm(profile, { recursive: true, force: true });
});

function account(id: string, name: string, over: Partial<StoredAccount> = {}): StoredAccount {
  return {
    id,
    name,
    email: `${id}@example.test`,
    user: id,
    imap: { host: 'imap.example.test', port: 993, security: 'tls' },
    pop3: null,
    smtp: { host: 'smtp.example.test', port: 587, security: 'starttls' },
    credential: { kind: 'env', variable: 'POSTERN_PW' },
    oauth: null,
    identities: [],
    ca_file: null,
    ...over,
  };
}

async function rejection(promise: Promise<unknown>): Promise<PosternError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(PosternError);
    return err as PosternError;
  }
  throw new Error('expected a rejection');
}

describe('AccountConfig: add, list, find, remove', () => {
  it('an empty profile has no accounts (and no file is created by reading)', async () => {
    expect(await config.list()).toEqual([]);
    expect(await readdir(profile)).toEqual([]);
  });

  it('keeps accounts in order and in a file only the owner can read', async () => {
    const work = await config.add(account('work', 'Work'));
    await config.add(account('home', 'Home'));
    expect(work).toEqual(account('work', 'Work'));
    expect((await config.list()).map((a) => a.id)).toEqual(['work', 'home']);
    // A second reader of the same profile sees the same thing: it is on disk.
    expect(await new AccountConfig(profile).list()).toEqual([account('work', 'Work'), account('home', 'Home')]);
    expect((await stat(accountsFile())).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(accountsFile(), 'utf8'))).toMatchObject({ version: 1 });
  });

  it('finds an account by id or by name in any case; an unknown one is NOT_FOUND naming it', async () => {
    await config.add(account('work-mail', 'Work Mail'));
    expect((await config.find('work-mail')).name).toBe('Work Mail');
    expect((await config.find('Work Mail')).id).toBe('work-mail');
    expect((await config.find('WORK MAIL')).id).toBe('work-mail');
    const err = await rejection(config.find('Holiday'));
    expect(err.code).toBe('NOT_FOUND');
    expect(err.message).toContain('Holiday');
  });

  it('an id match wins over another account whose name equals that id', async () => {
    await config.add(account('alpha', 'beta'));
    await config.add(account('beta', 'Gamma'));
    expect((await config.find('beta')).id).toBe('beta');
  });

  it('refuses a second account with the same name (any case) or the same id: ACCOUNT_EXISTS', async () => {
    await config.add(account('work', 'Work'));
    const byName = await rejection(config.add(account('work-2', 'WORK')));
    expect(byName.code).toBe('ACCOUNT_EXISTS');
    expect(byName.message).toContain('WORK');
    expect((await rejection(config.add(account('work', 'Other')))).code).toBe('ACCOUNT_EXISTS');
    expect(await config.list()).toHaveLength(1);
  });

  it('remove takes the account out and says whether there was one', async () => {
    await config.add(account('work', 'Work'));
    await config.add(account('home', 'Home'));
    expect(await config.remove('work')).toBe(true);
    expect((await config.list()).map((a) => a.id)).toEqual(['home']);
    expect(await config.remove('work')).toBe(false);
    expect(await config.remove('nobody')).toBe(false);
  });

  it('toSummary says whether a custom CA is set and leaves the credential reference out', () => {
    const summary = toSummary(account('work', 'Work', { ca_file: 'work.pem' }));
    expect(AccountSummary.parse(summary)).toEqual(summary);
    expect(summary.has_custom_ca).toBe(true);
    expect(summary).not.toHaveProperty('credential');
    expect(toSummary(account('home', 'Home')).has_custom_ca).toBe(false);
  });
});

describe('AccountConfig: private CA certificates', () => {
  it('keeps the PEM in ca/<id>.pem, gives it back, and removes it with the account', async () => {
    const stored = await config.add(account('work', 'Work'), CA_PEM);
    expect(stored.ca_file).toBe('work.pem');
    expect(await readFile(join(profile, 'ca', 'work.pem'), 'utf8')).toBe(CA_PEM);
    const found = await config.find('work');
    expect(found.ca_file).toBe('work.pem');
    expect(await config.caPem(found)).toBe(CA_PEM);
    // The account file names the CA file; the certificate itself lives apart.
    expect(await readFile(accountsFile(), 'utf8')).not.toContain('BEGIN CERTIFICATE');

    await config.remove('work');
    expect(await readdir(join(profile, 'ca'))).toEqual([]);
  });

  it('an account without a CA has none', async () => {
    const stored = await config.add(account('home', 'Home'));
    expect(stored.ca_file).toBeNull();
    expect(await config.caPem(stored)).toBeUndefined();
  });
});

describe('AccountConfig: a damaged accounts.json is reported, never silently reset', () => {
  const cases: [string, string][] = [
    ['not JSON', '{"version": 1, "accounts": ['],
    ['the wrong shape', JSON.stringify({ version: 1, accounts: [{ id: 'x' }] })],
    ['an unknown version', JSON.stringify({ version: 2, accounts: [] })],
    ['a bad account id', JSON.stringify({ version: 1, accounts: [{ ...account('work', 'Work'), id: '../evil' }] })],
    ['a CA file outside ca/', JSON.stringify({ version: 1, accounts: [account('work', 'Work', { ca_file: '../../etc/passwd' })] })],
    ['a plain array', JSON.stringify([account('work', 'Work')])],
  ];
  for (const [what, text] of cases) {
    it(`${what}: STORAGE naming the file, and the file is left as it was`, async () => {
      await writeFile(accountsFile(), text);
      const listed = await rejection(config.list());
      expect(listed.code).toBe('STORAGE');
      expect(listed.message).toContain(accountsFile());
      // Adding must not "repair" the file by writing a fresh list over it.
      expect((await rejection(config.add(account('new', 'New')))).code).toBe('STORAGE');
      expect((await rejection(config.remove('work'))).code).toBe('STORAGE');
      expect(await readFile(accountsFile(), 'utf8')).toBe(text);
    });
  }

  it('an accounts.json that cannot be read (a folder) is STORAGE, not an empty list', async () => {
    const { mkdir } = await import('node:fs/promises');
    await mkdir(accountsFile());
    expect((await rejection(config.list())).code).toBe('STORAGE');
  });
});

describe('accountIdFromName', () => {
  it('makes a readable slug', () => {
    const none = new Set<string>();
    expect(accountIdFromName('Work Mail', none)).toBe('work-mail');
    expect(accountIdFromName('  --Work   & Play!!  ', none)).toBe('work-play');
    expect(accountIdFromName('alice@example.test', none)).toBe('alice-example-test');
  });

  it('falls back to "account" when nothing readable is left', () => {
    expect(accountIdFromName('!!!', new Set())).toBe('account');
    expect(accountIdFromName('日本語', new Set())).toBe('account');
    expect(accountIdFromName('', new Set(['account']))).toBe('account-2');
  });

  it('numbers a name that is taken: -2, -3, …', () => {
    expect(accountIdFromName('Work', new Set(['work']))).toBe('work-2');
    expect(accountIdFromName('Work', new Set(['work', 'work-2']))).toBe('work-3');
    expect(accountIdFromName('Work', new Set(['work-2']))).toBe('work');
  });

  it('always gives an id the contract accepts, even for long or odd names', () => {
    const names = ['x'.repeat(200), `${'a'.repeat(39)} b`, '-', '0', 'Ω mail', 'a'.repeat(40)];
    for (const name of names) {
      const id = accountIdFromName(name, new Set([accountIdFromName(name, new Set())]));
      expect(AccountId.safeParse(id).success, `${name} -> ${id}`).toBe(true);
      expect(id.length).toBeLessThanOrEqual(64);
    }
  });
});

describe('accounts.json never holds a password (the real engine, against the test Dovecot)', () => {
  const servers = inject('servers');
  const alice: TestUser = servers.users[0] ?? (() => {
    throw new Error('the test servers have no users');
  })();

  const addInput = (name: string) => ({
    name, email: alice.email, user: alice.user, password: alice.password,
    imap: { host: 'localhost', port: servers.ports.imaps, security: 'tls' as const },
    smtp: { host: 'localhost', port: servers.ports.submissions, security: 'tls' as const },
    ca_pem: servers.caPem,
  });

  async function addThroughEngine(hint: { envVariable?: string } | undefined) {
    const credentials = new EnvCredentialStore({});
    const logs: string[] = [];
    const engine = createInProcessEngine({
      profileDir: profile, credentials, logger: createLogger({}, (l) => logs.push(l), 'debug'),
      ...(hint ? { credentialHint: hint } : {}),
    });
    try {
      const added = await engine.dispatcher.call('mail:accounts.add', addInput('Alice'));
      return { added, credentials, logs };
    } finally {
      await engine.dispatcher.close();
    }
  }

  async function everyProfileFile(): Promise<string> {
    const entries = await readdir(profile, { recursive: true, withFileTypes: true });
    const texts = await Promise.all(entries.filter((e) => e.isFile()).map((e) => readFile(join(e.parentPath, e.name), 'latin1')));
    return texts.join('\n');
  }

  it('with --password-env: the file names the variable only', async () => {
    const { added, logs } = await addThroughEngine({ envVariable: 'ALICE_PASSWORD' });
    expect(added).toMatchObject({ ok: true, value: { id: 'alice', has_custom_ca: true } });
    const stored = await config.find('alice');
    expect(stored.credential).toEqual({ kind: 'env', variable: 'ALICE_PASSWORD' });
    expect(await readFile(accountsFile(), 'utf8')).not.toContain(alice.password);
    expect(await everyProfileFile()).not.toContain(alice.password);
    expect(logs.join('\n')).not.toContain(alice.password);
  });

  it('for the session: the secret stays in the credential store\'s memory, not on disk', async () => {
    const { added, credentials } = await addThroughEngine(undefined);
    expect(added.ok).toBe(true);
    const stored = await config.find('alice');
    expect(stored.credential).toEqual({ kind: 'session' });
    expect(await credentials.load('alice', stored.credential)).toBe(alice.password);
    expect(await everyProfileFile()).not.toContain(alice.password);
  });
});
