#!/usr/bin/env node
// The `postern` command. Postern runs on Node 24 (node:sqlite, type
// stripping); when started by an older Node, re-run with the Node 24 that
// `npm ci` put into node_modules.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18) || (major === 23 && minor < 6)) {
  const bundled = fileURLToPath(new URL('../../node_modules/node/bin/node', import.meta.url));
  if (!existsSync(bundled)) {
    process.stderr.write(`postern needs Node 24 (this is ${process.version}); run "npm ci" in the Postern folder first.\n`);
    process.exit(1);
  }
  const child = spawnSync(bundled, [fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(child.status ?? 1);
}
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
