/**
 * Maps the many shapes of network and protocol failures (Node socket errors,
 * imapflow's and nodemailer's) onto our error codes, keeping the server's
 * own words where there are some.
 */
import { PosternError } from '../common/errors.ts';
import { isUntrustedCertificateError } from './tls-policy.ts';

interface LooseError {
  code?: unknown;
  message?: unknown;
  response?: unknown;
  responseText?: unknown;
  authenticationFailed?: unknown;
  responseCode?: unknown;
  serverResponseCode?: unknown;
  reason?: unknown;
}

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'ECONNRESET', 'EPIPE', 'NoConnection', 'ESOCKET', 'ECONNECTION']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ETIMEOUT', 'CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

export function classifyNetworkError(err: unknown, server: string): PosternError {
  if (err instanceof PosternError) return err;
  if ((err as { name?: unknown } | null)?.name === 'AbortError') return new PosternError('CANCELLED');
  const e = (err ?? {}) as LooseError;
  const cause = (err as { cause?: unknown } | null)?.cause;
  const serverText = pickServerText(e);
  const code = typeof e.code === 'string' ? e.code : '';
  const message = typeof e.message === 'string' ? e.message : String(err);

  // nodemailer moves Node's certificate code to originalCode.
  const originalCode = (err as { originalCode?: unknown } | null)?.originalCode;
  if (isUntrustedCertificateError(err) || isUntrustedCertificateError(cause) || isUntrustedCertificateError({ code: originalCode })) {
    return new PosternError('TLS_UNTRUSTED', `The certificate of ${server} is not trusted (${message}). If this is your own server, add its CA certificate to the account.`, { cause: err });
  }
  if (e.authenticationFailed === true || code === 'EAUTH' || /AUTHENTICATIONFAILED|authentication failed|invalid credentials/i.test(serverText ?? message)) {
    return new PosternError('AUTH_FAILED', `${server} refused the user name or password${serverText ? `: ${serverText}` : '.'}`, { cause: err, serverText: serverText ?? undefined });
  }
  if (TIMEOUT_CODES.has(code)) {
    return new PosternError('TIMEOUT', `${server} did not answer in time.`, { cause: err });
  }
  const causeCode = typeof (cause as LooseError | undefined)?.code === 'string' ? (cause as LooseError).code as string : '';
  if (CONNECT_CODES.has(code) || CONNECT_CODES.has(causeCode)) {
    return new PosternError('CONNECT_FAILED', `${server} could not be reached (${causeCode || code}: ${message}).`, { cause: err });
  }
  if (/tls|ssl|handshake/i.test(code) || /tls|ssl|handshake/i.test(message)) {
    return new PosternError('TLS_FAILED', `A secure connection to ${server} failed: ${message}`, { cause: err });
  }
  if (serverText) {
    return new PosternError('SERVER_REFUSED', `${server} said: ${serverText}`, { cause: err, serverText });
  }
  return new PosternError('PROTOCOL', `${server}: ${message}`, { cause: err });
}

function pickServerText(e: LooseError): string | null {
  for (const v of [e.responseText, e.response]) {
    if (typeof v === 'string' && v.trim()) return v.trim().slice(0, 500);
  }
  return null;
}
