/**
 * Turns a POP3 -ERR into a PosternError a person can act on, using the
 * response codes of RFC 2449 and RFC 3206 when the server sends them. The
 * server's words are kept (with any secret scrubbed out: a server that echoes
 * a password must not put it into our messages or logs).
 */
import { PosternError } from '../common/errors.ts';
import type { ErrorCode } from '../common/error-codes.ts';
import type { Pop3Response } from './pop3-response.ts';

/** Response codes that mean "try again later" rather than "this will not work". */
const TEMPORARY_CODES = new Set(['IN-USE', 'LOGIN-DELAY', 'SYS/TEMP']);

/** A refusal by a POP3 server, with its response code for the caller's retry decision. */
export class Pop3ServerError extends PosternError {
  /** The RFC 2449 response code (`IN-USE`, `LOGIN-DELAY`, `SYS/TEMP`, `SYS/PERM`, `AUTH`), if any. */
  readonly responseCode: string | undefined;
  /** True when the same request may well succeed later (locked maildrop, login delay, temporary failure). */
  readonly temporary: boolean;

  constructor(code: ErrorCode, message: string, responseCode: string | undefined, serverText: string) {
    super(code, message, { serverText });
    this.name = 'Pop3ServerError';
    this.responseCode = responseCode;
    this.temporary = responseCode !== undefined && TEMPORARY_CODES.has(responseCode);
  }
}

/** What the -ERR answered, for the message: a greeting, a sign-in, or a command. */
export type Pop3Refused = { kind: 'greeting' } | { kind: 'auth' } | { kind: 'command'; what: string };

/** Replaces every secret of 4 or more characters in `text` (shorter ones would mangle ordinary words). */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}

export function errorFromResponse(
  response: Pop3Response,
  server: string,
  refused: Pop3Refused,
  secrets: readonly string[] = [],
): Pop3ServerError {
  const text = scrubSecrets(response.text, secrets).slice(0, 500);
  const said = text ? ` The server said: "${text}"` : '';
  const code = response.code;
  const make = (errorCode: ErrorCode, message: string): Pop3ServerError =>
    new Pop3ServerError(errorCode, message + said, code, text);

  switch (code) {
    case 'IN-USE':
      return make('SERVER_REFUSED', `${server}: the maildrop is locked by another session (another mail program may be checking it). Postern will try again later.`);
    case 'LOGIN-DELAY':
      return make('SERVER_REFUSED', `${server} allows signing in only every so often and it is too soon. Postern will try again later.`);
    case 'SYS/TEMP':
      return make('SERVER_REFUSED', `${server} has a temporary problem. Postern will try again later.`);
    case 'SYS/PERM':
      return make('SERVER_REFUSED', `${server} has a problem that will not go away by itself; its administrator must fix it.`);
    case 'AUTH':
      return make('AUTH_FAILED', `${server} refused the user name or password.`);
  }
  switch (refused.kind) {
    case 'greeting':
      return make('SERVER_REFUSED', `${server} refused the connection.`);
    case 'auth':
      return make('AUTH_FAILED', `${server} refused the user name or password.`);
    case 'command':
      return make('SERVER_REFUSED', `${server} refused ${refused.what}.`);
  }
}
