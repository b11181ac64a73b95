/**
 * The renderer's one fixed origin. The app is served from a privileged
 * custom scheme rather than file:// so that "is this our page?" has an exact
 * answer: the scheme and host below, nothing else. Every trust decision in
 * the shell (IPC senders, navigation, CSP) goes through this file.
 *
 * Node's URL parser reports `origin === 'null'` for schemes it does not know,
 * so the checks compare protocol and host instead of `url.origin`.
 */
export const APP_SCHEME = 'postern';
export const APP_HOST = 'app';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page the main window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/** What the checks read of Electron's WebFrameMain. */
export interface FrameLike {
  readonly parent: object | null;
  readonly url: string;
}

/** True when `url` is a page or resource of the app itself. */
export function isAppUrl(url: string): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  return (
    parsed.protocol === `${APP_SCHEME}:` &&
    parsed.host === APP_HOST &&
    parsed.username === '' &&
    parsed.password === ''
  );
}

/**
 * The frame check every IPC message passes before anything else: a live
 * frame, the top frame of its window (never an iframe, so mail shown in an
 * `<iframe srcdoc>` can never reach the engine even if it ran script), and a
 * page of our own origin.
 */
export function isTrustedFrame(frame: FrameLike | null | undefined): boolean {
  if (frame === null || frame === undefined) return false;
  if (frame.parent !== null) return false;
  return isAppUrl(frame.url);
}
