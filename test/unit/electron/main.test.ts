/**
 * The main process's lifecycle, played step by step against the Electron
 * stand-in: what happens before ready, at ready, on a second launch, on
 * File > New Message and on quit. The engine is the real engine host; here
 * its worker bundle is absent (tests run from source), which also shows
 * what a person sees when the engine cannot start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { CALL_NAMES } from '../../../src-protocol/contract/contract.ts';
import { IPC_CHANNELS } from '../../../src-protocol/contract/preload-api.ts';
import { app, dialog, FakeBrowserWindow, ipcEvent, ipcMain, Menu, protocol, topFrame } from './fake-electron.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

const appData = mkdtempSync(path.join(tmpdir(), 'postern-appdata-'));
app.paths.set('appData', appData);
afterAll(() => rmSync(appData, { recursive: true, force: true }));

await import('../../../electron/main.ts');

function mainWindow(): FakeBrowserWindow {
  const win = FakeBrowserWindow.getAllWindows()[0];
  if (win === undefined) throw new Error('no main window');
  return win;
}

function quitEvent(): { defaultPrevented: boolean; preventDefault: () => void } {
  const event = { defaultPrevented: false, preventDefault: () => { event.defaultPrevented = true; } };
  return event;
}

describe('electron main', () => {
  it('before ready: sandboxes every renderer, registers the app scheme and takes the single-instance lock', () => {
    expect(app.calls).toEqual(expect.arrayContaining(['enableSandbox', 'requestSingleInstanceLock']));
    const scheme = protocol.privileged.find((s) => s.scheme === 'postern');
    expect(scheme?.beforeReady).toBe(true);
    expect(scheme?.privileges).toMatchObject({ standard: true, secure: true });
    expect(scheme?.privileges?.bypassCSP ?? false).toBe(false);
    expect(app.getPath('userData')).toBe(path.join(appData, 'Postern'));
    expect(FakeBrowserWindow.getAllWindows()).toEqual([]);
  });

  it('at ready: serves the app scheme, binds the contract and opens the window on the app origin', async () => {
    app.ready();
    await vi.waitFor(() => expect(FakeBrowserWindow.getAllWindows()).toHaveLength(1));
    expect(protocol.handlers.has('postern')).toBe(true);
    expect([...ipcMain.handlers.keys()].sort()).toEqual([...CALL_NAMES].sort());
    expect(mainWindow().webContents.loadedUrl).toBe('postern://app/index.html');
    const prefs = mainWindow().options.webPreferences as Record<string, unknown>;
    expect(path.basename(String(prefs.preload))).toBe('preload.cjs');
    expect(prefs.devTools).toBe(true); // not packaged
  });

  it('when the engine cannot start, says so and answers calls with the reason instead of hanging', async () => {
    await vi.waitFor(() => expect(dialog.errors).toHaveLength(1));
    expect(dialog.errors[0]).toMatch(/mail engine could not start/);
    const answer = await ipcMain.invoke('mail:accounts.list', ipcEvent(topFrame('postern://app/index.html')), 1, {});
    expect(answer).toMatchObject({ ok: false, error: { code: 'INTERNAL' } });
  });

  it('File > New Message brings the window forward and tells the page', () => {
    const template = Menu.current as MenuItemConstructorOptions[];
    const file = template.find((m) => m.label === '&File');
    const item = (file?.submenu as MenuItemConstructorOptions[]).find((m) => m.label === 'New Message');
    const win = mainWindow();
    win.focused = false;
    (item?.click as () => void)();
    expect(win.focused).toBe(true);
    expect(win.webContents.sent).toContainEqual({ channel: IPC_CHANNELS.event, args: ['app:command', { command: 'new-message' }] });
  });

  it('File > Preferences… tells the page to open its preferences', () => {
    const template = Menu.current as MenuItemConstructorOptions[];
    const file = template.find((m) => m.label === '&File');
    const item = (file?.submenu as MenuItemConstructorOptions[]).find((m) => m.label === 'Preferences…');
    expect(item?.accelerator).toBe('CmdOrCtrl+,');
    (item?.click as () => void)();
    expect(mainWindow().webContents.sent).toContainEqual({ channel: IPC_CHANNELS.event, args: ['app:command', { command: 'preferences' }] });
  });

  it('a second launch restores and focuses the existing window', () => {
    const win = mainWindow();
    win.minimized = true;
    win.focused = false;
    app.emit('second-instance', {}, [], '/');
    expect(win.minimized).toBe(false);
    expect(win.focused).toBe(true);
    expect(FakeBrowserWindow.getAllWindows()).toHaveLength(1);
  });

  it('on quit: holds the exit until the engine has closed, unbinds IPC, then quits', async () => {
    const quitsBefore = app.quitCount;
    const first = quitEvent();
    app.emit('will-quit', first);
    expect(first.defaultPrevented).toBe(true);
    expect(ipcMain.handlers.size).toBe(0);
    expect(ipcMain.listeners.size).toBe(0);
    await vi.waitFor(() => expect(app.quitCount).toBe(quitsBefore + 1));
    const second = quitEvent();
    app.emit('will-quit', second);
    expect(second.defaultPrevented).toBe(false);
  });
});
