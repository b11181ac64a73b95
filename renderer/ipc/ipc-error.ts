/**
 * The one error type the renderer sees from the engine. Whatever went wrong
 * (the engine refused, the transport broke, the engine's answer did not match
 * the contract) arrives as a code from the shared list and a message a person
 * can read.
 */
import { ERROR_CODES, type ErrorCode } from '../../src-protocol/contract/index.ts';

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

export class IpcError extends Error {
  readonly code: ErrorCode;
  /** For input that failed validation: the dotted path of the first bad field (e.g. "imap.host"). */
  readonly field: string | undefined;

  constructor(code: ErrorCode, message: string, field?: string) {
    super(message);
    this.name = 'IpcError';
    this.code = code;
    this.field = field;
  }
}

export function isIpcError(value: unknown): value is IpcError {
  return value instanceof IpcError;
}

/** Anything thrown becomes an IpcError, so views can rely on `code` and `message`. */
export function toIpcError(err: unknown): IpcError {
  if (err instanceof IpcError) return err;
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return new IpcError(isErrorCode(code) ? code : 'INTERNAL', err.message);
  }
  return new IpcError('INTERNAL', String(err));
}
