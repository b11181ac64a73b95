/**
 * Opens a saved file with the application the desktop chooses for it, the
 * way a double click would. The engine does this itself (it runs in the
 * Electron main process or beside the web bridge, on the person's machine),
 * with the platform's own opener and an argument list, never a shell: a file
 * name chosen by a stranger is only ever one argument.
 *
 * POSTERN_OPEN_WITH names another program to use instead (a person who wants
 * a particular viewer; the tests, which check what would have been opened).
 */
import { spawn } from 'node:child_process';
import { PosternError } from '../common/errors.ts';

function opener(): { command: string; args: string[] } {
  const chosen = process.env['POSTERN_OPEN_WITH'];
  if (chosen) return { command: chosen, args: [] };
  if (process.platform === 'darwin') return { command: 'open', args: [] };
  if (process.platform === 'win32') return { command: 'explorer.exe', args: [] };
  return { command: 'xdg-open', args: [] };
}

/** Resolves once the opener started; the application it hands over to lives on by itself. */
export function openWithSystem(path: string): Promise<void> {
  const { command, args } = opener();
  return new Promise((resolve, reject) => {
    const child = spawn(command, [...args, path], { detached: true, stdio: 'ignore', shell: false, windowsHide: true });
    const onError = (err: Error) => {
      child.off('spawn', onSpawn);
      reject(new PosternError('INTERNAL', `No application could be started to open the file (${command}: ${err.message}). It is saved at ${path}.`, { cause: err }));
    };
    const onSpawn = () => {
      child.off('error', onError);
      // Later troubles of the opener (it exits non-zero, say) are its own to show.
      child.on('error', () => undefined);
      child.unref();
      resolve();
    };
    child.once('error', onError);
    child.once('spawn', onSpawn);
  });
}
