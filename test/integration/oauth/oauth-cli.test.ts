// OAuth 2.0 accounts end to end, as a person at the command line sees them:
// `postern account add --oauth` signs in through the (test) provider's
// authorization page and the loopback redirect; then IMAP (OAUTHBEARER or
// XOAUTH2), SMTP submission (XOAUTH2) and POP3 (XOAUTH2) work against the
// real Dovecot and Postfix with no password anywhere. Access tokens are
// refreshed before they expire and when the server refuses them; a revoked
// sign-in gives AUTH_FAILED that says to sign in again; the refresh token
// never lands in accounts.json or in anything the CLI prints.
import { mkdtemp, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { oauthAdmin, oauthStats } from '../../servers/oauth-provider.ts';
import { waitFor } from '../../servers/proc.ts';
import { runCli } from '../../helpers/run-cli.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import type { AccountSummary, SyncResult } from '../../../src-protocol/contract/index.ts';
import { runCliWithBrowser } from './browser.ts';
import { CREDENTIAL_KEY_VARIABLE, CredentialFiles } from '../../../src-protocol/accounts/credential-file.ts';

const servers = inject('servers');
const provider = servers.oauth;
let work: string;
let caFile: string;
/** Everything every CLI run printed, to prove no token leaks. */
const printed: string[] = [];

async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await runCli(args);
  printed.push(r.stdout, r.stderr);
  return r;
}

async function cliOk<T>(args: string[]): Promise<T> {
  const r = await cli([...args, '--json']);
  if (r.code !== 0) throw new Error(`postern ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

function oauthArgs(): string[] {
  return ['--oauth', 'custom', '--oauth-client-id', provider.clientId, '--oauth-auth-url', provider.authorizeUrl,
    '--oauth-token-url', provider.tokenUrl, '--oauth-scope', provider.scope];
}

/** Adds an OAuth account (signing in through the browser) and answers its profile folder. */
async function addOAuthAccount(user: TestUser, name: string, incoming: string[]): Promise<{ profile: string; account: AccountSummary }> {
  const profile = join(work, name);
  const run = await runCliWithBrowser(['account', 'add', '--profile', profile, '--name', name, '--email', user.email, '--user', user.email,
    ...incoming, '--smtp', `localhost:${servers.ports.submission}`, '--smtp-security', 'starttls', '--ca', caFile, ...oauthArgs(), '--json']);
  printed.push(run.stdout, run.stderr);
  if (run.code !== 0) throw new Error(`account add exited ${run.code}: ${run.stderr}`);
  expect(run.page).toMatch(/Signed in with 127\.0\.0\.1:\d+\. You can close this window/);
  return { profile, account: JSON.parse(run.stdout) as AccountSummary };
}

async function login(profile: string, name: string): Promise<AccountSummary> {
  const run = await runCliWithBrowser(['account', 'login', name, '--profile', profile, '--json']);
  printed.push(run.stdout, run.stderr);
  if (run.code !== 0) throw new Error(`account login exited ${run.code}: ${run.stderr}`);
  return JSON.parse(run.stdout) as AccountSummary;
}

/** The passphrase the CLI runs of this file seal their sign-ins with (children inherit it). */
const PASSPHRASE = 'correct horse battery staple';

async function tokenFile(profile: string, accountId: string): Promise<{ refresh_token: string; access_token: string | null }> {
  return JSON.parse(await new CredentialFiles(profile, PASSPHRASE).read(accountId)) as { refresh_token: string; access_token: string | null };
}

beforeAll(async () => {
  process.env[CREDENTIAL_KEY_VARIABLE] = PASSPHRASE;
  work = await mkdtemp(join(tmpdir(), 'postern-oauth-'));
  caFile = join(work, 'ca.pem');
  await writeFile(caFile, servers.caPem);
});

describe('an IMAP account that signs in with OAuth 2.0', () => {
  let me: TestUser;
  let friend: TestUser;
  let profile: string;

  beforeAll(async () => {
    [me, friend] = await Promise.all([createUser(servers, 'oauthi'), createUser(servers, 'oauthf')]);
    await seedMaildir(servers, me.user, 'INBOX', [
      { raw: plainMessage({ from: 'a@example.net', to: me.email, subject: 'First token mail', body: 'one', date: 'Mon, 06 Jan 2025 09:00:00 +0000', id: 'tok-1@example.net' }) },
      { raw: plainMessage({ from: 'b@example.net', to: me.email, subject: 'Second token mail', body: 'two', date: 'Tue, 07 Jan 2025 09:00:00 +0000', id: 'tok-2@example.net' }) },
    ]);
    ({ profile } = await addOAuthAccount(me, 'Token Mail', ['--imap', `localhost:${servers.ports.imaps}`, '--imap-security', 'tls']));
  });

  it('is added and signed in through the browser, with no password and no token in accounts.json', async () => {
    const [account] = await cliOk<AccountSummary[]>(['account', 'list', '--profile', profile]);
    expect(account).toMatchObject({ name: 'Token Mail', oauth: { provider: 'custom', signed_in: true } });
    const config = await readFile(join(profile, 'accounts.json'), 'utf8');
    const tokens = await tokenFile(profile, 'token-mail');
    expect(tokens.refresh_token).toMatch(/^rt-/);
    expect(config).not.toContain(tokens.refresh_token);
    expect(config).not.toContain(tokens.access_token ?? 'no access token');
    expect(config).toContain(provider.tokenUrl);
    // Sealed: the tokens are not in the file as text, and it opens only with the passphrase.
    const sealed = await readFile(join(profile, 'credentials', 'token-mail.oauth'), 'utf8');
    expect(sealed).not.toContain(tokens.refresh_token);
    expect(sealed).not.toContain(tokens.access_token ?? 'no access token');
    const wrongKey = await runCli(['sync', '--profile', profile], { env: { [CREDENTIAL_KEY_VARIABLE]: 'not the passphrase' } });
    expect(wrongKey.code).toBe(1);
    expect(wrongKey.stderr).toMatch(/could not be opened with the passphrase in POSTERN_CREDENTIAL_KEY.*\[CREDENTIAL_MISSING\]/);
    // The token file is the owner's alone.
    expect((await stat(join(profile, 'credentials', 'token-mail.oauth'))).mode & 0o777).toBe(0o600);
    expect((await stat(join(profile, 'credentials'))).mode & 0o777).toBe(0o700);
    expect((await oauthStats(provider, me.email)).code_grants).toBe(1);
  });

  it('syncs INBOX over IMAP with the access token', async () => {
    const r = await cliOk<SyncResult>(['sync', '--profile', profile]);
    expect(r).toMatchObject({ folder: 'INBOX', total: 2, added: 2 });
    const list = await cli(['list', '--profile', profile]);
    expect(list.stdout).toContain('Second token mail');
  });

  it('sends over SMTP submission with XOAUTH2, and the recipient reads it over IMAP', async () => {
    const r = await cli(['send', '--profile', profile, '--account', 'Token Mail', '--to', friend.email, '--subject', 'Sent with a token', '--text', 'No password was used.', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const imap = await openImap(servers, friend);
    try {
      const found = await waitFor(async () => {
        await imap.mailboxOpen('INBOX');
        const uids = await imap.search({ subject: 'Sent with a token' }, { uid: true });
        return uids && uids.length > 0 ? uids : undefined;
      }, 10_000, 'the message in the recipient INBOX');
      expect(found).toHaveLength(1);
    } finally {
      await imap.logout();
    }
    const log = await readFile(servers.paths.postfixLog, 'utf8');
    expect(log).toMatch(new RegExp(`sasl_method=XOAUTH2, sasl_username=${me.user}\\b`));
  });

  it('refreshes an access token that is about to expire before connecting', async () => {
    // Tokens that live 4 s are refreshed once half their life is gone.
    await oauthAdmin(provider, 'lifetime', me.email, { seconds: '4' });
    try {
      await login(profile, 'Token Mail');
      await new Promise((resolve) => setTimeout(resolve, 2500));
      const before = await oauthStats(provider, me.email);
      await cliOk<SyncResult>(['sync', '--profile', profile]);
      const after = await oauthStats(provider, me.email);
      expect(after.refresh_grants).toBeGreaterThan(before.refresh_grants);
      // Refreshed before connecting: the server never saw a dead token.
      expect(after.introspect_inactive).toBe(before.introspect_inactive);
    } finally {
      await oauthAdmin(provider, 'lifetime', me.email, { seconds: '3600' });
    }
  });

  it('gets a new access token once when the server refuses the current one, and keeps the rotated refresh token', async () => {
    await login(profile, 'Token Mail'); // a token that lives an hour
    const old = await tokenFile(profile, 'token-mail');
    await oauthAdmin(provider, 'expire', me.email); // dead on the server, still "valid" here
    const before = await oauthStats(provider, me.email);
    const r = await cliOk<SyncResult>(['sync', '--profile', profile]);
    expect(r.total).toBe(2);
    const after = await oauthStats(provider, me.email);
    expect(after.introspect_inactive).toBe(before.introspect_inactive + 1);
    expect(after.refresh_grants).toBe(before.refresh_grants + 1);
    const now = await tokenFile(profile, 'token-mail');
    expect(now.refresh_token).not.toBe(old.refresh_token);
    // The next run uses the kept token without refreshing again.
    await cliOk<SyncResult>(['sync', '--profile', profile]);
    expect((await oauthStats(provider, me.email)).refresh_grants).toBe(after.refresh_grants);
  });

  it('says to sign in again when the provider revoked the sign-in, and works again after `account login`', async () => {
    await oauthAdmin(provider, 'revoke', me.email);
    const r = await cli(['sync', '--profile', profile]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/no longer accepts Postern's sign-in \(invalid_grant.*\)\. Sign in again.*postern account login "Token Mail".*\[AUTH_FAILED\]/s);
    const [signedOut] = await cliOk<AccountSummary[]>(['account', 'list', '--profile', profile]);
    expect(signedOut?.oauth).toEqual({ provider: 'custom', signed_in: false });
    expect(await readdir(join(profile, 'credentials'))).not.toContain('token-mail.oauth');
    const notSignedIn = await cli(['sync', '--profile', profile]);
    expect(notSignedIn.stderr).toMatch(/Token Mail is not signed in.*\[CREDENTIAL_MISSING\]/s);

    const again = await login(profile, 'Token Mail');
    expect(again.oauth).toEqual({ provider: 'custom', signed_in: true });
    expect((await cliOk<SyncResult>(['sync', '--profile', profile])).total).toBe(2);
  });

  it('never prints a token', async () => {
    const tokens = await tokenFile(profile, 'token-mail');
    const all = printed.join('\n');
    expect(all).not.toContain(tokens.refresh_token);
    expect(all).not.toMatch(/\b(rt|at)-[A-Za-z0-9_-]{20,}/);
  });
});

describe('a POP3 account that signs in with OAuth 2.0', () => {
  it('downloads with AUTH XOAUTH2', async () => {
    const me = await createUser(servers, 'oauthp');
    await seedMaildir(servers, me.user, 'INBOX', [
      { raw: plainMessage({ from: 'p@example.net', to: me.email, subject: 'POP with a token', body: 'pop', date: 'Mon, 06 Jan 2025 09:00:00 +0000', id: 'tokpop-1@example.net' }) },
    ]);
    const { profile } = await addOAuthAccount(me, 'Token Pop', ['--pop3', `localhost:${servers.ports.pop3s}`, '--pop3-security', 'tls']);
    const r = await cliOk<SyncResult>(['sync', '--profile', profile]);
    expect(r).toMatchObject({ added: 1 });
    expect((await cli(['list', '--profile', profile])).stdout).toContain('POP with a token');
    const log = await readFile(servers.paths.dovecotLog, 'utf8');
    expect(log).toMatch(new RegExp(`pop3-login: Info: Login: user=<${me.user}>, method=XOAUTH2`));
  });
});

describe('account add --oauth', () => {
  it('refuses a custom provider without its endpoints, and an http endpoint off this machine', async () => {
    const r = await cli(['account', 'add', '--profile', join(work, 'bad'), '--name', 'Bad', '--email', 'x@example.test', '--user', 'x',
      '--imap', 'localhost:993', '--smtp', 'localhost:465', '--oauth', 'custom', '--oauth-client-id', 'c']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--oauth custom needs --oauth-auth-url, --oauth-token-url and at least one --oauth-scope/);
    const http = await cli(['account', 'add', '--profile', join(work, 'bad'), '--name', 'Bad', '--email', 'x@example.test', '--user', 'x',
      '--imap', 'localhost:993', '--smtp', 'localhost:465', '--oauth', 'custom', '--oauth-client-id', 'c',
      '--oauth-auth-url', 'http://example.com/auth', '--oauth-token-url', 'https://example.com/token', '--oauth-scope', 'mail']);
    expect(http.code).toBe(2);
    expect(http.stderr).toMatch(/must be an https URL/);
  });

  it('fills in Google\'s endpoints and scope from the preset, with --no-login leaving it signed out', async () => {
    const profile = join(work, 'google');
    const a = await cliOk<AccountSummary>(['account', 'add', '--profile', profile, '--name', 'Gmail', '--email', 'someone@gmail.com', '--user', 'someone@gmail.com',
      '--imap', 'imap.gmail.com:993', '--smtp', 'smtp.gmail.com:465', '--oauth', 'google', '--oauth-client-id', 'id.apps.googleusercontent.com', '--no-login']);
    expect(a.oauth).toEqual({ provider: 'google', signed_in: false });
    const config = JSON.parse(await readFile(join(profile, 'accounts.json'), 'utf8')) as { accounts: Array<{ oauth: unknown }> };
    expect(config.accounts[0]?.oauth).toMatchObject({
      provider: 'google', client_id: 'id.apps.googleusercontent.com',
      auth_url: 'https://accounts.google.com/o/oauth2/v2/auth', token_url: 'https://oauth2.googleapis.com/token', scopes: ['https://mail.google.com/'],
    });
  });
});
