// The OAuth 2.0 installed-app sign-in against the real test provider
// (test/servers/oauth-provider.ts, started here on 127.0.0.1): PKCE, state,
// the loopback redirect, token validation and refreshes.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOAuthProvider, oauthAdmin, type RunningOAuthProvider } from '../../../servers/oauth-provider.ts';
import { OAuthLogins, authorizationUrl, pkcePair } from '../../../../src-protocol/accounts/oauth-login.ts';
import { resolveOAuth, type StoredOAuth } from '../../../../src-protocol/accounts/oauth-providers.ts';
import { refreshTokens } from '../../../../src-protocol/accounts/oauth-token-client.ts';
import { OAuthTokens } from '../../../../src-protocol/accounts/oauth-tokens.ts';
import { EnvCredentialStore, type CredentialRef } from '../../../../src-protocol/accounts/credentials.ts';
import { PosternError } from '../../../../src-protocol/common/errors.ts';

let provider: RunningOAuthProvider;
let oauth: StoredOAuth;

beforeAll(async () => {
  provider = await startOAuthProvider();
  oauth = resolveOAuth({ provider: 'custom', client_id: provider.info.clientId, auth_url: provider.info.authorizeUrl, token_url: provider.info.tokenUrl, scopes: ['mail'] });
});
afterAll(async () => provider.close());

/** The browser: open the URL, follow the provider's redirect to the loopback listener. */
async function browse(url: string): Promise<{ status: number; text: string }> {
  const res = await fetch(url);
  return { status: res.status, text: await res.text() };
}

describe('presets and the authorization URL', () => {
  it('fills in Google and Microsoft, and needs every part of a custom provider', () => {
    expect(resolveOAuth({ provider: 'google', client_id: 'g' })).toMatchObject({ token_url: 'https://oauth2.googleapis.com/token', scopes: ['https://mail.google.com/'] });
    expect(resolveOAuth({ provider: 'microsoft', client_id: 'm' }).scopes).toContain('offline_access');
    expect(() => resolveOAuth({ provider: 'custom', client_id: 'c' })).toThrow(/needs its authorization URL, token URL and scopes/);
  });

  it('asks for code + PKCE S256 with state and login hint; Google also for offline access', () => {
    const { verifier, challenge } = pkcePair();
    expect(verifier).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const url = new URL(authorizationUrl(resolveOAuth({ provider: 'google', client_id: 'g' }), { redirectUri: 'http://127.0.0.1:5/callback', state: 'st', challenge, loginHint: 'me@gmail.com' }));
    expect(Object.fromEntries(url.searchParams)).toEqual({
      response_type: 'code', client_id: 'g', redirect_uri: 'http://127.0.0.1:5/callback', scope: 'https://mail.google.com/', state: 'st',
      code_challenge: challenge, code_challenge_method: 'S256', login_hint: 'me@gmail.com', access_type: 'offline', prompt: 'consent',
    });
  });
});

describe('OAuthLogins', () => {
  it('signs in: the browser comes back to the loopback listener, the code is exchanged with its verifier', async () => {
    const logins = new OAuthLogins();
    const { flowId, url } = await logins.start({ id: 'acct', user: 'pat@example.test', oauth });
    const finished = logins.finish(flowId);
    const page = await browse(url);
    expect(page.text).toContain('You can close this window');
    const { accountId, tokens } = await finished;
    expect(accountId).toBe('acct');
    expect(tokens.accessToken).toMatch(/^at-/);
    expect(tokens.refreshToken).toMatch(/^rt-/);
    await logins.close();
  });

  it('keeps a code the browser brought before the app asked to wait, for a while', async () => {
    const logins = new OAuthLogins({ unclaimedMs: 300 });
    const quick = await logins.start({ id: 'acct', user: 'pat@example.test', oauth });
    expect((await browse(quick.url)).text).toContain('You can close this window');
    // The engine's loop turns over before the app's finish arrives.
    await new Promise((r) => setTimeout(r, 50));
    const { tokens } = await logins.finish(quick.flowId);
    expect(tokens.refreshToken).toMatch(/^rt-/);
    // One nobody claims is forgotten.
    const left = await logins.start({ id: 'acct', user: 'pat@example.test', oauth });
    await browse(left.url);
    await new Promise((r) => setTimeout(r, 600));
    await expect(logins.finish(left.flowId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await logins.close();
  });

  it('ignores a redirect with another state, and the listener is gone once the flow ends', async () => {
    const logins = new OAuthLogins();
    const { flowId, url } = await logins.start({ id: 'acct', user: 'pat@example.test', oauth });
    const redirectUri = new URL(url).searchParams.get('redirect_uri') ?? '';
    const forged = await fetch(`${redirectUri}?code=stolen&state=wrong`);
    expect(forged.status).toBe(400);
    const finished = logins.finish(flowId);
    await browse(url);
    await finished;
    await expect(fetch(`${redirectUri}?code=x&state=y`)).rejects.toThrow();
    await logins.close();
  });

  it('is cancelled by the caller\'s signal and times out on its own', async () => {
    const logins = new OAuthLogins({ timeoutMs: 200 });
    const first = await logins.start({ id: 'a', user: 'u', oauth });
    const controller = new AbortController();
    const waiting = logins.finish(first.flowId, controller.signal);
    controller.abort();
    await expect(waiting).rejects.toMatchObject({ code: 'CANCELLED' });
    const second = await logins.start({ id: 'a', user: 'u', oauth });
    await expect(logins.finish(second.flowId)).rejects.toMatchObject({ code: 'TIMEOUT' });
    await expect(logins.finish(second.flowId)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe('the token endpoint client', () => {
  let hostile: Server;
  let hostileUrl: string;
  beforeAll(async () => {
    hostile = createServer((req, res) => {
      if (req.url === '/no-type') return res.end(JSON.stringify({ access_token: 'x' }));
      if (req.url === '/html') return res.writeHead(502).end('<html>bad gateway</html>');
      res.writeHead(400).end(JSON.stringify({ error: 'invalid_client' }));
    });
    await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', r));
    hostileUrl = `http://127.0.0.1:${(hostile.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((r) => hostile.close(() => r())));

  it('refuses answers that are not valid token responses', async () => {
    const at = (path: string) => ({ ...oauth, token_url: `${hostileUrl}${path}` });
    await expect(refreshTokens(at('/no-type'), 'r')).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringMatching(/not a usable token \(token_type/) });
    await expect(refreshTokens(at('/html'), 'r')).rejects.toMatchObject({ code: 'PROTOCOL', message: expect.stringMatching(/HTTP 502 without an OAuth error/) });
    await expect(refreshTokens(at('/client'), 'r')).rejects.toMatchObject({ code: 'AUTH_FAILED', message: expect.stringMatching(/does not accept the client id/) });
  });
});

describe('OAuthTokens', () => {
  async function signedInAccount(user: string) {
    const logins = new OAuthLogins();
    const { flowId, url } = await logins.start({ id: 'acct', user, oauth });
    const finished = logins.finish(flowId);
    await browse(url);
    const { tokens } = await finished;
    const refs: CredentialRef[] = [];
    const account = { id: 'acct', name: 'Acct', oauth, credential: { kind: 'none' } as CredentialRef };
    const manager = new OAuthTokens({
      credentials: new EnvCredentialStore({}),
      onCredentialChange: async (_id, ref) => {
        refs.push(ref);
        account.credential = ref;
      },
    });
    await manager.signedIn(account, tokens);
    return { manager, account, refs, first: tokens.accessToken };
  }

  it('answers the kept token while fresh, and one refresh for many callers once it is due', async () => {
    const { manager, account, first } = await signedInAccount('fresh@example.test');
    expect(await manager.accessToken(account)).toBe(first);
    const renewed = await Promise.all([manager.renew(account, first), manager.renew(account, first), manager.renew(account, first)]);
    expect(new Set(renewed).size).toBe(1);
    expect(renewed[0]).not.toBe(first);
  });

  it('drops a revoked sign-in and says to sign in again', async () => {
    const { manager, account, refs, first } = await signedInAccount('revoked@example.test');
    await oauthAdmin(provider.info, 'revoke', 'revoked@example.test');
    const err = await manager.renew(account, first).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PosternError);
    expect(err).toMatchObject({ code: 'AUTH_FAILED', message: expect.stringMatching(/no longer accepts Postern's sign-in \(invalid_grant.*Sign in again/) });
    expect(refs.at(-1)).toEqual({ kind: 'none' });
    await expect(manager.accessToken(account)).rejects.toMatchObject({ code: 'CREDENTIAL_MISSING', message: expect.stringMatching(/Acct is not signed in/) });
  });
});
