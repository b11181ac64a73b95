// Writing and sending in the real app: every send waits five seconds in the
// outbox ("Sending… Undo"), Undo takes it back into the composer and nothing
// reaches the recipient; a send arrives exactly once; with the submission
// port unreachable the message waits in the Outbox with the network's words
// and goes out once on Retry now; the composer's draft is saved by itself to
// the server's Drafts folder and opens again from there.
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser } from '../servers/mail-tools.ts';
import type { TestUser } from '../servers/harness.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { countSubject, startApp, type App } from './support/app.ts';

const servers = inject('servers');

let sender: TestUser;
let rcpt: TestUser;
let proxy: TcpProxy;
let app: App;

const UNDO_MS = 5_000;

function composer(): Locator {
  return app.page.getByTestId('composer-dialog');
}

async function compose(to: string, subject: string, body: string): Promise<void> {
  const { page } = app;
  await page.locator('body').press('c');
  await expect.poll(() => composer().isVisible()).toBe(true);
  await page.getByTestId('compose-to').fill(to);
  await page.getByTestId('compose-subject').fill(subject);
  await page.getByTestId('compose-body').fill(body);
}

describe('sending through the outbox, undo, drafts (web bridge, Chromium)', () => {
  beforeAll(async () => {
    [sender, rcpt] = await Promise.all([createUser(servers, 'sender'), createUser(servers, 'rcpt')]);
    proxy = await startTcpProxy(servers.ports.submissions);
    app = await startApp(servers, { user: sender, name: 'Sender', smtpPort: proxy.port, passwordEnv: 'POSTERN_E2E_SENDING_PASSWORD' });
  });

  afterAll(async () => {
    await app?.close();
    await proxy?.close();
  });

  it('opens on the account', async () => {
    await app.page.goto(app.served.url);
    await expect.poll(() => app.page.locator('[data-testid="folder-item"][data-special-use="drafts"]').isVisible(), { timeout: 60_000 }).toBe(true);
  });

  it('takes a message back with Undo: the composer opens again with it, and nothing reaches the recipient', async () => {
    const { page } = app;
    const subject = `Undo me ${Date.now()}`;
    await compose(rcpt.email, subject, 'This should never arrive.');
    await page.getByTestId('compose-body').press('Control+Enter');
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);
    const toast = page.getByTestId('undo-toast');
    expect(await toast.isVisible()).toBe(true);
    expect(await toast.textContent()).toContain('Sending…');
    await app.shoot('sending-01-undo-toast');
    await page.getByTestId('undo-send').click();

    // Back in the composer, as it was.
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('compose-subject').inputValue()).toBe(subject);
    expect(await page.getByTestId('compose-to').inputValue()).toBe(rcpt.email);
    expect(await page.getByTestId('compose-body').inputValue()).toBe('This should never arrive.');
    expect(await toast.count()).toBe(0);
    await app.shoot('sending-02-undone', 'composer-dialog');

    // Well past the undo window: the recipient has nothing.
    await new Promise((r) => setTimeout(r, UNDO_MS + 3_000));
    expect(await countSubject(servers, rcpt, 'INBOX', subject)).toBe(0);

    await page.getByTestId('compose-discard').click();
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);
  });

  it('sends after the undo window, once', async () => {
    const { page } = app;
    const subject = `Arrives once ${Date.now()}`;
    await compose(rcpt.email, subject, 'Exactly one copy, please.');
    await page.getByTestId('compose-send').click();
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);
    expect(await page.getByTestId('undo-toast').isVisible()).toBe(true);
    // Not before the window is over.
    expect(await countSubject(servers, rcpt, 'INBOX', subject)).toBe(0);
    await expect.poll(() => page.getByTestId('status-notice').textContent(), { timeout: 30_000 }).toContain(`Message sent to ${rcpt.email}`);
    expect(await page.getByTestId('undo-toast').count()).toBe(0);
    await expect.poll(() => countSubject(servers, rcpt, 'INBOX', subject), { timeout: 30_000, interval: 500 }).toBe(1);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await countSubject(servers, rcpt, 'INBOX', subject)).toBe(1);
    expect(await countSubject(servers, sender, 'Sent', subject)).toBe(1);
  });

  it('keeps a message in the Outbox while the server cannot be reached, says why, and sends it once on Retry now', async () => {
    const { page } = app;
    const subject = `While offline ${Date.now()}`;
    await proxy.down();
    try {
      await compose(rcpt.email, subject, 'Sent when the network is back.');
      await page.getByTestId('compose-send').click();
      await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);

      // After the undo window the engine tries, fails, and the Outbox appears with the reason.
      const entry = page.getByTestId('outbox-item-folder');
      await expect.poll(() => entry.isVisible(), { timeout: 30_000 }).toBe(true);
      await expect.poll(() => page.getByTestId('status-notice').textContent(), { timeout: 30_000 }).toMatch(/^Waiting to send: .+\. Postern will retry\./);
      await entry.click();
      const item = page.getByTestId('outbox-item').filter({ hasText: subject });
      await expect.poll(() => item.isVisible(), { timeout: 15_000 }).toBe(true);
      await expect.poll(() => item.getByTestId('outbox-state').textContent(), { timeout: 30_000 }).toMatch(/Waiting to send: .+\. Postern will retry\./);
      expect(await item.getAttribute('data-state')).toBe('queued');
      await app.shoot('sending-03-outbox-offline');
      expect(await countSubject(servers, rcpt, 'INBOX', subject)).toBe(0);
    } finally {
      await proxy.up();
    }

    const item = page.getByTestId('outbox-item').filter({ hasText: subject });
    if (await item.isVisible()) await item.getByTestId('outbox-retry').click();
    await expect.poll(() => page.getByTestId('outbox-item').filter({ hasText: subject }).count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => countSubject(servers, rcpt, 'INBOX', subject), { timeout: 30_000, interval: 500 }).toBe(1);
    // The empty Outbox goes away, and the folder is back.
    await expect.poll(() => page.getByTestId('outbox-item-folder').count(), { timeout: 15_000 }).toBe(0);
    await expect.poll(() => page.getByTestId('message-pane').isVisible()).toBe(true);
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await countSubject(servers, rcpt, 'INBOX', subject)).toBe(1);
  });

  it('saves the draft by itself to the server\'s Drafts, keeps it on Escape, opens it again from Drafts, and discards it', async () => {
    const { page } = app;
    const subject = `Draft in progress ${Date.now()}`;
    await compose(rcpt.email, subject, 'First thoughts');
    // Two seconds after the last keystroke, without doing anything else.
    await expect.poll(() => page.getByTestId('compose-status').textContent(), { timeout: 15_000 }).toMatch(/^Draft saved at /);
    await expect.poll(() => countSubject(servers, sender, 'Drafts', subject), { timeout: 30_000, interval: 500 }).toBe(1);
    await app.shoot('sending-04-draft-saved', 'composer-dialog');

    // More typing: still one draft on the server, the newer one.
    await page.getByTestId('compose-body').fill('First thoughts, and second ones');
    await page.keyboard.press('Escape');
    const ask = page.getByTestId('compose-ask');
    await expect.poll(() => ask.isVisible()).toBe(true);
    await app.shoot('sending-05-keep-or-discard', 'composer-dialog');
    await page.getByTestId('compose-ask-keep').click();
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => countSubject(servers, sender, 'Drafts', subject), { timeout: 30_000, interval: 500 }).toBe(1);

    // From the Drafts folder it opens in the composer, with the latest text.
    await page.locator('[data-testid="folder-item"][data-special-use="drafts"]').click();
    const row = page.getByTestId('message-row').filter({ hasText: subject });
    await expect.poll(() => row.count(), { timeout: 30_000 }).toBe(1);
    await row.click();
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('compose-subject').inputValue()).toBe(subject);
    expect(await page.getByTestId('compose-body').inputValue()).toBe('First thoughts, and second ones');
    expect(await page.getByTestId('compose-to').inputValue()).toBe(rcpt.email);

    // Escape, Discard: gone here and on the server.
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('compose-ask').isVisible()).toBe(true);
    await page.getByTestId('compose-ask-discard').click();
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => countSubject(servers, sender, 'Drafts', subject), { timeout: 30_000, interval: 500 }).toBe(0);
  });

  it('sends a saved draft with mail:drafts.send: it arrives, and leaves Drafts', async () => {
    const { page } = app;
    const subject = `Draft then sent ${Date.now()}`;
    await compose(rcpt.email, subject, 'Written slowly, sent at last.');
    await expect.poll(() => countSubject(servers, sender, 'Drafts', subject), { timeout: 30_000, interval: 500 }).toBe(1);
    await page.getByTestId('compose-body').press('Control+Enter');
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);
    await expect.poll(() => countSubject(servers, rcpt, 'INBOX', subject), { timeout: 40_000, interval: 500 }).toBe(1);
    await expect.poll(() => countSubject(servers, sender, 'Drafts', subject), { timeout: 30_000, interval: 500 }).toBe(0);
  });

  it('Preferences: a smaller size warning and no undo window apply to the next message, and stay after a reload', async () => {
    const { page } = app;
    await page.getByTestId('preferences-open').click();
    const dialog = page.getByTestId('preferences-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    expect(await page.getByTestId('pref-warn-mib').inputValue()).toBe('20');
    expect(await page.getByTestId('pref-undo-seconds').inputValue()).toBe('5');
    // Out of range: said so, and Save waits.
    await page.getByTestId('pref-undo-seconds').fill('99');
    expect(await page.getByTestId('pref-undo-seconds').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByTestId('preferences-save').isDisabled()).toBe(true);
    await page.getByTestId('pref-undo-seconds').fill('0');
    await page.getByTestId('pref-warn-mib').fill('1');
    await app.shoot('sending-06-preferences', 'preferences-dialog');
    await page.getByTestId('preferences-save').click();
    await expect.poll(() => dialog.count()).toBe(0);

    const subject = `Past the warning ${Date.now()}`;
    await compose(rcpt.email, subject, 'With a picture-sized attachment.');
    await page.getByTestId('compose-files').setInputFiles({ name: 'big.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(1_500_000, 7) });
    await expect.poll(() => page.getByTestId('compose-attachment').filter({ hasText: 'big.bin' }).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByTestId('compose-send').click();
    await expect.poll(() => page.getByTestId('compose-error').textContent(), { timeout: 10_000 }).toMatch(/which many servers refuse\. Send again to send it anyway/);
    expect(await composer().isVisible()).toBe(true);
    await page.getByTestId('compose-send').click();
    await expect.poll(() => composer().isVisible(), { timeout: 30_000 }).toBe(false);
    // No undo window: sent at once, no "Sending… Undo".
    await expect.poll(() => page.getByTestId('status-notice').textContent(), { timeout: 30_000 }).toContain(`Message sent to ${rcpt.email}`);
    expect(await page.getByTestId('undo-toast').count()).toBe(0);
    await expect.poll(() => countSubject(servers, rcpt, 'INBOX', subject), { timeout: 30_000, interval: 500 }).toBe(1);

    // Kept across a reload; then back to the defaults.
    await page.reload();
    await expect.poll(() => page.getByTestId('preferences-open').isVisible(), { timeout: 30_000 }).toBe(true);
    await page.getByTestId('preferences-open').click();
    expect(await page.getByTestId('pref-warn-mib').inputValue()).toBe('1');
    expect(await page.getByTestId('pref-undo-seconds').inputValue()).toBe('0');
    await page.getByTestId('pref-warn-mib').fill('20');
    await page.getByTestId('pref-undo-seconds').fill('5');
    await page.getByTestId('preferences-save').click();
    await expect.poll(() => page.getByTestId('preferences-dialog').count()).toBe(0);
  });

  it('ran without errors in the page', () => {
    expect(app.errors).toEqual([]);
  });
});
