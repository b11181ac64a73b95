/**
 * The CLI's side of OAuth accounts: the `account add --oauth …` options and
 * the sign-in (`account login`, and right after `account add --oauth`). The
 * URL to open goes to stderr; the command then waits for the browser to come
 * back to the engine's loopback listener. No token is ever printed.
 */
import { PosternError } from '../common/errors.ts';
import type { CallInput, CallName, CallOutput } from '../contract/contract.ts';
import type { AccountSummary, OAuthAddInput } from '../contract/schemas.ts';

type Caller = <K extends CallName>(name: K, input: CallInput<K>) => Promise<CallOutput<K>>;

export const OAUTH_ADD_OPTIONS = {
  oauth: { type: 'string' },
  'oauth-client-id': { type: 'string' },
  'oauth-client-secret': { type: 'string' },
  'oauth-auth-url': { type: 'string' },
  'oauth-token-url': { type: 'string' },
  'oauth-scope': { type: 'string', multiple: true },
  login: { type: 'boolean', default: true },
} as const;

export interface OAuthAddValues {
  oauth?: string | undefined;
  'oauth-client-id'?: string | undefined;
  'oauth-client-secret'?: string | undefined;
  'oauth-auth-url'?: string | undefined;
  'oauth-token-url'?: string | undefined;
  'oauth-scope'?: string[] | undefined;
}

/** The `oauth` part of accounts.add from the flags, or undefined for a password account. */
export function oauthFromFlags(values: OAuthAddValues): OAuthAddInput | undefined {
  const given = ['oauth-client-id', 'oauth-client-secret', 'oauth-auth-url', 'oauth-token-url', 'oauth-scope'] as const;
  if (values.oauth === undefined) {
    const stray = given.find((k) => values[k] !== undefined);
    if (stray) throw new PosternError('BAD_INPUT', `--${stray} goes with --oauth google|microsoft|custom.`);
    return undefined;
  }
  if (values.oauth !== 'google' && values.oauth !== 'microsoft' && values.oauth !== 'custom') {
    throw new PosternError('BAD_INPUT', '--oauth takes google, microsoft or custom.');
  }
  const clientId = values['oauth-client-id'];
  if (!clientId) throw new PosternError('BAD_INPUT', `--oauth needs --oauth-client-id (the client id registered with ${values.oauth === 'custom' ? 'the provider' : values.oauth} for this installation).`);
  if (values.oauth === 'custom' && (!values['oauth-auth-url'] || !values['oauth-token-url'] || !values['oauth-scope']?.length)) {
    throw new PosternError('BAD_INPUT', '--oauth custom needs --oauth-auth-url, --oauth-token-url and at least one --oauth-scope.');
  }
  const scopes = values['oauth-scope']?.flatMap((s) => s.split(/\s+/)).filter((s) => s !== '');
  return {
    provider: values.oauth,
    client_id: clientId,
    ...(values['oauth-client-secret'] ? { client_secret: values['oauth-client-secret'] } : {}),
    ...(values['oauth-auth-url'] ? { auth_url: values['oauth-auth-url'] } : {}),
    ...(values['oauth-token-url'] ? { token_url: values['oauth-token-url'] } : {}),
    ...(scopes?.length ? { scopes } : {}),
  };
}

/** Runs the browser sign-in for an OAuth account; resolves once the tokens are kept. */
export async function signIn(call: Caller, account: Pick<AccountSummary, 'id' | 'name'>, err: (text: string) => void): Promise<AccountSummary> {
  const { flow_id, url } = await call('mail:accounts.oauthStart', { account_id: account.id });
  err(`To sign in ${account.name}, open this address in a browser on this computer:\n  ${url}\nWaiting for the browser (Ctrl+C gives up)…`);
  return call('mail:accounts.oauthFinish', { flow_id });
}
