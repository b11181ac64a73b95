// Plays the person at the browser for an OAuth sign-in run by the CLI: the
// command prints the authorization URL on stderr; we open it (the test
// provider approves at once as `login_hint`) and follow the redirect to the
// CLI's loopback listener, as a browser would.
import { spawn } from 'node:child_process';
import { CLI, type CliResult } from '../../helpers/run-cli.ts';

export interface SignInRun extends CliResult {
  /** What the browser showed at the end (the loopback listener's page). */
  page: string;
  url: string;
}

export function runCliWithBrowser(args: string[], options: { open?: (url: string) => Promise<string> } = {}): Promise<SignInRun> {
  const open = options.open ?? openInBrowser;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let visit: Promise<{ url: string; page: string }> | undefined;
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => {
      err.push(c);
      const url = /https?:\/\/\S+\/authorize\?\S+/.exec(Buffer.concat(err).toString())?.[0];
      if (url !== undefined && visit === undefined) visit = open(url).then((page) => ({ url, page }));
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const done = (v: { url: string; page: string }) => resolve({
        code: code ?? -1, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString(), ...v,
      });
      if (visit === undefined) done({ url: '', page: '' });
      else visit.then(done, reject);
    });
    child.stdin.end('');
  });
}

/** GET the URL and follow redirects (provider -> 127.0.0.1 callback), as a browser does. */
export async function openInBrowser(url: string): Promise<string> {
  const res = await fetch(url, { redirect: 'follow' });
  return res.text();
}
