/**
 * The access tokens of OAuth accounts. The token set (refresh token, the
 * current access token and its expiry) is one secret in the credential store
 * — safeStorage in the app, a 0600 profile file for the CLI — and never in
 * accounts.json. An access token is refreshed when it has less than
 * REFRESH_MARGIN_MS left, and once more when a server refuses it
 * (`renew`). Refreshes of one account are shared, not repeated, and a
 * rotated refresh token is kept at once. When the provider says the refresh
 * token is dead (invalid_grant), the set is dropped, so the account shows as
 * signed out, and the error says to sign in again.
 */
import { z } from 'zod';
import { PosternError } from '../common/errors.ts';
import type { CredentialRef, CredentialStore } from './credentials.ts';
import type { StoredOAuth } from './oauth-providers.ts';
import { providerLabel } from './oauth-providers.ts';
import { refreshTokens, type GrantedTokens } from './oauth-token-client.ts';

/**
 * Refresh this long before the provider's expiry (or at half the token's
 * life, for tokens shorter than two margins): a sync must not start on a
 * token about to die, nor refresh on every connection.
 */
export const REFRESH_MARGIN_MS = 60_000;
/** When the provider gives no expires_in: assume the common one hour, and let an AUTH failure renew it. */
const DEFAULT_LIFETIME_MS = 3600_000;

const TokenSet = z.object({
  v: z.literal(1),
  refresh_token: z.string().min(1),
  access_token: z.string().min(1).nullable(),
  /** Epoch ms. */
  expires_at: z.number().int().nullable(),
  /** When the access token was given (epoch ms), to know its lifetime. */
  obtained_at: z.number().int().nullable().default(null),
});
type TokenSet = z.infer<typeof TokenSet>;

/** What the token manager needs to know about an account. */
export interface OAuthAccount {
  id: string;
  name: string;
  oauth: StoredOAuth;
  credential: CredentialRef;
}

export interface OAuthTokensOptions {
  credentials: CredentialStore;
  /** Called when the credential ref of an account changes (first sign-in, revoked): the caller saves it in accounts.json. */
  onCredentialChange: (accountId: string, ref: CredentialRef) => Promise<void>;
  now?: () => number;
}

/** What a protocol connection gets for an OAuth account. */
export interface AccessTokenAuth {
  accessToken: string;
  /** A new access token after the server refused `accessToken` (once per connection). */
  renewAccessToken: () => Promise<string>;
}

export class OAuthTokens {
  readonly #credentials: CredentialStore;
  readonly #onCredentialChange: OAuthTokensOptions['onCredentialChange'];
  readonly #now: () => number;
  /** The last token set read or written, per account (the store is the truth across processes). */
  readonly #cache = new Map<string, TokenSet>();
  readonly #refreshing = new Map<string, Promise<TokenSet>>();

  constructor(options: OAuthTokensOptions) {
    this.#credentials = options.credentials;
    this.#onCredentialChange = options.onCredentialChange;
    this.#now = options.now ?? Date.now;
  }

  /** Keeps the tokens of a finished sign-in. */
  async signedIn(account: OAuthAccount, tokens: GrantedTokens): Promise<CredentialRef> {
    if (tokens.refreshToken === undefined) throw new PosternError('AUTH_FAILED', 'The sign-in gave no refresh token.');
    const set: TokenSet = { v: 1, refresh_token: tokens.refreshToken, access_token: tokens.accessToken, expires_at: this.#expiry(tokens), obtained_at: this.#now() };
    const ref = await this.#save(account.id, set);
    if (!sameRef(ref, account.credential)) await this.#onCredentialChange(account.id, ref);
    return ref;
  }

  /** A valid access token plus a way to renew it once, for one connection. */
  async auth(account: OAuthAccount, signal?: AbortSignal): Promise<AccessTokenAuth> {
    const accessToken = await this.accessToken(account, signal);
    return { accessToken, renewAccessToken: () => this.renew(account, accessToken, signal) };
  }

  /** The current access token, refreshed first if it expires within REFRESH_MARGIN_MS. */
  async accessToken(account: OAuthAccount, signal?: AbortSignal): Promise<string> {
    const set = await this.#load(account);
    if (set.access_token !== null && this.#fresh(set)) return set.access_token;
    return this.#refresh(account, signal);
  }

  /**
   * After a server refused `rejected`: a new token. When another connection
   * already refreshed since, its token is used instead of refreshing again.
   */
  async renew(account: OAuthAccount, rejected: string, signal?: AbortSignal): Promise<string> {
    const cached = this.#cache.get(account.id);
    if (cached?.access_token && cached.access_token !== rejected && this.#fresh(cached)) return cached.access_token;
    return this.#refresh(account, signal);
  }

  /** Drops what this process remembers (the account was removed or signed out). */
  forget(accountId: string): void {
    this.#cache.delete(accountId);
  }

  async #refresh(account: OAuthAccount, signal?: AbortSignal): Promise<string> {
    let pending = this.#refreshing.get(account.id);
    if (!pending) {
      pending = this.#doRefresh(account, signal).finally(() => this.#refreshing.delete(account.id));
      this.#refreshing.set(account.id, pending);
    }
    const set = await pending;
    if (set.access_token === null) throw new PosternError('INTERNAL', 'A refresh gave no access token.');
    return set.access_token;
  }

  async #doRefresh(account: OAuthAccount, signal?: AbortSignal): Promise<TokenSet> {
    const current = await this.#load(account);
    let granted: GrantedTokens;
    try {
      granted = await refreshTokens(account.oauth, current.refresh_token, { signal, now: this.#now });
    } catch (err) {
      if (err instanceof PosternError && err.code === 'AUTH_FAILED' && err.serverText?.startsWith('invalid_grant')) {
        // The refresh token is dead: forget it, so the account reads as signed out.
        this.#cache.delete(account.id);
        await this.#credentials.remove(account.id, account.credential).catch(() => undefined);
        await this.#onCredentialChange(account.id, { kind: 'none' });
        throw new PosternError('AUTH_FAILED',
          `${account.name}: ${providerLabel(account.oauth)} no longer accepts Postern's sign-in (${err.serverText ?? 'refused'}). `
          + `Sign in again: "Sign in with ${providerLabel(account.oauth)}" in the account's settings, or \`postern account login "${account.name}"\`.`,
          { cause: err, ...(err.serverText ? { serverText: err.serverText } : {}) });
      }
      throw err;
    }
    const next: TokenSet = {
      v: 1,
      // Providers that rotate send a new one; the others keep the old valid.
      refresh_token: granted.refreshToken ?? current.refresh_token,
      access_token: granted.accessToken,
      expires_at: this.#expiry(granted),
      obtained_at: this.#now(),
    };
    const ref = await this.#save(account.id, next);
    if (!sameRef(ref, account.credential)) await this.#onCredentialChange(account.id, ref);
    return next;
  }

  async #load(account: OAuthAccount): Promise<TokenSet> {
    const cached = this.#cache.get(account.id);
    if (cached) return cached;
    if (account.credential.kind === 'none') {
      throw new PosternError('CREDENTIAL_MISSING',
        `${account.name} is not signed in. Sign in with ${providerLabel(account.oauth)} in the account's settings, or run \`postern account login "${account.name}"\`.`);
    }
    const text = await this.#credentials.load(account.id, account.credential);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
    const parsed = TokenSet.safeParse(json);
    if (!parsed.success) {
      throw new PosternError('CREDENTIAL_MISSING', `The saved sign-in of ${account.name} is damaged; sign in again.`);
    }
    this.#cache.set(account.id, parsed.data);
    return parsed.data;
  }

  async #save(accountId: string, set: TokenSet): Promise<CredentialRef> {
    const ref = await this.#credentials.save(accountId, JSON.stringify(set), { purpose: 'oauth' });
    this.#cache.set(accountId, set);
    return ref;
  }

  /** Not yet due for a refresh. */
  #fresh(set: TokenSet): boolean {
    if (set.expires_at === null) return false;
    const lifetime = set.obtained_at === null ? Infinity : set.expires_at - set.obtained_at;
    return set.expires_at - Math.min(REFRESH_MARGIN_MS, lifetime / 2) > this.#now();
  }

  #expiry(tokens: GrantedTokens): number {
    return tokens.expiresAt ?? this.#now() + DEFAULT_LIFETIME_MS;
  }
}

function sameRef(a: CredentialRef, b: CredentialRef): boolean {
  return a.kind === b.kind && (a.kind !== 'env' || (b.kind === 'env' && a.variable === b.variable));
}
