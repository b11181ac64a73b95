/**
 * Every error Postern reports carries one of these stable codes. The list is
 * the single source: the engine throws them, the IPC envelope carries them,
 * the renderer and the CLI decide what to show from them. Plain data only, so
 * the contract (and through it the renderer) can import this file.
 */
export const ERROR_CODES = {
  BAD_INPUT: 'The request was not valid.',
  NOT_FOUND: 'The item does not exist.',
  ACCOUNT_EXISTS: 'An account with that name already exists.',
  AUTH_FAILED: 'The server refused the user name or password.',
  TLS_UNTRUSTED: "The server's certificate is not trusted.",
  TLS_FAILED: 'A secure connection could not be set up.',
  CONNECT_FAILED: 'The server could not be reached.',
  TIMEOUT: 'The server took too long to answer.',
  PROTOCOL: 'The server answered in a way Postern did not understand.',
  SERVER_REFUSED: 'The server refused the request.',
  SEND_REJECTED: 'The server refused to send the message.',
  CREDENTIAL_MISSING: 'No password is available for this account.',
  CANCELLED: 'The operation was cancelled.',
  STORAGE: 'Local storage failed.',
  FORBIDDEN: 'The request was not allowed.',
  INTERNAL: 'Something went wrong inside Postern.',
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}
