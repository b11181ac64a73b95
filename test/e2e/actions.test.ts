// Search, actions and folders in the real app: the account comes from the
// CLI, the engine syncs the whole account (bodies too) on start, and what the
// person does in the list must reach the real Dovecot: deleting into Trash,
// dragging onto Archive, flagging, creating/renaming/deleting folders. A move
// the server refuses comes back as an error in the server's words.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, listFolders, openImap, seedMaildir } from '../servers/mail-tools.ts';
import type { TestUser } from '../servers/harness.ts';
import { launchBrowser, type Browser } from './support/browser.ts';
import { ensureRendererBuilt } from './support/build-renderer.ts';
import { postern } from './support/cli.ts';
import { startServe, type Served } from './support/serve.ts';
import { serverSubjects as subjectsOnServer } from './support/app.ts';

const servers = inject('servers');
const SHOTS = fileURLToPath(new URL('../../test-output/e2e/', import.meta.url));
const PASSWORD_ENV = 'POSTERN_E2E_ACTIONS_PASSWORD';
const HOUR = 3_600_000;

let user: TestUser;
let profileDir: string;
let served: Served;
let browser: Browser;
let page: Page;
const pageErrors: string[] = [];

interface Seed {
  subject: string;
  from: string;
  body: string;
  size?: number;
}

// Newest first, one hour apart.
const SEEDS: Seed[] = [
  { subject: 'Quarterly planning', from: '"Grace Hopper" <grace@navy.example.test>', body: 'We meet in the zanzibar room at ten.' },
  { subject: 'Invoice 4471', from: 'billing@vendor.example.test', body: 'Your invoice is attached as text.', size: 9000 },
  { subject: 'Team offsite', from: '"Ada Lovelace" <ada@engines.example.test>', body: 'Bring walking shoes.' },
  { subject: 'Delete me one', from: '"Old Newsletter" <news@spam.example.test>', body: 'Unsubscribe anytime.' },
  { subject: 'Delete me two', from: '"Old Newsletter" <news@spam.example.test>', body: 'Still here.' },
  { subject: 'Archive this', from: '"Linus" <linus@kernel.example.test>', body: 'Done and dusted.' },
  { subject: 'Flag this', from: '"Barbara Liskov" <barbara@mit.example.test>', body: 'Substitution matters.' },
  { subject: 'Refused move', from: '"Edsger Dijkstra" <ewd@tue.example.test>', body: 'Goto considered harmful.' },
];

function raw(s: Seed, date: Date): string {
  const padding = s.size ? `\r\n${'x'.repeat(s.size)}` : '';
  return [
    `From: ${s.from}`,
    `To: ${user.email}`,
    `Subject: ${s.subject}`,
    `Date: ${date.toUTCString()}`,
    `Message-ID: <${s.subject.replace(/\W+/g, '-').toLowerCase()}@actions.example.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    s.body + padding,
    '',
  ].join('\r\n');
}

async function shoot(name: string, target?: string): Promise<void> {
  const path = join(SHOTS, `${name}.png`);
  if (target) await page.getByTestId(target).screenshot({ path });
  else await page.screenshot({ path });
}

/** Subjects in a folder on the server, read with the test's own IMAP client, sorted. */
const serverSubjects = async (folder: string): Promise<string[]> => (await subjectsOnServer(servers, user, folder)).sort();

async function serverFlags(folder: string, subject: string): Promise<string[]> {
  const imap = await openImap(servers, user);
  try {
    const lock = await imap.getMailboxLock(folder);
    try {
      for await (const m of imap.fetch('1:*', { envelope: true, flags: true })) {
        if (m.envelope?.subject === subject) return [...(m.flags ?? [])].sort();
      }
      return [];
    } finally {
      lock.release();
    }
  } finally {
    await imap.logout();
  }
}

const row = (subject: string): Locator => page.getByTestId('message-row').filter({ has: page.getByTestId('message-subject').getByText(subject, { exact: true }) });
const folderItem = (path: string): Locator => page.locator(`[data-testid="folder-item"][data-folder-path="${path}"]`);
const subjects = (): Promise<string[]> => page.getByTestId('message-subject').allTextContents();

describe('search, actions and folders (web bridge, Chromium)', () => {
  beforeAll(async () => {
    await ensureRendererBuilt();
    await mkdir(SHOTS, { recursive: true });
    user = await createUser(servers, 'actions');
    const now = Date.now();
    await seedMaildir(servers, user.user, 'INBOX', SEEDS.map((s, i) => ({ raw: raw(s, new Date(now - (i + 1) * HOUR)) })));
    profileDir = await mkdtemp(join(tmpdir(), 'postern-e2e-actions-'));
    const caFile = join(profileDir, 'ca.pem');
    await writeFile(caFile, servers.caPem);
    const env = { [PASSWORD_ENV]: user.password };
    await postern(
      [
        'account', 'add', '--profile', profileDir, '--name', 'Actions', '--email', user.email, '--user', user.user,
        '--imap', `${servers.host}:${servers.ports.imap}`, '--imap-security', 'starttls',
        '--smtp', `${servers.host}:${servers.ports.submissions}`, '--smtp-security', 'tls',
        '--ca', caFile, '--password-env', PASSWORD_ENV,
      ],
      env,
    );
    served = await startServe(profileDir, env);
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
    if (profileDir) await rm(profileDir, { recursive: true, force: true });
  });

  it('syncs the account on start and lists the INBOX', async () => {
    await page.goto(served.url);
    await expect.poll(() => page.getByTestId('message-row').count(), { timeout: 60_000 }).toBe(SEEDS.length);
    expect(await subjects()).toEqual(SEEDS.map((s) => s.subject));
    await expect.poll(() => folderItem('Archive').isVisible(), { timeout: 30_000 }).toBe(true);
  });

  it('sorts by subject, sender and size, and back by date', async () => {
    await page.getByTestId('sort-key').selectOption('subject');
    expect(await subjects()).toEqual([...SEEDS.map((s) => s.subject)].sort((a, b) => a.localeCompare(b)));
    await page.getByTestId('sort-direction').click();
    expect(await subjects()).toEqual([...SEEDS.map((s) => s.subject)].sort((a, b) => b.localeCompare(a)));
    await page.getByTestId('sort-key').selectOption('size');
    expect((await subjects())[0]).toBe('Invoice 4471');
    await page.getByTestId('sort-key').selectOption('sender');
    expect((await page.getByTestId('message-sender').allTextContents())[0]).toBe('Ada Lovelace');
    await shoot('actions-01-sorted-by-sender', 'message-pane');
    await page.getByTestId('sort-key').selectOption('date');
    expect(await subjects()).toEqual(SEEDS.map((s) => s.subject));
  });

  it('finds a message by a word of its body and by from:, with its folder; a bad query says why; Escape clears', async () => {
    const input = page.getByTestId('search-input');
    // The body is searchable once the background body download has indexed it.
    await input.fill('zanzib');
    await expect.poll(subjects, { timeout: 60_000 }).toEqual(['Quarterly planning']);
    expect(await page.getByTestId('message-folder').allTextContents()).toEqual(['Inbox']);
    expect(await page.getByTestId('message-pane-title').textContent()).toBe('Search results');
    await shoot('actions-02-search-body');

    await input.fill('from:billing');
    await expect.poll(subjects, { timeout: 15_000 }).toEqual(['Invoice 4471']);

    await input.fill('before:soon');
    const error = page.getByTestId('search-error');
    await expect.poll(() => error.isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await error.textContent()).toContain('YYYY-MM-DD');
    await shoot('actions-03-search-error');

    await input.press('Escape');
    expect(await input.inputValue()).toBe('');
    expect(await error.count()).toBe(0);
    await expect.poll(() => page.getByTestId('message-row').count()).toBe(SEEDS.length);
    expect(await page.getByTestId('message-pane-title').textContent()).toBe('Inbox');
  });

  it('selects several rows with ctrl+click and deletes them into Trash, on the server too', async () => {
    await row('Delete me one').click();
    await row('Delete me two').click({ modifiers: ['Control'] });
    await expect.poll(() => page.locator('[data-testid="message-row"][aria-selected="true"]').count()).toBe(2);
    expect(await page.getByTestId('selection-count').textContent()).toBe('2 selected');
    await shoot('actions-04-two-selected');
    await page.keyboard.press('Delete');
    // Gone from the list at once, before the server has heard of it.
    await expect.poll(() => page.getByTestId('message-row').count(), { timeout: 2_000 }).toBe(SEEDS.length - 2);
    await expect.poll(() => serverSubjects('Trash'), { timeout: 30_000 }).toEqual(['Delete me one', 'Delete me two']);
    await expect.poll(async () => (await serverSubjects('INBOX')).filter((s) => s.startsWith('Delete me')), { timeout: 30_000 }).toEqual([]);
    await folderItem('Trash').click();
    await expect.poll(subjects, { timeout: 30_000 }).toEqual(['Delete me one', 'Delete me two']);
    await folderItem('INBOX').click();
    await expect.poll(() => page.getByTestId('message-row').count(), { timeout: 30_000 }).toBe(SEEDS.length - 2);
  });

  it('extends the selection with shift+arrows', async () => {
    await row('Quarterly planning').click();
    await page.getByTestId('message-list').press('Shift+ArrowDown');
    await page.getByTestId('message-list').press('Shift+ArrowDown');
    await expect.poll(() => page.getByTestId('selection-count').textContent()).toBe('3 selected');
    await row('Quarterly planning').click();
  });

  it('moves a row dragged onto Archive, on the server too', async () => {
    await row('Archive this').dragTo(folderItem('Archive'));
    await expect.poll(() => row('Archive this').count(), { timeout: 5_000 }).toBe(0);
    await expect.poll(() => serverSubjects('Archive'), { timeout: 30_000 }).toEqual(['Archive this']);
    expect(await serverSubjects('INBOX')).not.toContain('Archive this');
  });

  it('flags with the s key; the row shows the flag and the server has \\Flagged', async () => {
    await row('Flag this').click();
    await page.keyboard.press('s');
    await expect.poll(() => row('Flag this').getByTestId('marker-flag').count(), { timeout: 2_000 }).toBe(1);
    await expect.poll(() => serverFlags('INBOX', 'Flag this'), { timeout: 30_000 }).toContain('\\Flagged');
    await shoot('actions-05-flagged');
    // And the toolbar button takes it off again.
    await page.getByTestId('action-flag').click();
    await expect.poll(() => row('Flag this').getByTestId('marker-flag').count(), { timeout: 2_000 }).toBe(0);
    await expect.poll(() => serverFlags('INBOX', 'Flag this'), { timeout: 30_000 }).not.toContain('\\Flagged');
  });

  it('marks as unread with Shift+U and read with Shift+I, on the server too', async () => {
    await row('Invoice 4471').click();
    await expect.poll(() => row('Invoice 4471').getAttribute('data-unread'), { timeout: 15_000 }).toBe('false');
    await expect.poll(() => serverFlags('INBOX', 'Invoice 4471'), { timeout: 30_000 }).toContain('\\Seen');
    await page.keyboard.press('Shift+U');
    await expect.poll(() => row('Invoice 4471').getAttribute('data-unread'), { timeout: 2_000 }).toBe('true');
    await expect.poll(() => serverFlags('INBOX', 'Invoice 4471'), { timeout: 30_000 }).not.toContain('\\Seen');
    await page.keyboard.press('Shift+I');
    await expect.poll(() => row('Invoice 4471').getAttribute('data-unread'), { timeout: 2_000 }).toBe('false');
    await expect.poll(() => serverFlags('INBOX', 'Invoice 4471'), { timeout: 30_000 }).toContain('\\Seen');
  });

  it('moves with v and a folder picked by typing part of its name', async () => {
    await row('Team offsite').click();
    await page.keyboard.press('v');
    const picker = page.getByTestId('folder-picker');
    await expect.poll(() => picker.isVisible()).toBe(true);
    await page.getByTestId('folder-picker-filter').fill('jun');
    expect(await page.getByTestId('folder-picker-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-folder-path')))).toEqual(['Junk']);
    await shoot('actions-06-move-picker');
    await page.getByTestId('folder-picker-filter').press('Enter');
    await expect.poll(() => picker.count()).toBe(0);
    await expect.poll(() => row('Team offsite').count(), { timeout: 2_000 }).toBe(0);
    await expect.poll(() => serverSubjects('Junk'), { timeout: 30_000 }).toEqual(['Team offsite']);
  });

  it('Refresh syncs every folder of the account: mail that arrived in Archive shows up', async () => {
    const archiveUnread = async () => {
      const badge = folderItem('Archive').getByTestId('folder-unread');
      return (await badge.count()) === 0 ? 0 : Number(await badge.textContent());
    };
    const before = await archiveUnread();
    const imap = await openImap(servers, user);
    try {
      await imap.append('Archive', raw({ subject: 'Filed elsewhere', from: 'robot@example.test', body: 'New.' }, new Date()), []);
    } finally {
      await imap.logout();
    }
    await page.getByTestId('refresh').click();
    await expect.poll(archiveUnread, { timeout: 30_000 }).toBe(before + 1);
    await folderItem('Archive').click();
    await expect.poll(subjects, { timeout: 30_000 }).toContain('Filed elsewhere');
    await folderItem('INBOX').click();
    await expect.poll(() => page.getByTestId('message-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  });

  it('creates, renames and deletes a folder, in the pane and on the server; standard folders cannot be renamed', async () => {
    await page.getByTestId('folder-create').click();
    await page.getByTestId('folder-name').fill('Projects');
    await shoot('actions-07-new-folder', 'folder-dialog');
    await page.getByTestId('folder-dialog-submit').click();
    await expect.poll(() => folderItem('Projects').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await listFolders(servers, user.user)).toContain('Projects');

    // A subfolder, through the folder's menu.
    await folderItem('Projects').hover();
    await page.locator('li', { has: folderItem('Projects') }).getByTestId('folder-menu-button').click();
    await page.getByTestId('folder-menu-create').click();
    await page.getByTestId('folder-name').fill('2026');
    await page.getByTestId('folder-dialog-submit').click();
    await expect.poll(() => folderItem('Projects.2026').isVisible(), { timeout: 30_000 }).toBe(true);
    await shoot('actions-07-folders', 'folder-pane');

    await folderItem('Projects.2026').click({ button: 'right' });
    await page.getByTestId('folder-menu-delete').click();
    expect(await page.getByTestId('folder-dialog').textContent()).toContain('cannot be undone');
    await page.getByTestId('folder-dialog-submit').click();
    await expect.poll(() => folderItem('Projects.2026').count(), { timeout: 30_000 }).toBe(0);

    await folderItem('Projects').click({ button: 'right' });
    await page.getByTestId('folder-menu-rename').click();
    await page.getByTestId('folder-name').fill('Clients');
    await page.getByTestId('folder-dialog-submit').click();
    await expect.poll(() => folderItem('Clients').isVisible(), { timeout: 30_000 }).toBe(true);
    expect(await folderItem('Projects').count()).toBe(0);
    const afterRename = await listFolders(servers, user.user);
    expect(afterRename).toContain('Clients');
    expect(afterRename).not.toContain('Projects');
    expect(afterRename).not.toContain('Projects.2026');

    await folderItem('Clients').click({ button: 'right' });
    await page.getByTestId('folder-menu-delete').click();
    await page.getByTestId('folder-dialog-submit').click();
    await expect.poll(() => folderItem('Clients').count(), { timeout: 30_000 }).toBe(0);
    expect(await listFolders(servers, user.user)).not.toContain('Clients');

    // Standard folders: the menu offers no rename or delete.
    await folderItem('Sent').click({ button: 'right' });
    expect(await page.getByTestId('folder-menu-rename').isDisabled()).toBe(true);
    expect(await page.getByTestId('folder-menu-delete').isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('folder-menu').count()).toBe(0);
    await folderItem('INBOX').click();
  });

  it('shows the server\'s words when it refuses an action, and the list follows the server', async () => {
    // A message in a folder that is then removed on the server behind the
    // app's back: flagging it there is refused (the folder cannot be selected).
    await page.getByTestId('folder-create').click();
    await page.getByTestId('folder-name').fill('Doomed');
    await page.getByTestId('folder-dialog-submit').click();
    await expect.poll(() => folderItem('Doomed').isVisible(), { timeout: 30_000 }).toBe(true);
    await row('Refused move').dragTo(folderItem('Doomed'));
    await expect.poll(() => serverSubjects('Doomed'), { timeout: 30_000 }).toEqual(['Refused move']);
    await folderItem('Doomed').click();
    await expect.poll(subjects, { timeout: 30_000 }).toEqual(['Refused move']);
    // Flagged from the search results with another folder on screen: push watches the folder on
    // screen, and would otherwise see the folder go and drop its row before the key is pressed.
    await folderItem('INBOX').click();
    await page.getByTestId('search-input').fill('subject:refused');
    await expect.poll(subjects, { timeout: 30_000 }).toEqual(['Refused move']);
    const imap = await openImap(servers, user);
    try {
      await imap.mailboxDelete('Doomed');
    } finally {
      await imap.logout();
    }
    await row('Refused move').click();
    await page.keyboard.press('s');
    // Shown at once, as every action is...
    await expect.poll(() => row('Refused move').getByTestId('marker-flag').count(), { timeout: 2_000 }).toBe(1);
    // ...then the server's refusal, in its words, without a dialog in the way.
    const notice = page.getByTestId('status-notice');
    await expect.poll(() => notice.textContent(), { timeout: 30_000 }).toMatch(/The server did not change flags/);
    expect(((await notice.textContent()) ?? '').length).toBeGreaterThan('The server did not change flags (Actions): '.length);
    await shoot('actions-08-refused');
    // The list and the folders follow the server again: the folder is gone.
    await expect.poll(() => folderItem('Doomed').count(), { timeout: 30_000 }).toBe(0);
    await page.getByTestId('search-input').press('Escape');
    await folderItem('INBOX').click();
    await expect.poll(() => page.getByTestId('message-row').count(), { timeout: 30_000 }).toBeGreaterThan(0);
  });

  it('ran without errors in the page', () => {
    expect(pageErrors).toEqual([]);
  });
});
