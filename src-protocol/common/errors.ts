import { ERROR_CODES, isErrorCode, type ErrorCode } from './error-codes.ts';

/** An error with a stable code and a message a person can act on. */
export class PosternError extends Error {
  readonly code: ErrorCode;
  /** Words from the server, kept apart so the UI can quote them. */
  readonly serverText: string | undefined;

  constructor(code: ErrorCode, message?: string, options?: { cause?: unknown; serverText?: string }) {
    super(message ?? ERROR_CODES[code], options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'PosternError';
    this.code = code;
    this.serverText = options?.serverText;
  }
}

export interface ErrorPayload {
  code: ErrorCode;
  message: string;
}

/** Turns anything thrown into the payload that crosses IPC. */
export function toErrorPayload(err: unknown): ErrorPayload {
  if (err instanceof PosternError) return { code: err.code, message: err.message };
  if (err instanceof Error && isErrorCode((err as { code?: unknown }).code)) {
    return { code: (err as unknown as { code: ErrorCode }).code, message: err.message };
  }
  return { code: 'INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
