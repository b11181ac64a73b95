/**
 * How large a message will be on the wire, estimated before it is built, so
 * the composer can warn before uploading something the server will refuse
 * (its EHLO SIZE) or that is simply very large.
 */
import { PREFERENCE_LIMITS, readPreference } from './preferences.ts';

/** The warning size when the person has not chosen one (many providers refuse 25 MB). */
export const DEFAULT_WARN_BYTES = PREFERENCE_LIMITS.warnMiB.default * 1024 * 1024;

/** The configured warning size (Preferences), in bytes. */
export function warnBytes(storage: Pick<Storage, 'getItem'> | null = globalThis.localStorage ?? null): number {
  return Math.round(readPreference('warnMiB', storage) * 1024 * 1024);
}

/** Bytes after base64 with 76-character lines and CRLF (how attachments travel). */
export function base64WireSize(bytes: number): number {
  const b64 = Math.ceil(bytes / 3) * 4;
  return b64 + Math.ceil(b64 / 76) * 2;
}

/** Attachments and body text, encoded, plus a few KiB of headers and MIME boundaries. */
export function estimateMessageSize(attachmentBytes: ReadonlyArray<number>, bodyChars: number): number {
  const parts = attachmentBytes.reduce((n, b) => n + base64WireSize(b) + 300, 0);
  return parts + Math.ceil(bodyChars * 1.1) + 4096;
}

export type SizeVerdict = { kind: 'ok' } | { kind: 'over-limit'; size: number; limit: number } | { kind: 'large'; size: number; warn: number };

export function sizeVerdict(size: number, serverLimit: number | null | undefined, warn: number): SizeVerdict {
  if (serverLimit && size > serverLimit) return { kind: 'over-limit', size, limit: serverLimit };
  if (size > warn) return { kind: 'large', size, warn };
  return { kind: 'ok' };
}
