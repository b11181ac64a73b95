/**
 * Links the app hands to the operating system (the person's browser or mail
 * handler). Everything else (file:, javascript:, custom schemes that launch
 * other programs, URLs with embedded credentials) is dropped, because
 * shell.openExternal on an attacker's URL is a well-known way out of the
 * sandbox.
 */
import type { Shell } from 'electron';
import { createLogger } from '../src-protocol/common/log.ts';

const log = createLogger({ component: 'electron/external-links' });

const ALLOWED_PROTOCOLS = new Set(['https:', 'http:', 'mailto:']);
/** Long URLs are a smuggling vector for argument injection into handlers. */
const MAX_URL_LENGTH = 8192;

/** The normalised URL if it may be opened outside the app, else null. */
export function externalUrlOrNull(raw: string): string | null {
  if (typeof raw !== 'string' || raw.length === 0 || raw.length > MAX_URL_LENGTH) return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (!ALLOWED_PROTOCOLS.has(url.protocol)) return null;
  if (url.username !== '' || url.password !== '') return null;
  if (url.protocol !== 'mailto:' && url.hostname === '') return null;
  return url.href;
}

/** Opens `raw` in the system's handler if it passes the check; says whether it did. */
export function openExternalSafely(shell: Pick<Shell, 'openExternal'>, raw: string): boolean {
  const url = externalUrlOrNull(raw);
  if (url === null) return false;
  shell.openExternal(url).catch((err: unknown) => {
    // Nothing to undo; the person just sees that nothing opened.
    log.warn('could not open an external link', { err });
  });
  return true;
}
