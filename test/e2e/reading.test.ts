// Reading in the real app: remote images stay blocked (not one request)
// until the person loads them for this message or always for the sender;
// links show where they really go and a link whose text names another host
// is marked; what the engine could not show is said above the body; the
// Structure tab saves any part with the exact bytes and opens attached
// messages; and new mail appears by itself (push), without a click.
import { createHash, randomBytes } from 'node:crypto';
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, deliver, seedMaildir } from '../servers/mail-tools.ts';
import type { TestUser } from '../servers/harness.ts';
import { startApp, type App } from './support/app.ts';
import { startTracker, type Tracker } from './support/tracker.ts';

const servers = inject('servers');
const HOUR = 3_600_000;

let reader: TestUser;
let tracker: Tracker;
let app: App;
let work: string;
let openerLog: string;
let downloads: string;
const attachmentBytes = randomBytes(3000);
const wrap = (b64: string) => b64.replace(/.{1,76}/g, '$&\r\n');

function message(h: Record<string, string>, body: string): string {
  return [...Object.entries(h).map(([k, v]) => `${k}: ${v}`), '', body, ''].join('\r\n');
}

function seeds(to: string, origin: string, now: number) {
  const newsletter = message(
    {
      From: '"Shop News" <news@shop.example.test>',
      To: to,
      Subject: 'Our autumn sale',
      Date: new Date(now - 1 * HOUR).toUTCString(),
      'Message-ID': '<autumn@shop.example.test>',
      'MIME-Version': '1.0',
      'Content-Type': 'text/html; charset=utf-8',
    },
    `<html><body>
<p>Hello <strong>reader</strong>, the sale starts today.</p>
<p><img src="${origin}/banner.png" alt="Sale banner" width="300" height="80"></p>
<p>Sign in at <a href="${origin}/login">www.mybank.example</a> to see your offers.</p>
<p><a href="https://shop.example.test/sale">Read more</a></p>
<img src="${origin}/pixel.gif" width="1" height="1" alt="">
</body></html>`,
  );
  const inner = message(
    { From: '"Inner Person" <inner@example.test>', To: to, Subject: 'The forwarded original', Date: new Date(now - 50 * HOUR).toUTCString(), 'Content-Type': 'text/plain; charset=utf-8' },
    'I am the message inside.',
  );
  const parts = message(
    {
      From: '"Parts Sender" <parts@example.test>',
      To: to,
      Subject: 'A message of several parts',
      Date: new Date(now - 2 * HOUR).toUTCString(),
      'Message-ID': '<parts@example.test>',
      'MIME-Version': '1.0',
      'Content-Type': 'multipart/mixed; boundary="b1"',
    },
    [
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'See the data and the forwarded message.',
      '--b1',
      'Content-Type: application/octet-stream; name="data.bin"',
      'Content-Transfer-Encoding: base64',
      'Content-Disposition: attachment; filename="data.bin"',
      '',
      wrap(attachmentBytes.toString('base64')),
      '--b1',
      'Content-Type: message/rfc822',
      'Content-Disposition: attachment; filename="original.eml"',
      '',
      inner,
      '--b1--',
    ].join('\r\n'),
  );
  const broken = message(
    {
      From: 'broken@example.test',
      To: to,
      Subject: 'Broken structure',
      Date: new Date(now - 3 * HOUR).toUTCString(),
      'Message-ID': '<broken@example.test>',
      'MIME-Version': '1.0',
      'Content-Type': 'multipart/mixed; boundary="never-there"',
    },
    'This body has no parts at all.',
  );
  return { newsletter, parts, broken };
}

const row = (subject: string): Locator => app.page.getByTestId('message-row').filter({ has: app.page.getByTestId('message-subject').getByText(subject, { exact: true }) });

async function openMessage(subject: string): Promise<void> {
  await row(subject).click();
  await expect.poll(() => app.page.getByTestId('message-subject-heading').textContent(), { timeout: 15_000 }).toBe(subject);
}

const frameEl = (): Locator => app.page.getByTestId('message-html');
const frame = () => app.page.frameLocator('[data-testid="message-html"]');
const quiet = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('reading: remote content, links, notes, structure, push (web bridge, Chromium)', () => {
  beforeAll(async () => {
    reader = await createUser(servers, 'reader');
    tracker = await startTracker();
    const s = seeds(reader.email, tracker.origin, Date.now());
    await seedMaildir(servers, reader.user, 'INBOX', [{ raw: s.newsletter }, { raw: s.parts }, { raw: s.broken }]);
    // The system's opener is a script that records what it was given; downloads go to a folder of the test's.
    work = await mkdtemp(join(tmpdir(), 'postern-e2e-reading-'));
    openerLog = join(work, 'opened.log');
    downloads = join(work, 'Downloads');
    const opener = join(work, 'opener.sh');
    await writeFile(opener, '#!/bin/sh\nprintf "%s %s\\n" "$1" "$(sha256sum < "$1" | cut -d" " -f1)" >> "$OPENER_LOG"\n');
    await chmod(opener, 0o755);
    app = await startApp(servers, {
      user: reader, name: 'Reader', smtpPort: servers.ports.submissions, passwordEnv: 'POSTERN_E2E_READING_PASSWORD',
      env: { POSTERN_OPEN_WITH: opener, OPENER_LOG: openerLog, XDG_DOWNLOAD_DIR: downloads },
    });
  });

  afterAll(async () => {
    await app?.close();
    await tracker?.close();
  });

  it('lists the INBOX', async () => {
    await app.page.goto(app.served.url);
    await expect.poll(() => app.page.getByTestId('message-row').count(), { timeout: 60_000 }).toBe(3);
  });

  it('blocks remote images with a bar that counts them and the trackers among them; nothing is requested', async () => {
    await openMessage('Our autumn sale');
    await expect.poll(() => frameEl().isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => frame().locator('strong').first().textContent(), { timeout: 10_000 }).toBe('reader');
    const bar = app.page.getByTestId('remote-blocked');
    expect(await bar.isVisible()).toBe(true);
    expect(await app.page.getByTestId('remote-blocked-text').textContent()).toBe('2 remote images blocked (1 looks like a tracker).');
    expect(await app.page.getByTestId('remote-always').textContent()).toBe('Always for news@shop.example.test');
    expect(await frameEl().getAttribute('data-remote')).toBe('blocked');
    // The blocked frame does not even hold the remote URLs.
    expect(await frameEl().getAttribute('srcdoc')).not.toContain(tracker.origin + '/pixel.gif');
    await quiet(1_000);
    expect(tracker.hits()).toBe(0);
    await app.shoot('reading-01-remote-blocked');
  });

  it('shows where each link goes, marks the one whose text names another host, and a click navigates nothing', async () => {
    const honest = frame().getByText('Read more', { exact: true });
    expect(await honest.getAttribute('title')).toBe('https://shop.example.test/sale');
    const lying = frame().getByText('www.mybank.example', { exact: true });
    expect(await lying.getAttribute('title')).toBe(`This link goes to 127.0.0.1\n${tracker.origin}/login`);
    const warning = frame().locator('.postern-link-warning');
    expect(await warning.count()).toBe(1);
    expect(await warning.getAttribute('title')).toBe('This link goes to 127.0.0.1');
    await app.shoot('reading-02-links', 'reading-pane');

    const before = app.page.url();
    const windows = app.page.context().pages().length;
    await lying.click();
    await honest.click();
    await quiet(1_000);
    expect(app.page.url()).toBe(before);
    expect(app.page.context().pages()).toHaveLength(windows);
    // The frame still shows the message, and the link's host heard nothing.
    expect(await frame().locator('strong').first().textContent()).toBe('reader');
    expect(tracker.paths()).toEqual([]);
  });

  it('loads remote images for this message only when asked', async () => {
    await app.page.getByTestId('remote-load').click();
    await expect.poll(() => frameEl().getAttribute('data-remote')).toBe('allowed');
    expect(await frameEl().getAttribute('srcdoc')).toContain(`content="default-src 'none'; img-src data: https: http:; style-src 'unsafe-inline'"`);
    await expect.poll(() => tracker.paths().sort(), { timeout: 10_000 }).toEqual(['/banner.png', '/pixel.gif']);
    expect(await app.page.getByTestId('remote-allowed').textContent()).toContain('for this message');
    await app.shoot('reading-03-remote-loaded');

    // Another message and back: blocked again, nothing more requested.
    await openMessage('A message of several parts');
    await openMessage('Our autumn sale');
    await expect.poll(() => app.page.getByTestId('remote-blocked').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await frameEl().getAttribute('data-remote')).toBe('blocked');
    await quiet(1_000);
    expect(tracker.hits()).toBe(2);
  });

  it('loads them always for the sender, also after the app is opened again', async () => {
    await app.page.getByTestId('remote-always').click();
    await expect.poll(() => app.page.getByTestId('remote-allowed').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await app.page.getByTestId('remote-allowed').textContent()).toContain('for every message from news@shop.example.test');
    await expect.poll(() => tracker.hits(), { timeout: 10_000 }).toBe(4);

    await app.page.reload();
    await expect.poll(() => app.page.getByTestId('message-row').count(), { timeout: 60_000 }).toBe(3);
    await openMessage('Our autumn sale');
    await expect.poll(() => frameEl().getAttribute('data-remote'), { timeout: 15_000 }).toBe('allowed');
    await expect.poll(() => tracker.hits(), { timeout: 10_000 }).toBe(6);
    await app.shoot('reading-04-remote-always');

    // And blocked again on request.
    await app.page.getByTestId('remote-block-sender').click();
    await expect.poll(() => app.page.getByTestId('remote-blocked').isVisible(), { timeout: 10_000 }).toBe(true);
    await quiet(500);
    expect(tracker.hits()).toBe(6);
  });

  it('says above the body what could not be shown', async () => {
    await openMessage('Broken structure');
    const notes = app.page.getByTestId('message-note');
    await expect.poll(() => notes.count(), { timeout: 10_000 }).toBeGreaterThan(0);
    expect(await notes.first().textContent()).toMatch(/boundary never appears/);
    await app.shoot('reading-05-notes', 'reading-pane');
  });

  it('shows the structure, saves a part with its exact bytes, and opens the attached message', async () => {
    const { page } = app;
    await openMessage('A message of several parts');
    await page.getByTestId('tab-structure').click();
    const nodes = page.getByTestId('mime-node');
    await expect.poll(() => nodes.count(), { timeout: 15_000 }).toBe(4);
    expect(await page.getByTestId('mime-type').allTextContents()).toEqual(['multipart/mixed', 'text/plain', 'application/octet-stream', 'message/rfc822']);
    await app.shoot('reading-06-structure', 'reading-pane');

    const data = page.locator('[data-testid="mime-node"][data-type="application/octet-stream"]');
    expect(await data.getByTestId('mime-filename').textContent()).toBe('data.bin');
    const [download] = await Promise.all([page.waitForEvent('download'), data.getByTestId('mime-save').click()]);
    expect(download.suggestedFilename()).toBe('data.bin');
    expect((await readFile(await download.path())).equals(attachmentBytes)).toBe(true);

    const attached = page.locator('[data-testid="mime-node"][data-type="message/rfc822"]');
    await attached.getByTestId('mime-open').click();
    const dialog = page.getByTestId('attached-message');
    await expect.poll(() => dialog.isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => dialog.getByTestId('attached-from').textContent(), { timeout: 15_000 }).toContain('inner@example.test');
    expect(await dialog.textContent()).toContain('The forwarded original');
    expect(await dialog.getByTestId('message-text').textContent()).toContain('I am the message inside.');
    await app.shoot('reading-07-attached-message', 'attached-message');
    await page.keyboard.press('Escape');
    await expect.poll(() => dialog.count()).toBe(0);
    await page.getByTestId('tab-message').click();
  });

  it('opens an attachment with the system\'s application, saves them all, and shows the source', async () => {
    const { page } = app;
    await openMessage('A message of several parts');
    const data = page.locator('[data-testid="attachment-row"][data-filename="data.bin"]');
    await data.getByTestId('attachment-open-file').click();
    const sha = createHash('sha256').update(attachmentBytes).digest('hex');
    await expect.poll(async () => (await readFile(openerLog, 'utf8').catch(() => '')).trim(), { timeout: 15_000 }).toMatch(new RegExp(`/data\\.bin ${sha}$`));
    // An attached message opens in Postern itself, not with another application.
    expect(await page.locator('[data-testid="attachment-row"][data-filename="original.eml"]').getByTestId('attachment-open-file').count()).toBe(0);

    await page.getByTestId('attachments-save-all').click();
    await expect.poll(() => page.getByTestId('attachments-save-all-status').textContent(), { timeout: 15_000 }).toBe(`Saved 2 files in ${downloads}`);
    expect((await readFile(join(downloads, 'data.bin'))).equals(attachmentBytes)).toBe(true);
    expect(await readFile(join(downloads, 'original.eml'), 'utf8')).toContain('I am the message inside.');
    await app.shoot('reading-08-saved-all', 'attachments');

    await page.getByTestId('tab-source').click();
    const source = page.getByTestId('message-source');
    await expect.poll(() => source.isVisible(), { timeout: 15_000 }).toBe(true);
    const text = (await source.textContent()) ?? '';
    expect(text).toContain('Subject: A message of several parts');
    expect(text).toContain('Content-Disposition: attachment; filename="data.bin"');
    expect(text).toContain(attachmentBytes.toString('base64').slice(0, 76));
    await app.shoot('reading-09-source', 'reading-pane');
    await page.getByTestId('tab-message').click();
  });

  it('shows new mail as it arrives, without a click', async () => {
    const { page } = app;
    const subject = `Pushed ${Date.now()}`;
    const inbox = page.locator('[data-testid="folder-item"][data-folder-path="INBOX"]');
    const unreadBefore = Number((await inbox.getByTestId('folder-unread').textContent().catch(() => '0')) ?? '0');
    await deliver(
      servers,
      message({ From: 'push@example.test', To: reader.email, Subject: subject, Date: new Date().toUTCString(), 'Message-ID': `<${Date.now()}@push.example.test>` }, 'Straight in.'),
      [reader.email],
    );
    await expect.poll(() => row(subject).count(), { timeout: 45_000 }).toBe(1);
    await expect.poll(async () => Number(await inbox.getByTestId('folder-unread').textContent()), { timeout: 15_000 }).toBe(unreadBefore + 1);
    // The message that was open stays open.
    expect(await page.getByTestId('message-subject-heading').textContent()).toBe('A message of several parts');
    await app.shoot('reading-08-pushed');
  });

  it('ran without errors in the page (apart from the sandbox refusing the link clicks)', () => {
    const unexpected = app.errors.filter((e) => !/Blocked opening .* sandboxed frame/i.test(e));
    expect(unexpected).toEqual([]);
  });
});
