/**
 * Sign-in with an OAuth 2.0 access token, once more with a fresh token when
 * the server refuses it (it may have been revoked or expired early), and a
 * refusal worded as what it is: not a wrong password but a sign-in to renew.
 * The same for IMAP, POP3 and SMTP; the authentication comes before anything
 * is sent, so a second try can never do anything twice.
 */
import { PosternError } from '../common/errors.ts';

export interface TokenSignIn {
  user: string;
  /** An OAuth 2.0 access token; absent: a password sign-in, tried once. */
  accessToken?: string | undefined;
  /** Asked once when the server refuses `accessToken`. */
  renewAccessToken?: (() => Promise<string>) | undefined;
}

/** `server` names it for the message ("The IMAP server host:993"). */
export async function withTokenRetry<S extends TokenSignIn, T>(settings: S, server: string, attempt: (settings: S) => Promise<T>): Promise<T> {
  if (settings.accessToken === undefined) return attempt(settings);
  try {
    return await attempt(settings);
  } catch (err) {
    if (!isAuthFailure(err) || !settings.renewAccessToken) throw tokenRefusal(err, server, settings.user);
    // Renewing may itself fail with a clear "sign in again".
    const accessToken = await settings.renewAccessToken();
    try {
      return await attempt({ ...settings, accessToken, renewAccessToken: undefined });
    } catch (again) {
      throw tokenRefusal(again, server, settings.user);
    }
  }
}

function isAuthFailure(err: unknown): err is PosternError {
  return err instanceof PosternError && err.code === 'AUTH_FAILED';
}

function tokenRefusal(err: unknown, server: string, user: string): unknown {
  if (!isAuthFailure(err)) return err;
  return new PosternError('AUTH_FAILED', `${server} refused the OAuth2 access token for ${user}${err.serverText ? `: ${err.serverText}` : '.'} Sign in to the account again.`,
    { cause: err, ...(err.serverText ? { serverText: err.serverText } : {}) });
}
