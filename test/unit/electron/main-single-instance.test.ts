import { describe, expect, it, vi } from 'vitest';
import { app, FakeBrowserWindow, ipcMain } from './fake-electron.ts';

vi.mock('electron', async () => (await import('./fake-electron.ts')).electronModule);

// Another Postern already holds the lock.
app.gotLock = false;
await import('../../../electron/main.ts');

describe('electron main, second copy', () => {
  it('quits at once and opens nothing, leaving the first copy in charge', async () => {
    expect(app.quitCount).toBe(1);
    app.ready();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(FakeBrowserWindow.getAllWindows()).toEqual([]);
    expect(ipcMain.handlers.size).toBe(0);
    expect(app.listenerCount('second-instance')).toBe(0);
  });
});
