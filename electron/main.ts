/**
 * Electron main process: app lifecycle only. One instance; the renderer is
 * served from the app scheme; the engine runs in a worker behind a
 * Dispatcher; the contract is bound to IPC; on quit the dispatcher closes
 * before the process exits so no sync or send is cut off half-written.
 *
 * Bundled to dist/electron/main.cjs (CommonJS), so `__dirname` is that
 * folder; the preload, the engine worker and the renderer sit next to it.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, safeStorage } from 'electron';
import type { WebContents } from 'electron';
import { startEngine } from '../src-protocol/service/engine-host.ts';
import type { Dispatcher } from '../src-protocol/service/dispatcher-types.ts';
import type { EventName, EventPayload } from '../src-protocol/contract/contract.ts';
import { IPC_CHANNELS } from '../src-protocol/contract/preload-api.ts';
import { createLogger } from '../src-protocol/common/log.ts';
import { APP_SCHEME, isTrustedFrame } from './app-origin.ts';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './app-protocol.ts';
import { deferredDispatcher } from '../src-protocol/service/deferred-dispatcher.ts';
import { EngineStartupState } from '../src-protocol/service/engine-startup.ts';
import { bindContract } from './ipc-binding.ts';
import { appMenuTemplate } from './menu.ts';
import { SafeStorageCredentialStore } from './safe-storage-credentials.ts';
import { createMainWindow } from './window.ts';

const BUILD_DIR = __dirname;
const RENDERER_DIR = path.join(BUILD_DIR, '..', 'renderer');
const PRELOAD_PATH = path.join(BUILD_DIR, 'preload.cjs');
const WORKER_URL = pathToFileURL(path.join(BUILD_DIR, 'engine-worker.cjs'));
const log = createLogger({ component: 'electron/main' });
/** How long quitting waits for the engine to finish its work. */
const CLOSE_TIMEOUT_MS = 10_000;

// --- Before `ready` -------------------------------------------------------

// Every renderer sandboxed, whatever a window's options say.
app.enableSandbox();
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
// The same profile folder for development and packaged builds.
app.setPath('userData', path.join(app.getPath('appData'), 'Postern'));

let mainWindow: BrowserWindow | null = null;
let dispatcher: Dispatcher | null = null;
let unbindContract: (() => void) | null = null;
let shutdown: 'running' | 'closing' | 'closed' = 'running';

function mainContents(): WebContents | null {
  return mainWindow !== null && !mainWindow.isDestroyed() ? mainWindow.webContents : null;
}

/** Shell-originated events use the same channel as engine events, and only contract names. */
function sendAppEvent<K extends EventName>(name: K, payload: EventPayload<K>): void {
  const contents = mainContents();
  if (contents !== null && isTrustedFrame(contents.mainFrame)) contents.send(IPC_CHANNELS.event, name, payload);
}

function openMainWindow(): void {
  mainWindow = createMainWindow({ preloadPath: PRELOAD_PATH, allowDevTools: !app.isPackaged });
  mainWindow.on('closed', () => {
    mainWindow = null;
  });
}

function focusMainWindow(): void {
  if (mainWindow === null) {
    openMainWindow();
    return;
  }
  if (mainWindow.isMinimized()) mainWindow.restore();
  mainWindow.show();
  mainWindow.focus();
}

async function onReady(): Promise<void> {
  protocol.handle(APP_SCHEME, createAppProtocolHandler(RENDERER_DIR));
  app.setAboutPanelOptions({ applicationName: 'Postern', applicationVersion: app.getVersion() });
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      appMenuTemplate({
        platform: process.platform,
        isPackaged: app.isPackaged,
        onNewMessage: () => {
          focusMainWindow();
          sendAppEvent('app:command', { command: 'new-message' });
        },
        onPreferences: () => {
          focusMainWindow();
          sendAppEvent('app:command', { command: 'preferences' });
        },
      }),
    ),
  );

  const profileDir = path.join(app.getPath('userData'), 'profile');
  const startup = new EngineStartupState();
  const starting = startEngine({
    profileDir,
    credentials: new SafeStorageCredentialStore({ profileDir, safeStorage }),
    workerUrl: WORKER_URL,
    downloadsDir: app.getPath('downloads'),
    // A database upgrade shows in the window (app:startup) while it runs.
    onMigration: (step) => startup.migrating(step),
  });
  starting.catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    log.error('the mail engine could not start', { err });
    dialog.showErrorBox('Postern', `The mail engine could not start.\n\n${message}`);
  });
  // The window opens at once; calls made while the engine starts wait for it.
  dispatcher = deferredDispatcher(starting, startup);
  unbindContract = bindContract(ipcMain, dispatcher, isTrustedFrame, mainContents);
  openMainWindow();
}

function closeEngineThenQuit(): void {
  shutdown = 'closing';
  unbindContract?.();
  unbindContract = null;
  const closing = dispatcher;
  dispatcher = null;
  let finished = false;
  const finish = (): void => {
    if (finished) return;
    finished = true;
    clearTimeout(timer);
    shutdown = 'closed';
    app.quit();
  };
  // A stuck engine must not keep the app from quitting.
  const timer = setTimeout(() => {
    log.error('the mail engine did not close in time; quitting anyway', { timeoutMs: CLOSE_TIMEOUT_MS });
    finish();
  }, CLOSE_TIMEOUT_MS);
  (closing?.close() ?? Promise.resolve())
    .catch((err: unknown) => log.error('closing the mail engine failed', { err }))
    .finally(finish);
}

if (!app.requestSingleInstanceLock()) {
  // Another Postern runs; it gets 'second-instance' and comes to the front.
  app.quit();
} else {
  app.on('second-instance', () => focusMainWindow());

  // A backstop for any web contents (dev tools, future windows): no
  // <webview>, no pop-ups. The main window installs stricter guards itself.
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-attach-webview', (event) => event.preventDefault());
    contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (shutdown === 'running' && BrowserWindow.getAllWindows().length === 0) openMainWindow();
  });

  app.on('will-quit', (event) => {
    if (shutdown === 'closed') return;
    event.preventDefault();
    if (shutdown === 'running') closeEngineThenQuit();
  });

  app.whenReady().then(onReady).catch((err: unknown) => {
    log.error('start-up failed', { err });
    dialog.showErrorBox('Postern', `Postern could not start.\n\n${err instanceof Error ? err.message : String(err)}`);
    app.exit(1);
  });
}
