// The spine of Postern, end to end: real Dovecot and Postfix, the real engine
// behind `postern serve`, the built renderer in headless Chromium. A person
// adds their account through the form, reads the INBOX (HTML mail with an
// inline image and an attachment), and sends a message with an attachment,
// which arrives at the recipient and is kept in Sent.
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { simpleParser } from 'mailparser';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap, seedMaildir } from '../servers/mail-tools.ts';
import type { TestUser } from '../servers/harness.ts';
import { launchBrowser, type Browser } from './support/browser.ts';
import { ensureRendererBuilt } from './support/build-renderer.ts';
import { makeFixtures, type Fixtures } from './support/fixtures.ts';
import { startServe, type Served } from './support/serve.ts';
import { startTracker, type Tracker } from './support/tracker.ts';

const servers = inject('servers');
const SHOTS = fileURLToPath(new URL('../../test-output/e2e/', import.meta.url));

let alice: TestUser;
let bob: TestUser;
let fixtures: Fixtures;
let tracker: Tracker;
let profileDir: string;
let served: Served;
let browser: Browser;
let page: Page;
/** Console errors and uncaught exceptions in the page (CSP violations show up here). */
const pageErrors: string[] = [];

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

async function shoot(name: string, target?: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  if (target) await page.getByTestId(target).screenshot({ path });
  else await page.screenshot({ path });
}

describe('Postern end to end (web bridge, Chromium)', () => {
  beforeAll(async () => {
    await ensureRendererBuilt();
    await mkdir(SHOTS, { recursive: true });
    [alice, bob] = await Promise.all([createUser(servers, 'alice'), createUser(servers, 'bob')]);
    tracker = await startTracker();
    const now = Date.now();
    fixtures = makeFixtures(
      alice.email,
      { rich: new Date(now - 1 * HOUR), plain: new Date(now - 1 * DAY), flagged: new Date(now - 3 * DAY), old: new Date(now - 40 * DAY) },
      tracker.url,
    );
    // Server order differs from date order, so "newest first" is the view's doing.
    await seedMaildir(servers, alice.user, 'INBOX', [
      { raw: fixtures.plain },
      { raw: fixtures.old, flags: ['\\Seen'] },
      { raw: fixtures.rich },
      { raw: fixtures.flagged, flags: ['\\Seen', '\\Flagged'] },
    ]);
    profileDir = await mkdtemp(join(tmpdir(), 'postern-e2e-profile-'));
    served = await startServe(profileDir);
    browser = await launchBrowser();
    page = await browser.context.newPage();
    page.on('pageerror', (err) => pageErrors.push(`uncaught: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') pageErrors.push(`console: ${msg.text()} (${msg.location().url})`);
    });
  });

  afterAll(async () => {
    await browser?.close();
    await served?.stop();
    await tracker?.close();
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  it('asks for an account on first run and shows the server\'s refusal where it happened', async () => {
    await page.goto(served.url);
    const dialog = page.getByTestId('account-dialog');
    await expect.poll(() => dialog.isVisible(), { timeout: 15_000 }).toBe(true);

    await page.getByTestId('account-name').fill('Alice Example');
    await page.getByTestId('account-email').fill(alice.email);
    await page.getByTestId('account-user').fill(alice.user);
    await page.getByTestId('account-password').fill('not-the-password');
    await page.getByTestId('account-imap-host').fill(servers.host);
    await page.getByTestId('account-imap-port').fill(String(servers.ports.imaps));
    await page.getByTestId('account-imap-security').selectOption('tls');
    await page.getByTestId('account-smtp-host').fill(servers.host);
    await page.getByTestId('account-smtp-security').selectOption('starttls');
    await page.getByTestId('account-smtp-port').fill(String(servers.ports.submission));
    await page.locator('.advanced summary').click();
    await page.getByTestId('account-ca').fill(servers.caPem);
    await shoot('01-account-form');

    await page.getByTestId('account-submit').click();
    const refusal = page.getByTestId('account-field-error').or(page.getByTestId('account-form-error'));
    await expect.poll(() => refusal.first().isVisible(), { timeout: 30_000 }).toBe(true);
    const words = (await refusal.first().textContent()) ?? '';
    expect(words.length).toBeGreaterThan(5);
    await shoot('02-account-form-error', 'account-dialog');

    await page.getByTestId('account-password').fill(alice.password);
    await page.getByTestId('account-submit').click();
    await expect.poll(() => dialog.isVisible(), { timeout: 60_000 }).toBe(false);
  });

  it('lists the folders, special ones first, and the seeded INBOX newest first', async () => {
    const folders = page.getByTestId('folder-item');
    await expect.poll(async () => (await folders.allTextContents()).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(6);
    const labels = (await folders.allTextContents()).map((t) => t.replace(/\d+$/, ''));
    expect(labels.slice(0, 6)).toEqual(['Inbox', 'Drafts', 'Sent', 'Trash', 'Junk', 'Archive']);

    const rows = page.getByTestId('message-row');
    await expect.poll(() => rows.count(), { timeout: 30_000 }).toBe(4);
    const subjects = await page.getByTestId('message-subject').allTextContents();
    expect(subjects).toEqual([fixtures.richSubject, 'Lunch on Thursday?', 'Nightly build #1482 passed', 'Welcome to the team']);
    const senders = await page.getByTestId('message-sender').allTextContents();
    expect(senders).toEqual(['Erik Lindqvist', 'Carol Danvers', 'builds@ci.example.test', 'Dmitri Ivanov']);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-unread')))).toEqual(['true', 'true', 'false', 'false']);
    // Unread rows are bold; read ones are not.
    const weights = await page.getByTestId('message-subject').evaluateAll((els) => els.map((e) => Number(getComputedStyle(e).fontWeight)));
    expect(weights[0]).toBeGreaterThanOrEqual(600);
    expect(weights[3]).toBeLessThan(600);
    await expect.poll(() => rows.nth(2).getByTestId('marker-flag').count()).toBe(1);
    await expect.poll(() => rows.nth(0).getByTestId('marker-attachment').count()).toBe(1);
    const inbox = page.locator('[data-testid="folder-item"][data-folder-path="INBOX"]');
    expect(await inbox.getByTestId('folder-unread').textContent()).toBe('2');

    await shoot('03-inbox');
    await shoot('03-pane-folders', 'folder-pane');
    await shoot('03-pane-list', 'message-pane');
  });

  it('opens the HTML message in a locked-down frame, with its inline image, its attachment, and no remote loads', async () => {
    const rich = page.getByTestId('message-row').first();
    await rich.click();
    const frameEl = page.getByTestId('message-html');
    await expect.poll(() => frameEl.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await frameEl.getAttribute('sandbox')).toBe('');

    const frame = page.frameLocator('[data-testid="message-html"]');
    await expect.poll(() => frame.locator('strong').first().textContent(), { timeout: 10_000 }).toBe(fixtures.richHtmlText);
    // The cid: logo came from the local store as a data: URL, and it decoded.
    const logo = frame.locator('img[alt="Example Corp logo"]');
    expect(await logo.getAttribute('src')).toMatch(/^data:image\/png;base64,/);
    await expect.poll(() => logo.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(240);

    // The header: subject, sender, recipients, a local date.
    expect(await page.getByTestId('message-subject-heading').textContent()).toBe(fixtures.richSubject);
    expect(await page.getByTestId('message-from').textContent()).toContain('Erik Lindqvist');
    expect(await page.getByTestId('message-to').textContent()).toContain(alice.email);
    expect(await page.getByTestId('message-cc').textContent()).toContain('finance@example.test');
    expect(await page.getByTestId('message-date').textContent()).not.toBe('');

    // One attachment to save (the inline logo is part of the body, not listed).
    const attachments = page.getByTestId('attachment-row');
    expect(await attachments.count()).toBe(1);
    expect(await attachments.getByTestId('attachment-name').textContent()).toBe('Q3-figures.pdf');
    expect(await attachments.getByTestId('attachment-type').textContent()).toBe('application/pdf');
    expect(await attachments.getByTestId('attachment-size').textContent()).toMatch(/^\d+(\.\d)? KB$/);

    // Opening marked it read, in the list and in the folder's count.
    await expect.poll(() => rich.getAttribute('data-unread')).toBe('false');
    const inbox = page.locator('[data-testid="folder-item"][data-folder-path="INBOX"]');
    await expect.poll(() => inbox.getByTestId('folder-unread').textContent()).toBe('1');
    expect(await page.getByTestId('remote-blocked').isVisible()).toBe(true);

    await shoot('04-message-html');
    await shoot('04-pane-message', 'reading-pane');

    // Saving hands the exact bytes to the browser's download.
    const [download] = await Promise.all([page.waitForEvent('download'), attachments.getByTestId('attachment-save').click()]);
    expect(download.suggestedFilename()).toBe('Q3-figures.pdf');
    const saved = await readFile(await download.path());
    expect(saved.equals(fixtures.richAttachment.bytes)).toBe(true);

    // Plain text is one click away.
    await page.getByTestId('show-text').click();
    expect(await page.getByTestId('message-text').textContent()).toContain('Revenue: 4.2M EUR');
    await page.getByTestId('show-html').click();

    // The frame's document carries its own CSP, and the tracking pixel was never requested.
    expect(await frameEl.getAttribute('srcdoc')).toMatch(/^<!doctype html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src data:; style-src 'unsafe-inline'">/);
    expect(tracker.hits()).toBe(0);
  });

  it('moves through the list with the keyboard', async () => {
    await page.getByTestId('message-list').focus();
    await page.keyboard.press('j');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.getByTestId('message-subject-heading').textContent(), { timeout: 15_000 }).toBe('Lunch on Thursday?');
    expect(await page.getByTestId('message-text').textContent()).toContain('outdoor seating');
    await page.keyboard.press('k');
    await expect.poll(() => page.getByTestId('message-subject-heading').textContent(), { timeout: 15_000 }).toBe(fixtures.richSubject);
  });

  it('says so when a folder is empty', async () => {
    await page.locator('[data-testid="folder-item"][data-special-use="drafts"]').click();
    const empty = page.getByTestId('message-list-empty');
    await expect.poll(() => empty.isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await empty.textContent()).toContain('No messages in this folder');
    await page.locator('[data-testid="folder-item"][data-folder-path="INBOX"]').click();
    await expect.poll(() => page.getByTestId('message-row').count(), { timeout: 30_000 }).toBe(4);
  });

  it('sends a message with an attachment that arrives at the recipient and is kept in Sent', async () => {
    await page.locator('body').press('c');
    const composer = page.getByTestId('composer-dialog');
    await expect.poll(() => composer.isVisible()).toBe(true);
    const subject = `Figures for the board ${Date.now()}`;
    const attachment = Buffer.from('quarter,revenue\nQ1,3.1\nQ2,3.6\nQ3,4.2\n', 'utf8');
    await page.getByTestId('compose-to').fill(`Bob Builder <${bob.email}>`);
    await page.getByTestId('compose-subject').fill(subject);
    await page.getByTestId('compose-body').fill('Hi Bob,\n\nthe figures you asked for are attached.\n\nAlice');
    await page.getByTestId('compose-files').setInputFiles({ name: 'figures.csv', mimeType: 'text/csv', buffer: attachment });
    await expect.poll(() => page.getByTestId('compose-attachment').count()).toBe(1);
    await shoot('05-composer', 'composer-dialog');

    await page.getByTestId('compose-body').press('Control+Enter');
    await expect.poll(() => composer.isVisible(), { timeout: 60_000 }).toBe(false);
    // Sent after the undo window (five seconds in the Outbox), then said so.
    await expect.poll(() => page.getByTestId('status-notice').textContent(), { timeout: 30_000 }).toContain(bob.email);

    // Bob's INBOX, read over IMAP with the test's own client.
    const imap = await openImap(servers, bob);
    try {
      let source: Buffer | undefined;
      await expect
        .poll(
          async () => {
            const lock = await imap.getMailboxLock('INBOX');
            try {
              const found = await imap.search({ subject }, { uid: true });
              const uid = Array.isArray(found) ? found[0] : undefined;
              if (uid === undefined) return false;
              const msg = await imap.fetchOne(String(uid), { source: true }, { uid: true });
              source = msg ? msg.source : undefined;
              return source !== undefined;
            } finally {
              lock.release();
            }
          },
          { timeout: 30_000, interval: 500 },
        )
        .toBe(true);
      const mail = await simpleParser(source ?? Buffer.alloc(0));
      expect(mail.subject).toBe(subject);
      expect(mail.from?.value[0]?.address).toBe(alice.email);
      const to = Array.isArray(mail.to) ? mail.to[0] : mail.to;
      expect(to?.value[0]?.address).toBe(bob.email);
      expect(mail.text).toContain('the figures you asked for are attached.');
      expect(mail.attachments).toHaveLength(1);
      expect(mail.attachments[0]?.filename).toBe('figures.csv');
      expect(mail.attachments[0]?.content.equals(attachment)).toBe(true);
    } finally {
      await imap.logout();
    }

    // Alice's Sent folder on the server holds the copy.
    const aliceImap = await openImap(servers, alice);
    try {
      const lock = await aliceImap.getMailboxLock('Sent');
      try {
        const found = await aliceImap.search({ subject }, { uid: true });
        expect(Array.isArray(found) ? found.length : 0).toBe(1);
      } finally {
        lock.release();
      }
    } finally {
      await aliceImap.logout();
    }

    // And the app shows it there.
    await page.locator('[data-testid="folder-item"][data-special-use="sent"]').click();
    await expect.poll(() => page.getByTestId('message-subject').allTextContents(), { timeout: 30_000 }).toContain(subject);
    await page.getByTestId('message-row').first().click();
    await expect.poll(() => page.getByTestId('attachment-row').count(), { timeout: 15_000 }).toBe(1);
    await shoot('06-sent');
  });

  it('ran without errors in the page (no CSP violations, no uncaught exceptions)', () => {
    expect(pageErrors).toEqual([]);
  });

  it('says what went wrong, with a Retry, when the engine goes away', async () => {
    await page.locator('[data-testid="folder-item"][data-folder-path="INBOX"]').click();
    await expect.poll(() => page.getByTestId('message-row').count(), { timeout: 30_000 }).toBe(4);
    await served.stop();
    await page.getByTestId('refresh').click();
    const banner = page.getByTestId('message-list-error');
    await expect.poll(() => banner.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await banner.textContent()).toMatch(/Postern engine/);
    expect(await banner.getByRole('button', { name: 'Retry' }).isVisible()).toBe(true);
    // What was already there stays readable.
    expect(await page.getByTestId('message-row').count()).toBe(4);
    await shoot('07-engine-gone');
  });
});
