// A big INBOX in the real app: the account comes from the CLI (`postern
// account add --password-env`), the list shows the newest page at once,
// keeps only the rows in view in the page, and fetches older pages as the
// person scrolls to the end.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir } from '../servers/mail-tools.ts';
import type { TestUser } from '../servers/harness.ts';
import { launchBrowser, type Browser } from './support/browser.ts';
import { ensureRendererBuilt } from './support/build-renderer.ts';
import { postern } from './support/cli.ts';
import { startServe, type Served } from './support/serve.ts';

const servers = inject('servers');
const SHOTS = fileURLToPath(new URL('../../test-output/e2e/', import.meta.url));
const COUNT = 2500;
const PASSWORD_ENV = 'POSTERN_E2E_LARGE_PASSWORD';

let user: TestUser;
let profileDir: string;
let served: Served;
let browser: Browser;
let page: Page;

function message(i: number, date: Date): string {
  const n = String(i).padStart(4, '0');
  return [
    `From: "Sender ${i % 37}" <sender${i % 37}@example.test>`,
    `To: ${user.email}`,
    `Subject: Message ${n}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <bulk-${n}@example.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=us-ascii',
    '',
    `Body of message ${n}.`,
    '',
  ].join('\r\n');
}

describe('a large folder', () => {
  beforeAll(async () => {
    await ensureRendererBuilt();
    await mkdir(SHOTS, { recursive: true });
    user = await createUser(servers, 'bulk');
    const start = Date.now() - COUNT * 60_000;
    // Message 0000 is the oldest, Message 2499 the newest.
    await seedMaildir(
      servers,
      user.user,
      'INBOX',
      Array.from({ length: COUNT }, (_, i) => ({ raw: message(i, new Date(start + i * 60_000)), flags: i % 10 === 0 ? [] : ['\\Seen' as const] })),
    );
    profileDir = await mkdtemp(join(tmpdir(), 'postern-e2e-large-'));
    const caFile = join(profileDir, 'ca.pem');
    await writeFile(caFile, servers.caPem);
    const env = { [PASSWORD_ENV]: user.password };
    await postern(
      [
        'account', 'add', '--profile', profileDir, '--name', 'Bulk', '--email', user.email, '--user', user.user,
        '--imap', `${servers.host}:${servers.ports.imap}`, '--imap-security', 'starttls',
        '--smtp', `${servers.host}:${servers.ports.submissions}`, '--smtp-security', 'tls',
        '--ca', caFile, '--password-env', PASSWORD_ENV,
      ],
      env,
    );
    served = await startServe(profileDir, env);
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  it('opens the INBOX of an account added with the CLI, newest first, rendering only what is in view', async () => {
    await page.goto(served.url);
    const rows = page.getByTestId('message-row');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBeGreaterThan(5);
    expect(await page.getByTestId('message-subject').first().textContent()).toBe('Message 2499');
    await expect.poll(() => page.getByTestId('message-pane-title').locator('..').textContent()).toMatch(/2,500 messages, 250 unread/);
    // Virtualised: a screenful of rows in the page, not thousands.
    expect(await rows.count()).toBeLessThan(60);
    await page.getByTestId('message-pane').screenshot({ path: join(SHOTS, 'large-list.png') });
  });

  it('reaches the oldest message by scrolling, loading older pages on the way', async () => {
    const list = page.getByTestId('message-list');
    await expect
      .poll(
        async () => {
          await list.evaluate((el) => {
            el.scrollTop = el.scrollHeight;
          });
          return page.getByTestId('message-subject').last().textContent();
        },
        { timeout: 60_000, interval: 300 },
      )
      .toBe('Message 0000');
    expect(await page.getByTestId('message-row').count()).toBeLessThan(60);
    // The spacer is as tall as all rows together: every message is reachable.
    const height = await list.evaluate((el) => el.scrollHeight);
    expect(height).toBeGreaterThanOrEqual(COUNT * 60);
  });

  it('moves with the keyboard from the end and opens what it lands on', async () => {
    await page.getByTestId('message-row').last().click();
    await expect.poll(() => page.getByTestId('message-subject-heading').textContent(), { timeout: 15_000 }).toBe('Message 0000');
    await page.getByTestId('message-list').press('k');
    await expect.poll(() => page.getByTestId('message-subject-heading').textContent(), { timeout: 15_000 }).toBe('Message 0001');
  });

  it('sorts the whole folder, not only the page loaded: oldest first starts at the oldest message', async () => {
    // Fresh: only the newest page (1,000 of 2,500) is loaded.
    await page.reload();
    await expect.poll(() => page.getByTestId('message-subject').first().textContent(), { timeout: 60_000 }).toBe('Message 2499');
    await page.getByTestId('sort-direction').click();
    await expect.poll(() => page.getByTestId('message-subject').first().textContent(), { timeout: 15_000 }).toBe('Message 0000');
    await page.getByTestId('sort-direction').click();
    await expect.poll(() => page.getByTestId('message-subject').first().textContent(), { timeout: 15_000 }).toBe('Message 2499');
  });
});
