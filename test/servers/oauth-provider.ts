// A small OAuth 2.0 authorization server for tests, on 127.0.0.1 and a port
// the OS picks. It plays the mail provider's identity service:
//   GET  /authorize   authorization code with PKCE (S256 only). It approves at
//                     once, as the user named by `login_hint`, and redirects
//                     to the loopback redirect_uri (RFC 8252 section 7.3).
//   POST /token       authorization_code (code_verifier checked) and
//                     refresh_token grants; refresh tokens rotate, as
//                     Microsoft's do, so a client must keep the new one.
//   POST /introspect  RFC 7662, called by Dovecot's oauth2 passdb
//                     (introspection_mode = post) for every XOAUTH2 or
//                     OAUTHBEARER login.
// Tests steer it through /admin/* (Bearer adminKey): revoke a user's
// tokens, expire their access tokens on the server side, shorten the
// lifetime the next tokens are given, and read counters.
// No timers: expiry is compared with the clock when a token is used.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The only client the provider knows: a public client (no secret), as an installed app is. */
export const TEST_OAUTH_CLIENT_ID = 'postern-test-client';
export const TEST_OAUTH_SCOPE = 'mail';

/** What tests get (plain data: it crosses into test workers as JSON). */
export interface OAuthProviderInfo {
  /** http://127.0.0.1:PORT */
  url: string;
  authorizeUrl: string;
  tokenUrl: string;
  introspectUrl: string;
  clientId: string;
  scope: string;
  /** Bearer token for /admin/*. */
  adminKey: string;
}

export interface RunningOAuthProvider {
  info: OAuthProviderInfo;
  close(): Promise<void>;
}

interface PendingCode {
  user: string;
  redirectUri: string;
  challenge: string;
  scope: string;
  expiresAt: number;
}

interface AccessToken {
  user: string;
  scope: string;
  expiresAt: number;
  revoked: boolean;
}

interface RefreshToken {
  user: string;
  scope: string;
  revoked: boolean;
}

export interface OAuthUserStats {
  code_grants: number;
  refresh_grants: number;
  refresh_refused: number;
  introspect_active: number;
  introspect_inactive: number;
}

const CODE_LIFETIME_MS = 60_000;
const DEFAULT_ACCESS_LIFETIME_S = 3600;
const MAX_BODY = 64 * 1024;

export async function startOAuthProvider(): Promise<RunningOAuthProvider> {
  const codes = new Map<string, PendingCode>();
  const access = new Map<string, AccessToken>();
  const refresh = new Map<string, RefreshToken>();
  const lifetimes = new Map<string, number>();
  const stats = new Map<string, OAuthUserStats>();
  const adminKey = randomBytes(16).toString('hex');

  const statsOf = (user: string): OAuthUserStats => {
    let s = stats.get(user);
    if (!s) {
      s = { code_grants: 0, refresh_grants: 0, refresh_refused: 0, introspect_active: 0, introspect_inactive: 0 };
      stats.set(user, s);
    }
    return s;
  };

  const issue = (user: string, scope: string): Record<string, unknown> => {
    const accessToken = `at-${randomBytes(24).toString('base64url')}`;
    const refreshToken = `rt-${randomBytes(24).toString('base64url')}`;
    const lifetime = lifetimes.get(user) ?? DEFAULT_ACCESS_LIFETIME_S;
    access.set(accessToken, { user, scope, expiresAt: Date.now() + lifetime * 1000, revoked: false });
    refresh.set(refreshToken, { user, scope, revoked: false });
    return { access_token: accessToken, token_type: 'Bearer', expires_in: lifetime, refresh_token: refreshToken, scope };
  };

  const authorize = (url: URL, res: ServerResponse): void => {
    const q = url.searchParams;
    const redirectUri = q.get('redirect_uri') ?? '';
    if (q.get('client_id') !== TEST_OAUTH_CLIENT_ID) return sendText(res, 400, 'unknown client_id');
    // RFC 8252 7.3: loopback IP literal, any port.
    if (!/^http:\/\/127\.0\.0\.1:\d+\/[^?#]*$/.test(redirectUri)) return sendText(res, 400, 'redirect_uri must be a loopback http URL');
    const redirect = new URL(redirectUri);
    const state = q.get('state');
    if (state !== null) redirect.searchParams.set('state', state);
    const user = q.get('login_hint');
    if (q.get('response_type') !== 'code' || q.get('code_challenge_method') !== 'S256' || !q.get('code_challenge') || !user) {
      redirect.searchParams.set('error', 'invalid_request');
      return redirectTo(res, redirect);
    }
    const code = randomBytes(16).toString('base64url');
    codes.set(code, {
      user, redirectUri, challenge: q.get('code_challenge') ?? '', scope: q.get('scope') ?? '', expiresAt: Date.now() + CODE_LIFETIME_MS,
    });
    redirect.searchParams.set('code', code);
    redirectTo(res, redirect);
  };

  const token = (form: URLSearchParams, res: ServerResponse): void => {
    if (form.get('client_id') !== TEST_OAUTH_CLIENT_ID) return sendJson(res, 401, { error: 'invalid_client' });
    const grant = form.get('grant_type');
    if (grant === 'authorization_code') {
      const code = form.get('code') ?? '';
      const pending = codes.get(code);
      codes.delete(code); // one use only
      if (!pending || pending.expiresAt < Date.now() || pending.redirectUri !== form.get('redirect_uri')) {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'unknown, used or expired code' });
      }
      const verifier = form.get('code_verifier') ?? '';
      if (createHash('sha256').update(verifier).digest('base64url') !== pending.challenge) {
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'PKCE verification failed' });
      }
      statsOf(pending.user).code_grants++;
      return sendJson(res, 200, issue(pending.user, pending.scope));
    }
    if (grant === 'refresh_token') {
      const presented = form.get('refresh_token') ?? '';
      const held = refresh.get(presented);
      if (!held || held.revoked) {
        if (held) statsOf(held.user).refresh_refused++;
        return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
      }
      held.revoked = true; // rotation: the old refresh token is spent
      statsOf(held.user).refresh_grants++;
      return sendJson(res, 200, issue(held.user, held.scope));
    }
    sendJson(res, 400, { error: 'unsupported_grant_type' });
  };

  const introspect = (form: URLSearchParams, res: ServerResponse): void => {
    const held = access.get(form.get('token') ?? '');
    if (!held || held.revoked || held.expiresAt <= Date.now()) {
      if (held) statsOf(held.user).introspect_inactive++;
      return sendJson(res, 200, { active: false });
    }
    statsOf(held.user).introspect_active++;
    sendJson(res, 200, {
      active: true, username: held.user, scope: held.scope, client_id: TEST_OAUTH_CLIENT_ID,
      token_type: 'Bearer', exp: Math.floor(held.expiresAt / 1000),
    });
  };

  const admin = (path: string, form: URLSearchParams, res: ServerResponse): void => {
    const user = form.get('user') ?? '';
    if (!user) return sendJson(res, 400, { error: 'user is required' });
    switch (path) {
      case '/admin/revoke':
        for (const t of access.values()) if (t.user === user) t.revoked = true;
        for (const t of refresh.values()) if (t.user === user) t.revoked = true;
        return sendJson(res, 200, { ok: true });
      case '/admin/expire':
        for (const t of access.values()) if (t.user === user) t.expiresAt = Math.min(t.expiresAt, Date.now() - 1);
        return sendJson(res, 200, { ok: true });
      case '/admin/lifetime':
        lifetimes.set(user, Number(form.get('seconds') ?? DEFAULT_ACCESS_LIFETIME_S));
        return sendJson(res, 200, { ok: true });
      case '/admin/stats':
        return sendJson(res, 200, statsOf(user));
      default:
        return sendJson(res, 404, { error: 'not found' });
    }
  };

  const server: Server = createServer((req, res) => {
    void handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) sendText(res, 500, String(err));
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method === 'GET' && url.pathname === '/authorize') return authorize(url, res);
    if (req.method !== 'POST') return sendText(res, 405, 'method not allowed');
    const form = new URLSearchParams(await readBody(req));
    if (url.pathname === '/token') return token(form, res);
    if (url.pathname === '/introspect') return introspect(form, res);
    if (url.pathname.startsWith('/admin/')) {
      if (req.headers.authorization !== `Bearer ${adminKey}`) return sendJson(res, 401, { error: 'admin key required' });
      return admin(url.pathname, form, res);
    }
    sendText(res, 404, 'not found');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  return {
    info: {
      url, authorizeUrl: `${url}/authorize`, tokenUrl: `${url}/token`, introspectUrl: `${url}/introspect`,
      clientId: TEST_OAUTH_CLIENT_ID, scope: TEST_OAUTH_SCOPE, adminKey,
    },
    close: () => new Promise<void>((resolve) => {
      // Dovecot keeps its HTTP connection open; drop it so close() returns.
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY) throw new Error('request body too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function sendText(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function redirectTo(res: ServerResponse, to: URL): void {
  res.writeHead(302, { location: to.toString(), 'content-length': 0 });
  res.end();
}

/** Test-side helpers: steer the provider (from test workers, over HTTP). */
export async function oauthAdmin(info: OAuthProviderInfo, action: 'revoke' | 'expire' | 'lifetime', user: string, extra: Record<string, string> = {}): Promise<void> {
  const res = await fetch(`${info.url}/admin/${action}`, {
    method: 'POST', headers: { authorization: `Bearer ${info.adminKey}` }, body: new URLSearchParams({ user, ...extra }),
  });
  if (!res.ok) throw new Error(`oauth admin ${action}: HTTP ${res.status} ${await res.text()}`);
}

export async function oauthStats(info: OAuthProviderInfo, user: string): Promise<OAuthUserStats> {
  const res = await fetch(`${info.url}/admin/stats`, {
    method: 'POST', headers: { authorization: `Bearer ${info.adminKey}` }, body: new URLSearchParams({ user }),
  });
  if (!res.ok) throw new Error(`oauth admin stats: HTTP ${res.status}`);
  return (await res.json()) as OAuthUserStats;
}
