/**
 * The token endpoint (RFC 6749 sections 4.1.3 and 6): exchanging an
 * authorization code (with its PKCE verifier, RFC 7636) and refreshing.
 * Every answer is checked with zod before anything is kept; an endpoint that
 * answers something else is a PROTOCOL error, a refused grant AUTH_FAILED.
 * Tokens appear in no message and no log.
 */
import { z } from 'zod';
import { PosternError } from '../common/errors.ts';
import type { StoredOAuth } from './oauth-providers.ts';
import { providerLabel } from './oauth-providers.ts';

/** A token endpoint answers in well under this; a hung one must not hang a sync. */
export const TOKEN_REQUEST_TIMEOUT_MS = 30_000;
const MAX_RESPONSE_BYTES = 64 * 1024;

const TokenText = z.string().min(1).max(16_384).regex(/^[\x21-\x7e]+$/, 'not a token');
/** Some endpoints send expires_in as a string. */
const Seconds = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]).pipe(z.number().int().positive().max(10 * 365 * 86_400));

export const TokenResponse = z.object({
  access_token: TokenText,
  token_type: z.string().refine((t) => t.toLowerCase() === 'bearer', 'token_type must be Bearer'),
  expires_in: Seconds.optional(),
  refresh_token: TokenText.optional(),
  scope: z.string().max(4000).optional(),
});

const TokenErrorResponse = z.object({
  error: z.string().min(1).max(200),
  error_description: z.string().max(1000).optional(),
});

/** What a token endpoint gave, with the expiry made absolute. */
export interface GrantedTokens {
  accessToken: string;
  /** Epoch ms; null when the provider did not say (treated as short-lived). */
  expiresAt: number | null;
  refreshToken: string | undefined;
}

export interface TokenRequestOptions {
  signal?: AbortSignal | undefined;
  now?: () => number;
}

export async function exchangeCode(oauth: StoredOAuth, code: string, verifier: string, redirectUri: string, options: TokenRequestOptions = {}): Promise<GrantedTokens> {
  return tokenRequest(oauth, { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: redirectUri }, options);
}

export async function refreshTokens(oauth: StoredOAuth, refreshToken: string, options: TokenRequestOptions = {}): Promise<GrantedTokens> {
  return tokenRequest(oauth, { grant_type: 'refresh_token', refresh_token: refreshToken }, options);
}

async function tokenRequest(oauth: StoredOAuth, params: Record<string, string>, options: TokenRequestOptions): Promise<GrantedTokens> {
  const who = `${providerLabel(oauth)}'s sign-in service`;
  const body = new URLSearchParams({ ...params, client_id: oauth.client_id });
  if (oauth.client_secret !== null) body.set('client_secret', oauth.client_secret);
  const timeout = AbortSignal.timeout(TOKEN_REQUEST_TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  const started = (options.now ?? Date.now)();
  let status: number;
  let text: string;
  try {
    const res = await fetch(oauth.token_url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body,
      redirect: 'error',
      signal,
    });
    status = res.status;
    text = await boundedText(res);
  } catch (err) {
    if (err instanceof PosternError) throw err;
    if (options.signal?.aborted) throw new PosternError('CANCELLED');
    if (timeout.aborted) throw new PosternError('TIMEOUT', `${who} (${oauth.token_url}) did not answer in time.`, { cause: err });
    throw new PosternError('CONNECT_FAILED', `${who} (${oauth.token_url}) could not be reached: ${causeText(err)}.`, { cause: err });
  }
  const json = parseJson(text);
  if (status >= 200 && status < 300) {
    const ok = TokenResponse.safeParse(json);
    if (!ok.success) {
      throw new PosternError('PROTOCOL', `${who} answered with something that is not a usable token (${ok.error.issues[0]?.path.join('.') ?? ''}: ${ok.error.issues[0]?.message ?? 'invalid'}).`);
    }
    return {
      accessToken: ok.data.access_token,
      expiresAt: ok.data.expires_in === undefined ? null : started + ok.data.expires_in * 1000,
      refreshToken: ok.data.refresh_token,
    };
  }
  const refused = TokenErrorResponse.safeParse(json);
  if (!refused.success) throw new PosternError('PROTOCOL', `${who} answered HTTP ${status} without an OAuth error.`);
  const words = `${refused.data.error}${refused.data.error_description ? `: ${refused.data.error_description}` : ''}`;
  switch (refused.data.error) {
    case 'invalid_grant':
      throw new PosternError('AUTH_FAILED', params['grant_type'] === 'refresh_token'
        ? `${who} no longer accepts this account's sign-in (${words}); it has expired or was revoked. Sign in again.`
        : `${who} refused the sign-in (${words}). Try signing in again.`, { serverText: words });
    case 'invalid_client':
    case 'unauthorized_client':
      throw new PosternError('AUTH_FAILED', `${who} does not accept the client id ${oauth.client_id} (${words}); check the account's OAuth client id.`, { serverText: words });
    default:
      throw new PosternError('SERVER_REFUSED', `${who} refused the request (${words}).`, { serverText: words });
  }
}

async function boundedText(res: Response): Promise<string> {
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = res.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_RESPONSE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new PosternError('PROTOCOL', `The token endpoint sent more than ${MAX_RESPONSE_BYTES} bytes.`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function causeText(err: unknown): string {
  const cause = (err as { cause?: { code?: unknown; message?: unknown } } | null)?.cause;
  if (typeof cause?.code === 'string') return cause.code;
  return err instanceof Error ? err.message : String(err);
}
