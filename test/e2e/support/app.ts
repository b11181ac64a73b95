// One Postern for an e2e test file: an account added with the CLI (so the
// test starts in the app, not in the account form), `postern serve` on a
// fresh profile, and a Chromium page that records errors. Also: reading a
// folder on the server with the test's own IMAP client.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import type { TestServers, TestUser } from '../../servers/harness.ts';
import { openImap } from '../../servers/mail-tools.ts';
import { launchBrowser, type Browser } from './browser.ts';
import { ensureRendererBuilt } from './build-renderer.ts';
import { postern } from './cli.ts';
import { startServe, type Served } from './serve.ts';

export const SHOTS = fileURLToPath(new URL('../../../test-output/e2e/', import.meta.url));

export interface App {
  page: Page;
  served: Served;
  /** Console errors and uncaught exceptions in the page. */
  errors: string[];
  shoot: (name: string, testId?: string) => Promise<void>;
  close: () => Promise<void>;
}

export interface AppOptions {
  user: TestUser;
  name: string;
  /** The submission port to send through (implicit TLS); a proxy's, to take it away. */
  smtpPort: number;
  /** A variable name unique to the test file (the CLI stores only the name). */
  passwordEnv: string;
  /** More IMAP accounts in the same profile (each with its own variable name). */
  more?: Array<{ user: TestUser; name: string; passwordEnv: string }>;
  /** The IMAP port (implicit TLS) to read through; a proxy's, to slow it down. Default: the server's. */
  imapPort?: number;
  /** More environment for the served engine (POSTERN_OPEN_WITH, XDG_DOWNLOAD_DIR). */
  env?: Record<string, string>;
}

export async function startApp(servers: TestServers, o: AppOptions): Promise<App> {
  await ensureRendererBuilt();
  await mkdir(SHOTS, { recursive: true });
  const profileDir = await mkdtemp(join(tmpdir(), 'postern-e2e-'));
  const caFile = join(profileDir, 'ca.pem');
  await writeFile(caFile, servers.caPem);
  const env: Record<string, string> = { [o.passwordEnv]: o.user.password };
  for (const a of [{ user: o.user, name: o.name, passwordEnv: o.passwordEnv }, ...(o.more ?? [])]) {
    env[a.passwordEnv] = a.user.password;
    await postern(
      [
        'account', 'add', '--profile', profileDir, '--name', a.name, '--email', a.user.email, '--user', a.user.user,
        '--imap', `${servers.host}:${o.imapPort ?? servers.ports.imaps}`, '--imap-security', 'tls',
        '--smtp', `${servers.host}:${o.smtpPort}`, '--smtp-security', 'tls',
        '--ca', caFile, '--password-env', a.passwordEnv,
      ],
      env,
    );
  }
  const served = await startServe(profileDir, { ...env, ...o.env });
  const browser: Browser = await launchBrowser();
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`uncaught: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console: ${msg.text()} (${msg.location().url})`);
  });
  return {
    page,
    served,
    errors,
    shoot: async (name, testId) => {
      const path = join(SHOTS, `${name}.png`);
      if (testId) await page.getByTestId(testId).first().screenshot({ path });
      else await page.screenshot({ path });
    },
    close: async () => {
      await browser.close();
      await served.stop();
      await rm(profileDir, { recursive: true, force: true });
    },
  };
}

/** Subjects of the messages in a folder on the server (empty when the folder is). */
export async function serverSubjects(servers: TestServers, user: TestUser, folder: string): Promise<string[]> {
  const imap = await openImap(servers, user);
  try {
    const lock = await imap.getMailboxLock(folder);
    try {
      const out: string[] = [];
      if (typeof imap.mailbox === 'object' && imap.mailbox.exists === 0) return out;
      for await (const m of imap.fetch('1:*', { envelope: true })) out.push(m.envelope?.subject ?? '');
      return out;
    } finally {
      lock.release();
    }
  } finally {
    await imap.logout();
  }
}

/** How many messages in the folder have exactly this subject. */
export async function countSubject(servers: TestServers, user: TestUser, folder: string, subject: string): Promise<number> {
  return (await serverSubjects(servers, user, folder)).filter((s) => s === subject).length;
}
