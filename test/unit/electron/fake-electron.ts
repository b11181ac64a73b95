/**
 * A stand-in for the parts of Electron's API the shell uses. Electron's
 * binary cannot run on the build machines, so tests load this through
 * `vi.mock('electron', …)` — the only mock the project allows. It records
 * what the shell asked for and lets a test play the renderer's side
 * (navigate, open windows, send IPC) the way Chromium would.
 */
import { EventEmitter } from 'node:events';
import { vi } from 'vitest';

/** Just enough of WebFrameMain for the sender checks. */
export interface FakeFrame {
  url: string;
  parent: FakeFrame | null;
}

export function topFrame(url: string): FakeFrame {
  return { url, parent: null };
}

export function subFrame(url: string, parentUrl = 'postern://app/index.html'): FakeFrame {
  return { url, parent: topFrame(parentUrl) };
}

/** An event as Electron passes to navigation listeners. */
export function navigationEvent(url: string, isMainFrame = true): { url: string; isMainFrame: boolean; preventDefault: () => void; defaultPrevented: boolean } {
  const event = {
    url,
    isMainFrame,
    defaultPrevented: false,
    preventDefault() {
      event.defaultPrevented = true;
    },
  };
  return event;
}

type Handler = (event: unknown, ...args: unknown[]) => unknown;

/** ipcMain: one handler per channel (a second `handle` throws, as in Electron) plus listeners. */
export class FakeIpcMain {
  readonly handlers = new Map<string, Handler>();
  readonly listeners = new Map<string, Set<Handler>>();

  handle(channel: string, handler: Handler): void {
    if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
    this.handlers.set(channel, handler);
  }

  removeHandler(channel: string): void {
    this.handlers.delete(channel);
  }

  on(channel: string, listener: Handler): this {
    let set = this.listeners.get(channel);
    if (set === undefined) this.listeners.set(channel, (set = new Set()));
    set.add(listener);
    return this;
  }

  removeListener(channel: string, listener: Handler): this {
    this.listeners.get(channel)?.delete(listener);
    if (this.listeners.get(channel)?.size === 0) this.listeners.delete(channel);
    return this;
  }

  /** What ipcRenderer.invoke would reach in the main process. */
  async invoke(channel: string, event: unknown, ...args: unknown[]): Promise<unknown> {
    const handler = this.handlers.get(channel);
    if (handler === undefined) throw new Error(`No handler registered for '${channel}'`);
    return handler(event, ...args);
  }

  /** What ipcRenderer.send would reach in the main process. */
  send(channel: string, event: unknown, ...args: unknown[]): void {
    for (const listener of this.listeners.get(channel) ?? []) listener(event, ...args);
  }
}

/** An IPC event from a given frame of a given web contents. */
export function ipcEvent(frame: FakeFrame | null, senderId = 1): { senderFrame: FakeFrame | null; sender: { id: number } } {
  return { senderFrame: frame, sender: { id: senderId } };
}

type PermissionRequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: unknown) => void;

export class FakeSession {
  permissionRequestHandler: PermissionRequestHandler | null = null;
  permissionCheckHandler: ((...args: unknown[]) => boolean) | null = null;
  devicePermissionHandler: ((...args: unknown[]) => boolean) | null = null;

  setPermissionRequestHandler(handler: PermissionRequestHandler | null): void {
    this.permissionRequestHandler = handler;
  }

  setPermissionCheckHandler(handler: ((...args: unknown[]) => boolean) | null): void {
    this.permissionCheckHandler = handler;
  }

  setDevicePermissionHandler(handler: ((...args: unknown[]) => boolean) | null): void {
    this.devicePermissionHandler = handler;
  }
}

type WindowOpenHandler = (details: { url: string; frameName: string; features: string; disposition: string }) => { action: 'allow' | 'deny' };

let nextContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextContentsId++;
  readonly session = new FakeSession();
  windowOpenHandler: WindowOpenHandler | null = null;
  mainFrame: FakeFrame = topFrame('postern://app/index.html');
  loadedUrl: string | null = null;
  destroyed = false;
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];

  setWindowOpenHandler(handler: WindowOpenHandler): void {
    this.windowOpenHandler = handler;
  }

  async loadURL(url: string): Promise<void> {
    this.loadedUrl = url;
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Plays a page calling window.open(url); answers what the app decided. */
  openWindow(url: string): { action: 'allow' | 'deny' } {
    if (this.windowOpenHandler === null) return { action: 'allow' }; // Electron's default
    return this.windowOpenHandler({ url, frameName: '', features: '', disposition: 'foreground-tab' });
  }
}

export class FakeBrowserWindow extends EventEmitter {
  static readonly created: FakeBrowserWindow[] = [];
  static getAllWindows(): FakeBrowserWindow[] {
    return FakeBrowserWindow.created.filter((w) => !w.destroyed);
  }

  readonly options: Record<string, unknown>;
  readonly webContents = new FakeWebContents();
  destroyed = false;
  visible = false;
  minimized = false;
  focused = false;

  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    FakeBrowserWindow.created.push(this);
  }

  async loadURL(url: string): Promise<void> {
    await this.webContents.loadURL(url);
  }

  show(): void {
    this.visible = true;
  }

  focus(): void {
    this.focused = true;
  }

  isMinimized(): boolean {
    return this.minimized;
  }

  restore(): void {
    this.minimized = false;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  /** Plays the person closing the window. */
  close(): void {
    this.destroyed = true;
    this.webContents.destroyed = true;
    this.emit('closed');
  }
}

/**
 * `app`: records what main asked for; `ready()` plays Electron becoming
 * ready. `quit()` only counts: the test emits the quit events itself.
 */
export class FakeApp extends EventEmitter {
  readonly calls: string[] = [];
  readonly paths = new Map<string, string>([['appData', '/tmp/postern-fake-appdata'], ['downloads', '/tmp/postern-fake-downloads']]);
  isPackaged = false;
  isReady = false;
  gotLock = true;
  quitCount = 0;
  exitCode: number | null = null;
  #ready: () => void = () => undefined;
  readonly #whenReady = new Promise<void>((resolve) => (this.#ready = resolve));

  enableSandbox(): void {
    this.calls.push('enableSandbox');
  }
  setPath(name: string, value: string): void {
    this.paths.set(name, value);
  }
  getPath(name: string): string {
    const value = this.paths.get(name);
    if (value === undefined) throw new Error(`no path ${name}`);
    return value;
  }
  getVersion(): string {
    return '0.1.0';
  }
  setAboutPanelOptions(): void {}
  requestSingleInstanceLock(): boolean {
    this.calls.push('requestSingleInstanceLock');
    return this.gotLock;
  }
  whenReady(): Promise<void> {
    return this.#whenReady;
  }
  ready(): void {
    this.isReady = true;
    this.#ready();
  }
  quit(): void {
    this.quitCount++;
  }
  exit(code = 0): void {
    this.exitCode = code;
  }
}

export const app = new FakeApp();

export const protocol = {
  privileged: [] as Array<{ scheme: string; privileges?: Record<string, boolean>; beforeReady: boolean }>,
  handlers: new Map<string, (request: Request) => Promise<Response> | Response>(),
  registerSchemesAsPrivileged(schemes: Array<{ scheme: string; privileges?: Record<string, boolean> }>): void {
    for (const s of schemes) protocol.privileged.push({ ...s, beforeReady: !app.isReady });
  },
  handle(scheme: string, handler: (request: Request) => Promise<Response> | Response): void {
    protocol.handlers.set(scheme, handler);
  },
};

export const Menu = {
  current: null as unknown,
  buildFromTemplate: (template: unknown): unknown => template,
  setApplicationMenu(menu: unknown): void {
    Menu.current = menu;
  },
};

export const dialog = { errors: [] as string[], showErrorBox: (_title: string, text: string): void => void dialog.errors.push(text) };

export const ipcMain = new FakeIpcMain();

/** Never used for real in these tests: no keychain here. */
export const safeStorage = {
  isAsyncEncryptionAvailable: async (): Promise<boolean> => false,
  getSelectedStorageBackend: (): string => 'unknown',
  encryptStringAsync: async (): Promise<Buffer> => { throw new Error('no keychain in tests'); },
  decryptStringAsync: async (): Promise<never> => { throw new Error('no keychain in tests'); },
};

export const shell = { openExternal: vi.fn(async (_url: string): Promise<void> => undefined) };

export const contextBridge = { exposeInMainWorld: vi.fn((_key: string, _api: unknown): void => undefined) };

/** ipcRenderer as the preload sees it; `invoke` answers through `answer`. */
export class FakeIpcRenderer extends EventEmitter {
  answer: (channel: string, ...args: unknown[]) => Promise<unknown> = async () => ({ ok: true, value: null });
  readonly invoked: Array<{ channel: string; args: unknown[] }> = [];
  readonly sentMessages: Array<{ channel: string; args: unknown[] }> = [];

  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invoked.push({ channel, args });
    return this.answer(channel, ...args);
  }

  send(channel: string, ...args: unknown[]): void {
    this.sentMessages.push({ channel, args });
  }
}

export const ipcRenderer = new FakeIpcRenderer();

/** The module object `vi.mock('electron', …)` returns. */
export const electronModule = {
  app,
  BrowserWindow: FakeBrowserWindow,
  dialog,
  ipcMain,
  ipcRenderer,
  contextBridge,
  Menu,
  protocol,
  safeStorage,
  shell,
};
