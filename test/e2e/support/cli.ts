// Runs one `postern` CLI command to completion (e.g. `account add`).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../src-protocol/cli/postern.mjs', import.meta.url));

export function postern(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [CLI, ...args], { env: { ...process.env, ...env }, timeout: 60_000 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`postern ${args[0] ?? ''} ${args[1] ?? ''} failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}
