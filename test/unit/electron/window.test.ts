import { beforeEach, describe, expect, it, vi } from 'vitest';
import { FakeBrowserWindow, navigationEvent, shell } from './fake-electron.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

const { createMainWindow } = await import('../../../electron/window.ts');

function openWindow(allowDevTools = false): FakeBrowserWindow {
  createMainWindow({ preloadPath: '/app/dist/electron/preload.cjs', allowDevTools });
  const win = FakeBrowserWindow.created.at(-1);
  if (win === undefined) throw new Error('no window was created');
  return win;
}

beforeEach(() => {
  shell.openExternal.mockClear();
});

describe('createMainWindow', () => {
  it('locks down the renderer: isolated, sandboxed, no Node anywhere', () => {
    const prefs = openWindow().options.webPreferences as Record<string, unknown>;
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.sandbox).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webSecurity).toBe(true);
    expect(prefs.allowRunningInsecureContent).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.preload).toBe('/app/dist/electron/preload.cjs');
  });

  it('allows dev tools only when asked (unpackaged builds)', () => {
    expect((openWindow(false).options.webPreferences as Record<string, unknown>).devTools).toBe(false);
    expect((openWindow(true).options.webPreferences as Record<string, unknown>).devTools).toBe(true);
  });

  it('loads the app from its own origin', () => {
    expect(openWindow().webContents.loadedUrl).toBe('postern://app/index.html');
  });

  it('shows the window once it has painted', () => {
    const win = openWindow();
    expect(win.visible).toBe(false);
    win.emit('ready-to-show');
    expect(win.visible).toBe(true);
  });
});

describe('navigation', () => {
  it('stays on the app origin and refuses every other page', () => {
    const contents = openWindow().webContents;
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'postern://other/index.html', 'http://localhost:5173/', 'about:blank']) {
      for (const name of ['will-navigate', 'will-frame-navigate', 'will-redirect']) {
        const event = navigationEvent(url);
        contents.emit(name, event);
        expect(event.defaultPrevented, `${name} ${url}`).toBe(true);
      }
    }
    const inApp = navigationEvent('postern://app/index.html#/inbox');
    contents.emit('will-navigate', inApp);
    expect(inApp.defaultPrevented).toBe(false);
  });

  it('lets mail frames show srcdoc but not load a remote page', () => {
    const contents = openWindow().webContents;
    const srcdoc = navigationEvent('about:srcdoc', false);
    contents.emit('will-frame-navigate', srcdoc);
    expect(srcdoc.defaultPrevented).toBe(false);
    const remote = navigationEvent('https://tracker.example/click', false);
    contents.emit('will-frame-navigate', remote);
    expect(remote.defaultPrevented).toBe(true);
  });

  it('never attaches a <webview>', () => {
    const contents = openWindow().webContents;
    const event = navigationEvent('https://evil.example/');
    contents.emit('will-attach-webview', event);
    expect(event.defaultPrevented).toBe(true);
  });
});

describe('window.open', () => {
  it('opens web and mailto links in the system handler, never in a new app window', () => {
    const contents = openWindow().webContents;
    expect(contents.openWindow('https://example.org/a?b=c')).toEqual({ action: 'deny' });
    expect(contents.openWindow('mailto:ann@example.org')).toEqual({ action: 'deny' });
    expect(shell.openExternal.mock.calls.map((c) => c[0])).toEqual(['https://example.org/a?b=c', 'mailto:ann@example.org']);
  });

  it('drops file:, javascript:, custom schemes and URLs with credentials', () => {
    const contents = openWindow().webContents;
    for (const url of [
      'file:///etc/passwd',
      'javascript:alert(1)',
      'ms-msdt:/id PCWDiagnostic',
      'smb://host/share',
      'https://user:secret@example.org/',
      'not a url',
      `https://example.org/${'a'.repeat(9000)}`,
    ]) {
      expect(contents.openWindow(url), url).toEqual({ action: 'deny' });
    }
    expect(shell.openExternal).not.toHaveBeenCalled();
  });
});

describe('permissions', () => {
  it('refuses every permission request and check', () => {
    const session = openWindow().webContents.session;
    const answers: boolean[] = [];
    for (const permission of ['media', 'notifications', 'geolocation', 'clipboard-read', 'openExternal']) {
      session.permissionRequestHandler?.({}, permission, (granted) => answers.push(granted), {});
    }
    expect(answers).toEqual([false, false, false, false, false]);
    expect(session.permissionCheckHandler?.({}, 'media', 'postern://app', {})).toBe(false);
    expect(session.devicePermissionHandler?.({})).toBe(false);
  });
});
