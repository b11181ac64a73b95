#!/usr/bin/env node
/**
 * `npm start`: runs the built app (dist/electron/main.cjs) in Electron.
 *
 * `require('electron')` answers the path of Electron's binary and, with
 * Electron 45, downloads it on first use. Where that download cannot happen
 * (no internet, as on the build machines) this says so plainly and points
 * to the web bridge, which runs the same engine and renderer in a browser.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(import.meta.url);

function fail(lines) {
  console.error(['', ...lines, ''].join('\n'));
  process.exit(1);
}

if (!existsSync(path.join(root, 'dist', 'electron', 'main.cjs'))) {
  fail(['Postern is not built yet: dist/electron/main.cjs is missing.', 'Run `npm run build` first (`npm start` does both).']);
}

let electronBinary;
try {
  electronBinary = require('electron');
} catch (err) {
  fail([
    'Postern cannot start: the Electron binary is not available and could not be downloaded.',
    `  (${err instanceof Error ? err.message : String(err)})`,
    'Electron fetches its binary from the internet on first launch; this machine cannot reach it.',
    'To use Postern without Electron, run the web bridge instead:  npm run serve',
  ]);
}
if (typeof electronBinary !== 'string' || !existsSync(electronBinary)) {
  fail([
    `Postern cannot start: the Electron binary was not found at ${String(electronBinary)}.`,
    'Delete node_modules/electron/dist and try again with internet access, or run the web bridge:  npm run serve',
  ]);
}

// ELECTRON_RUN_AS_NODE would turn Electron into plain Node and skip the app.
const env = { ...process.env };
delete env.ELECTRON_RUN_AS_NODE;

const child = spawn(electronBinary, [root, ...process.argv.slice(2)], { stdio: 'inherit', env });
for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    if (!child.killed) child.kill(signal);
  });
}
child.on('error', (err) => fail([`Postern could not launch Electron: ${err.message}`, 'Try the web bridge instead:  npm run serve']));
child.on('exit', (code, signal) => {
  // A child killed by a signal exits like a shell reports it: 128 + the signal number.
  process.exitCode = code ?? (signal === null ? 1 : 128 + (constants.signals[signal] ?? 0));
});
