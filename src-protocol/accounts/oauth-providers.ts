/**
 * Where an account's OAuth 2.0 tokens come from. Google and Microsoft are
 * presets (endpoints and the scopes their IMAP/POP3/SMTP servers want);
 * a custom provider gives its own. Postern has no client id of its own, so
 * every account names one (registered by whoever distributes the build, as
 * an installed/desktop app with a loopback redirect).
 */
import { z } from 'zod';
import { PosternError } from '../common/errors.ts';
import { OAuthEndpointUrl, OAuthProviderName, type OAuthAddInput } from '../contract/schemas.ts';

interface Preset {
  label: string;
  auth_url: string;
  token_url: string;
  scopes: string[];
  /** Extra authorization request parameters the provider needs to hand out a refresh token. */
  extra: Record<string, string>;
}

export const OAUTH_PRESETS: Readonly<Record<'google' | 'microsoft', Preset>> = {
  google: {
    label: 'Google',
    auth_url: 'https://accounts.google.com/o/oauth2/v2/auth',
    token_url: 'https://oauth2.googleapis.com/token',
    // The one scope Gmail's IMAP, POP3 and SMTP accept.
    scopes: ['https://mail.google.com/'],
    // Without these Google gives a refresh token only on the first consent.
    extra: { access_type: 'offline', prompt: 'consent' },
  },
  microsoft: {
    label: 'Microsoft',
    auth_url: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
    token_url: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
    scopes: [
      'offline_access',
      'https://outlook.office.com/IMAP.AccessAsUser.All',
      'https://outlook.office.com/POP.AccessAsUser.All',
      'https://outlook.office.com/SMTP.Send',
    ],
    extra: {},
  },
};

/** What accounts.json keeps: everything needed to ask for tokens, and no token. */
export const StoredOAuth = z.object({
  provider: OAuthProviderName,
  client_id: z.string().min(1).max(500),
  /** Not confidential for an installed app (RFC 8252 section 8.5); Google requires it all the same. */
  client_secret: z.string().min(1).max(500).nullable().default(null),
  auth_url: OAuthEndpointUrl,
  token_url: OAuthEndpointUrl,
  scopes: z.array(z.string().min(1).max(500)).min(1).max(20),
});
export type StoredOAuth = z.infer<typeof StoredOAuth>;

/** The settings to keep for an account added with `oauth`: a preset filled in, anything given overriding it. */
export function resolveOAuth(input: OAuthAddInput): StoredOAuth {
  const preset = input.provider === 'custom' ? undefined : OAUTH_PRESETS[input.provider];
  const auth_url = input.auth_url ?? preset?.auth_url;
  const token_url = input.token_url ?? preset?.token_url;
  const scopes = input.scopes ?? preset?.scopes;
  if (auth_url === undefined || token_url === undefined || scopes === undefined) {
    throw new PosternError('BAD_INPUT', 'A custom OAuth provider needs its authorization URL, token URL and scopes.');
  }
  return StoredOAuth.parse({ provider: input.provider, client_id: input.client_id, client_secret: input.client_secret ?? null, auth_url, token_url, scopes });
}

/** Extra authorization parameters for the account's provider. */
export function extraAuthParams(oauth: StoredOAuth): Record<string, string> {
  return oauth.provider === 'custom' ? {} : OAUTH_PRESETS[oauth.provider].extra;
}

/** "Google", "Microsoft", or the custom provider's host, for messages. */
export function providerLabel(oauth: StoredOAuth): string {
  return oauth.provider === 'custom' ? new URL(oauth.token_url).host : OAUTH_PRESETS[oauth.provider].label;
}
