/**
 * The main window and the guards around its web contents: a locked-down
 * renderer (sandboxed, isolated, no Node), no navigation away from the app
 * origin, no new windows (links open in the system browser after a check),
 * no permission ever granted, no <webview>.
 */
import { BrowserWindow, shell } from 'electron';
import type { Session, WebContents, WebPreferences } from 'electron';
import { APP_ENTRY_URL, isAppUrl } from './app-origin.ts';
import { openExternalSafely } from './external-links.ts';
import { createLogger } from '../src-protocol/common/log.ts';

const log = createLogger({ component: 'electron/window' });

export interface MainWindowOptions {
  /** Absolute path of the built preload (dist/electron/preload.cjs). */
  preloadPath: string;
  /** Dev tools can be opened only in unpackaged builds. */
  allowDevTools: boolean;
  /** Defaults to the app's entry page. */
  url?: string;
}

export function secureWebPreferences(preloadPath: string, allowDevTools: boolean): WebPreferences {
  return {
    preload: preloadPath,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    spellcheck: true,
    devTools: allowDevTools,
  };
}

/**
 * Subframes may show srcdoc/about:blank (mail bodies) and our own pages;
 * a link clicked inside a mail must not load a remote page inside the app.
 */
function isAllowedSubframeUrl(url: string): boolean {
  return url === 'about:srcdoc' || url === 'about:blank' || isAppUrl(url);
}

/** Installs the navigation, window-open and webview guards on one web contents. */
export function guardWebContents(contents: WebContents): void {
  contents.on('will-navigate', (event) => {
    if (!isAppUrl(event.url)) event.preventDefault();
  });
  contents.on('will-redirect', (event) => {
    if (event.isMainFrame ? !isAppUrl(event.url) : !isAllowedSubframeUrl(event.url)) event.preventDefault();
  });
  contents.on('will-frame-navigate', (event) => {
    if (event.isMainFrame ? !isAppUrl(event.url) : !isAllowedSubframeUrl(event.url)) event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
  });
  contents.setWindowOpenHandler(({ url }) => {
    openExternalSafely(shell, url);
    return { action: 'deny' };
  });
}

/** Refuses every permission (camera, notifications, clipboard read, …) for the session. */
export function denyAllPermissions(session: Session): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => {
    callback(false);
  });
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 720,
    minHeight: 480,
    title: 'Postern',
    show: false,
    backgroundColor: '#ffffff',
    webPreferences: secureWebPreferences(options.preloadPath, options.allowDevTools),
  });
  denyAllPermissions(win.webContents.session);
  guardWebContents(win.webContents);
  // Shown once painted, so the person never sees a blank white frame.
  win.once('ready-to-show', () => win.show());
  void win.loadURL(options.url ?? APP_ENTRY_URL).catch((err: unknown) => {
    log.error('the app page failed to load', { err });
  });
  return win;
}
