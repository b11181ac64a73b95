/**
 * Signing an account in with OAuth 2.0 as an installed app (RFC 8252):
 * authorization code with PKCE S256 (RFC 7636), a fresh `state`, and the
 * redirect to a loopback listener of our own. `start` answers the URL to open
 * in the system browser (the desktop shell opens it; the CLI prints it);
 * `finish` waits for the browser to come back and exchanges the code.
 * Flows not finished are dropped after LIMITS.oauthSignInTimeoutMs; `close` drops all.
 */
import { createHash, randomBytes } from 'node:crypto';
import { PosternError } from '../common/errors.ts';
import { LIMITS } from '../common/limits.ts';
import { startLoopbackReceiver, type LoopbackReceiver } from './oauth-loopback.ts';
import { extraAuthParams, providerLabel, type StoredOAuth } from './oauth-providers.ts';
import { exchangeCode, type GrantedTokens } from './oauth-token-client.ts';

/** RFC 7636 section 4.1: 32 random octets, base64url (43 characters). */
export function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier, 'ascii').digest('base64url') };
}

/** The authorization request URL (RFC 6749 section 4.1.1 with RFC 7636's parameters). */
export function authorizationUrl(oauth: StoredOAuth, p: { redirectUri: string; state: string; challenge: string; loginHint?: string | undefined }): string {
  const url = new URL(oauth.auth_url);
  const params: Record<string, string> = {
    response_type: 'code',
    client_id: oauth.client_id,
    redirect_uri: p.redirectUri,
    scope: oauth.scopes.join(' '),
    state: p.state,
    code_challenge: p.challenge,
    code_challenge_method: 'S256',
    ...(p.loginHint ? { login_hint: p.loginHint } : {}),
    ...extraAuthParams(oauth),
  };
  for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
  return url.toString();
}

interface Flow {
  accountId: string;
  oauth: StoredOAuth;
  verifier: string;
  receiver: LoopbackReceiver;
  /** Set once the code came with nobody in finish(): forgets the flow if nobody comes. */
  unclaimed?: NodeJS.Timeout;
}

export interface LoginResult {
  accountId: string;
  tokens: GrantedTokens;
}

export class OAuthLogins {
  readonly #flows = new Map<string, Flow>();
  /** Flows someone is waiting on in finish(); they end there, not when the receiver settles. */
  readonly #finishing = new Set<string>();
  readonly #timeoutMs: number;
  readonly #unclaimedMs: number;

  constructor(options: { timeoutMs?: number; unclaimedMs?: number } = {}) {
    this.#timeoutMs = options.timeoutMs ?? LIMITS.oauthSignInTimeoutMs;
    this.#unclaimedMs = options.unclaimedMs ?? LIMITS.oauthUnclaimedCodeMs;
  }

  /** Listens on the loopback port and answers the URL for the browser. */
  async start(account: { id: string; user: string; oauth: StoredOAuth }): Promise<{ flowId: string; url: string }> {
    const state = randomBytes(16).toString('base64url');
    const { verifier, challenge } = pkcePair();
    const receiver = await startLoopbackReceiver(state, this.#timeoutMs, providerLabel(account.oauth));
    const flowId = randomBytes(12).toString('base64url');
    const flow: Flow = { accountId: account.id, oauth: account.oauth, verifier, receiver };
    this.#flows.set(flowId, flow);
    // A flow nobody waits on is forgotten when its receiver gives up; a code
    // that came first is kept for finish() a while (the browser may be quicker).
    receiver.code.then(
      () => {
        if (this.#flows.get(flowId) !== flow || this.#finishing.has(flowId)) return;
        flow.unclaimed = setTimeout(() => {
          if (this.#flows.get(flowId) === flow && !this.#finishing.has(flowId)) this.#flows.delete(flowId);
        }, this.#unclaimedMs);
      },
      () => {
        if (this.#flows.get(flowId) === flow && !this.#finishing.has(flowId)) this.#flows.delete(flowId);
      },
    );
    return { flowId, url: authorizationUrl(account.oauth, { redirectUri: receiver.redirectUri, state, challenge, loginHint: account.user }) };
  }

  /** Waits for the redirect, then exchanges the code (PKCE verifier and the same redirect_uri). */
  async finish(flowId: string, signal?: AbortSignal): Promise<LoginResult> {
    const flow = this.#flows.get(flowId);
    if (!flow) throw new PosternError('NOT_FOUND', 'That sign-in has ended or never started; start it again.');
    if (this.#finishing.has(flowId)) throw new PosternError('BAD_INPUT', 'That sign-in is already being waited for.');
    this.#finishing.add(flowId);
    clearTimeout(flow.unclaimed);
    const onAbort = (): void => void flow.receiver.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      const code = await flow.receiver.code;
      const tokens = await exchangeCode(flow.oauth, code, flow.verifier, flow.receiver.redirectUri, { signal });
      if (tokens.refreshToken === undefined) {
        throw new PosternError('AUTH_FAILED', `${providerLabel(flow.oauth)} signed you in but gave no refresh token, so Postern could not stay signed in. Check that the scopes allow offline access.`);
      }
      return { accountId: flow.accountId, tokens };
    } finally {
      signal?.removeEventListener('abort', onAbort);
      this.#finishing.delete(flowId);
      this.#flows.delete(flowId);
      await flow.receiver.close();
    }
  }

  /** Cancels every flow still waiting (the engine is closing). */
  async close(): Promise<void> {
    const flows = [...this.#flows.values()];
    this.#flows.clear();
    for (const f of flows) clearTimeout(f.unclaimed);
    await Promise.all(flows.map((f) => f.receiver.close()));
  }
}
