// Stopping a long sync from the status bar: with the IMAP connection slowed
// to 1 MB/s, the background download of 300 bodies of 30 KB takes seconds;
// Stop ends it (the engine stops reading from the server, which the relay
// sees), what was stored stays, the list shows no error, and Refresh starts
// the sync again.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir } from '../servers/mail-tools.ts';
import type { TestUser } from '../servers/harness.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { startApp, type App } from './support/app.ts';

const servers = inject('servers');
const COUNT = 300;
let user: TestUser;
let proxy: TcpProxy;
let app: App;

function message(i: number): string {
  const filler = `Line ${i} of a long message body, there to make the download take time.\r\n`.repeat(400);
  return [
    `From: "Sender ${i % 7}" <sender${i % 7}@example.test>`, `To: ${user.email}`, `Subject: Slow ${String(i).padStart(3, '0')}`,
    `Date: ${new Date(Date.UTC(2025, 8, 1) + i * 60_000).toUTCString()}`, `Message-ID: <slow-${i}@example.test>`,
    'MIME-Version: 1.0', 'Content-Type: text/plain; charset=us-ascii', '', filler,
  ].join('\r\n');
}

const statusText = async () => (await app.page.getByTestId('status').textContent()) ?? '';
const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('stopping a sync (web bridge, Chromium)', () => {
  beforeAll(async () => {
    user = await createUser(servers, 'slow');
    await seedMaildir(servers, user.user, 'INBOX', Array.from({ length: COUNT }, (_, i) => ({ raw: message(i) })));
    proxy = await startTcpProxy(servers.ports.imaps);
    proxy.limit(1_000_000);
    app = await startApp(servers, { user, name: 'Slow', smtpPort: servers.ports.submissions, imapPort: proxy.port, passwordEnv: 'POSTERN_E2E_SLOW_PASSWORD' });
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
  });

  it('stops the body download on Stop, keeps the list, and starts again on Refresh', async () => {
    const { page } = app;
    await page.goto(app.served.url);
    await expect.poll(() => page.getByTestId('message-row').count(), { timeout: 60_000 }).toBeGreaterThan(0);
    // The bodies are coming down (a megabyte or more through the relay), slowly.
    await expect.poll(() => proxy.bytesDown, { timeout: 60_000 }).toBeGreaterThan(1_500_000);
    await expect.poll(statusText, { timeout: 10_000 }).toMatch(/downloading messages for offline reading/);
    await app.shoot('sync-stop-01-downloading', 'status-bar');
    await page.getByTestId('status-stop').click();
    await expect.poll(() => page.getByTestId('status-notice').textContent(), { timeout: 10_000 }).toMatch(/^Stopped syncing Slow\. What was downloaded is kept/);
    await expect.poll(statusText, { timeout: 10_000 }).not.toMatch(/^Syncing/);

    // The engine has stopped reading: a moment for what was in flight, then nothing more comes down.
    await quiet(1_500);
    const after = proxy.bytesDown;
    await quiet(3_000);
    expect(proxy.bytesDown - after).toBeLessThan(50_000);
    expect(await statusText()).not.toMatch(/^Syncing/);
    expect(await page.getByTestId('message-list-error').count()).toBe(0);
    expect(await page.getByTestId('message-row').count()).toBeGreaterThan(0);

    // Refresh: the download goes on.
    proxy.limit(null);
    const before = proxy.bytesDown;
    await page.getByTestId('refresh').click();
    await expect.poll(() => proxy.bytesDown - before, { timeout: 30_000 }).toBeGreaterThan(1_000_000);
  });

  it('ran without errors in the page', () => {
    expect(app.errors).toEqual([]);
  });
});
