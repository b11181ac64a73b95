/**
 * How an account signs in: a password, or OAuth 2.0 with Google, Microsoft
 * or another provider (then the app registration's client id, and for
 * another provider its two addresses and the scopes). The values are the
 * form's; this only draws them.
 */
import type { OAuthProviderName } from '../../src-protocol/contract/index.ts';

export type SignInMethod = 'password' | OAuthProviderName;

export interface SignInValues {
  method: SignInMethod;
  password: string;
  clientId: string;
  clientSecret: string;
  authUrl: string;
  tokenUrl: string;
  scopes: string;
}

export const INITIAL_SIGN_IN: SignInValues = { method: 'password', password: '', clientId: '', clientSecret: '', authUrl: '', tokenUrl: '', scopes: '' };

const METHODS: { method: SignInMethod; label: string }[] = [
  { method: 'password', label: 'Password' },
  { method: 'google', label: 'Google' },
  { method: 'microsoft', label: 'Microsoft' },
  { method: 'custom', label: 'Other (OAuth)' },
];

export function SignInFields(props: {
  values: SignInValues;
  onChange: <K extends keyof SignInValues>(key: K, value: SignInValues[K]) => void;
  /** The form's error for a field, and the attributes that mark it invalid. */
  errorFor: (key: 'password' | 'oauth') => React.ReactNode;
  invalid: (key: 'password' | 'oauth') => object;
}) {
  const v = props.values;
  return (
    <>
      <div className="segmented" role="radiogroup" aria-label="Sign in with" data-testid="account-sign-in">
        <span className="segmented-label">Sign in with:</span>
        {METHODS.map(({ method, label }) => (
          <label key={method} className={`segmented-option${v.method === method ? ' is-on' : ''}`}>
            <input type="radio" name="sign-in" value={method} checked={v.method === method} onChange={() => props.onChange('method', method)} data-testid={`account-sign-in-${method}`} />
            {label}
          </label>
        ))}
      </div>
      {v.method === 'password' ? (
        <label className="field">
          <span>Password</span>
          <input type="password" required value={v.password} onChange={(e) => props.onChange('password', e.target.value)} autoComplete="current-password" data-testid="account-password" {...props.invalid('password')} />
          {props.errorFor('password')}
        </label>
      ) : (
        <fieldset className="server-fields" data-testid="account-oauth">
          <legend>OAuth 2.0 sign-in (your browser opens the provider's page)</legend>
          <div className="form-grid">
            <label className="field">
              <span>Client ID</span>
              <input required value={v.clientId} onChange={(e) => props.onChange('clientId', e.target.value)} data-testid="account-oauth-client-id" {...props.invalid('oauth')} />
            </label>
            <label className="field">
              <span>Client secret (if the provider gave one)</span>
              <input value={v.clientSecret} onChange={(e) => props.onChange('clientSecret', e.target.value)} data-testid="account-oauth-client-secret" />
            </label>
            {v.method === 'custom' && (
              <>
                <label className="field">
                  <span>Authorization URL</span>
                  <input type="url" required value={v.authUrl} onChange={(e) => props.onChange('authUrl', e.target.value)} data-testid="account-oauth-auth-url" />
                </label>
                <label className="field">
                  <span>Token URL</span>
                  <input type="url" required value={v.tokenUrl} onChange={(e) => props.onChange('tokenUrl', e.target.value)} data-testid="account-oauth-token-url" />
                </label>
                <label className="field">
                  <span>Scopes (separated by spaces)</span>
                  <input required value={v.scopes} onChange={(e) => props.onChange('scopes', e.target.value)} data-testid="account-oauth-scopes" />
                </label>
              </>
            )}
          </div>
          {props.errorFor('oauth')}
        </fieldset>
      )}
    </>
  );
}
