import { describe, expect, it } from 'vitest';
import type { MenuItemConstructorOptions } from 'electron';
import { appMenuTemplate } from '../../../electron/menu.ts';

function roles(items: MenuItemConstructorOptions[]): string[] {
  return items.flatMap((item) => [
    ...(item.role ? [item.role] : []),
    ...(Array.isArray(item.submenu) ? roles(item.submenu) : []),
  ]);
}

function findLabel(items: MenuItemConstructorOptions[], label: string): MenuItemConstructorOptions | undefined {
  for (const item of items) {
    if (item.label === label) return item;
    if (Array.isArray(item.submenu)) {
      const found = findLabel(item.submenu, label);
      if (found) return found;
    }
  }
  return undefined;
}

describe('appMenuTemplate', () => {
  it('offers reload and dev tools only in unpackaged builds', () => {
    const dev = roles(appMenuTemplate({ platform: 'linux', isPackaged: false, onNewMessage: () => undefined, onPreferences: () => undefined }));
    const shipped = roles(appMenuTemplate({ platform: 'linux', isPackaged: true, onNewMessage: () => undefined, onPreferences: () => undefined }));
    expect(dev).toEqual(expect.arrayContaining(['reload', 'toggleDevTools']));
    expect(shipped).not.toContain('reload');
    expect(shipped).not.toContain('forceReload');
    expect(shipped).not.toContain('toggleDevTools');
  });

  it('has File > New Message (Ctrl+N), Quit, the Edit roles and About', () => {
    let asked = 0;
    const menu = appMenuTemplate({ platform: 'linux', isPackaged: true, onNewMessage: () => asked++, onPreferences: () => undefined });
    const item = findLabel(menu, 'New Message');
    expect(item?.accelerator).toBe('CmdOrCtrl+N');
    (item?.click as () => void)();
    expect(asked).toBe(1);
    expect(roles(menu)).toEqual(expect.arrayContaining(['quit', 'undo', 'redo', 'cut', 'copy', 'paste', 'selectAll', 'about']));
  });

  it('puts the application menu first on macOS', () => {
    const [first] = appMenuTemplate({ platform: 'darwin', isPackaged: true, onNewMessage: () => undefined, onPreferences: () => undefined });
    expect(first?.role).toBe('appMenu');
  });
});
