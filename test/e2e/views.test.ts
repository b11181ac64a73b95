// Ways of looking at mail in the real app: a conversation that includes a
// reply kept in Sent; "All inboxes" across two accounts; Undo after a delete
// brings the message back (here and on the server); a POP3 account added
// through the form downloads its INBOX.
import { readFile } from 'node:fs/promises';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir } from '../servers/mail-tools.ts';
import type { TestUser } from '../servers/harness.ts';
import { DISCOVERY_SRV_DOMAIN } from '../servers/dns.ts';
import { serverSubjects, startApp, type App } from './support/app.ts';

const servers = inject('servers');
const HOUR = 3_600_000;

let alpha: TestUser;
let beta: TestUser;
let popper: TestUser;
let app: App;

const TRIP = 'Trip to the mountains';
const BETA_NEWS = 'Beta team newsletter';
const DOOMED = 'Delete and undo me';
const POP_SUBJECT = 'Downloaded over POP3';

function raw(h: { from: string; to: string; subject: string; id: string; date: Date; inReplyTo?: string; references?: string }, body: string): string {
  return [
    `From: ${h.from}`,
    `To: ${h.to}`,
    `Subject: ${h.subject}`,
    `Date: ${h.date.toUTCString()}`,
    `Message-ID: ${h.id}`,
    ...(h.inReplyTo ? [`In-Reply-To: ${h.inReplyTo}`] : []),
    ...(h.references ? [`References: ${h.references}`] : []),
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
    '',
  ].join('\r\n');
}

const row = (subject: string): Locator =>
  app.page.getByTestId('message-row').filter({ has: app.page.getByTestId('message-subject').getByText(subject, { exact: true }) });
const section = (email: string): Locator => app.page.getByTestId('account-section').filter({ hasText: email });

describe('conversations, all inboxes, undo, POP3 account (web bridge, Chromium)', () => {
  beforeAll(async () => {
    [alpha, beta, popper] = await Promise.all([createUser(servers, 'alpha'), createUser(servers, 'beta'), createUser(servers, 'popper')]);
    const now = Date.now();
    const hiker = '"Hanna Hiker" <hanna@hills.example.test>';
    await seedMaildir(servers, alpha.user, 'INBOX', [
      { raw: raw({ from: hiker, to: alpha.email, subject: TRIP, id: '<trip-1@hills.example.test>', date: new Date(now - 5 * HOUR) }, 'Shall we go up on Saturday?') },
      {
        raw: raw(
          { from: hiker, to: alpha.email, subject: `Re: ${TRIP}`, id: '<trip-3@hills.example.test>', date: new Date(now - 1 * HOUR), inReplyTo: '<trip-2@alpha.example.test>', references: '<trip-1@hills.example.test> <trip-2@alpha.example.test>' },
          'Great, I will bring the map.',
        ),
      },
      { raw: raw({ from: '"Old News" <news@spam.example.test>', to: alpha.email, subject: DOOMED, id: '<doomed@spam.example.test>', date: new Date(now - 2 * HOUR) }, 'Gone, then back.') },
    ]);
    await seedMaildir(servers, alpha.user, 'Sent', [
      {
        raw: raw(
          { from: `Alpha <${alpha.email}>`, to: hiker, subject: `Re: ${TRIP}`, id: '<trip-2@alpha.example.test>', date: new Date(now - 3 * HOUR), inReplyTo: '<trip-1@hills.example.test>', references: '<trip-1@hills.example.test>' },
          'Saturday it is. I sent this from Sent.',
        ),
        flags: ['\\Seen'],
      },
    ]);
    await seedMaildir(servers, beta.user, 'INBOX', [
      { raw: raw({ from: 'newsletter@beta.example.test', to: beta.email, subject: BETA_NEWS, id: '<beta-news@beta.example.test>', date: new Date(now - 4 * HOUR) }, 'News for the beta team.') },
    ]);
    await seedMaildir(servers, popper.user, 'INBOX', [
      { raw: raw({ from: 'pop@example.test', to: popper.email, subject: POP_SUBJECT, id: '<pop-1@example.test>', date: new Date(now - HOUR) }, 'Came down by RETR.') },
    ]);
    app = await startApp(servers, {
      user: alpha,
      name: 'Alpha',
      smtpPort: servers.ports.submissions,
      passwordEnv: 'POSTERN_E2E_VIEWS_ALPHA',
      more: [{ user: beta, name: 'Beta', passwordEnv: 'POSTERN_E2E_VIEWS_BETA' }],
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('opens on the first account\'s INBOX', async () => {
    await app.page.goto(app.served.url);
    await expect.poll(() => row(DOOMED).isVisible(), { timeout: 60_000 }).toBe(true);
  });

  it('shows a conversation that includes the reply from Sent, newest expanded', async () => {
    const { page } = app;
    // The whole account (Sent too) is synced at start; wait until Sent is known.
    await expect.poll(() => section(alpha.email).locator('[data-special-use="sent"]').isVisible(), { timeout: 60_000 }).toBe(true);
    await page.getByTestId('conversation-toggle').click();
    const thread = page.getByTestId('thread-row').filter({ hasText: TRIP });
    await expect.poll(() => thread.getByTestId('thread-count').textContent(), { timeout: 60_000 }).toBe('3');
    expect(await thread.getByTestId('thread-unread').textContent()).toBe('2 unread');
    await thread.click();
    const items = page.getByTestId('conversation-message');
    await expect.poll(() => items.count(), { timeout: 15_000 }).toBe(3);
    expect(await items.nth(1).getAttribute('data-folder')).toBe('Sent');
    expect(await items.nth(2).getAttribute('data-expanded')).toBe('true');
    expect(await items.nth(0).getAttribute('data-expanded')).toBe('false');
    await expect.poll(() => items.nth(2).textContent(), { timeout: 15_000 }).toContain('Great, I will bring the map.');
    // Expanding the one from Sent shows it.
    await items.nth(1).getByRole('button').first().click();
    await expect.poll(() => items.nth(1).textContent(), { timeout: 15_000 }).toContain('I sent this from Sent.');
    await app.shoot('views-01-conversation');
    // A reply filed in Sent elsewhere joins the conversation on screen after a
    // sync, though the INBOX list itself did not change.
    await seedMaildir(servers, alpha.user, 'Sent', [
      {
        raw: raw(
          { from: `Alpha <${alpha.email}>`, to: '"Hanna Hiker" <hanna@hills.example.test>', subject: `Re: ${TRIP}`, id: '<trip-4@alpha.example.test>', date: new Date(), inReplyTo: '<trip-3@hills.example.test>', references: '<trip-1@hills.example.test> <trip-2@alpha.example.test> <trip-3@hills.example.test>' },
          'See you at the station, written on another computer.',
        ),
        flags: ['\\Seen'],
      },
    ]);
    await page.getByTestId('refresh').click();
    await expect.poll(() => thread.getByTestId('thread-count').textContent(), { timeout: 30_000 }).toBe('4');
    await page.getByTestId('conversation-toggle').click();
    await expect.poll(() => row(DOOMED).isVisible(), { timeout: 15_000 }).toBe(true);
  }, 150_000);

  it('shows both accounts\' mail in All inboxes', async () => {
    const { page } = app;
    await page.getByTestId('unified-inbox').click();
    await expect.poll(() => page.getByTestId('message-pane-title').textContent()).toBe('All inboxes');
    await expect.poll(() => row(BETA_NEWS).isVisible(), { timeout: 60_000 }).toBe(true);
    expect(await row(DOOMED).isVisible()).toBe(true);
    expect(await row(TRIP).isVisible()).toBe(true);
    await app.shoot('views-02-all-inboxes');
    await section(alpha.email).locator('[data-folder-path="INBOX"]').click();
    await expect.poll(() => row(BETA_NEWS).count(), { timeout: 15_000 }).toBe(0);
  });

  it('brings a deleted message back with Undo, here and on the server', async () => {
    const { page } = app;
    await row(DOOMED).click();
    await page.locator('body').press('Delete');
    await expect.poll(() => row(DOOMED).count(), { timeout: 5_000 }).toBe(0);
    const toast = page.getByTestId('action-undo-toast');
    await expect.poll(() => toast.isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => serverSubjects(servers, alpha, 'Trash'), { timeout: 30_000, interval: 500 }).toContain(DOOMED);
    await app.shoot('views-03-undo-toast');
    await page.getByTestId('undo-action').click();
    await expect.poll(() => row(DOOMED).isVisible(), { timeout: 15_000 }).toBe(true);
    await expect.poll(() => serverSubjects(servers, alpha, 'INBOX'), { timeout: 30_000, interval: 500 }).toContain(DOOMED);
    await expect.poll(() => serverSubjects(servers, alpha, 'Trash'), { timeout: 30_000, interval: 500 }).not.toContain(DOOMED);
    // And it stays after a sync with the server.
    await page.getByTestId('refresh').click();
    await new Promise((r) => setTimeout(r, 2_000));
    await expect.poll(() => row(DOOMED).isVisible(), { timeout: 30_000 }).toBe(true);
  });

  it('saves the current search, opens it from the folder list, and deletes it', async () => {
    const { page } = app;
    await page.getByTestId('search-input').fill('from:hanna');
    await expect.poll(() => row(TRIP).isVisible(), { timeout: 15_000 }).toBe(true);
    await page.getByTestId('search-save').click();
    await page.getByTestId('folder-name').fill('From Hanna');
    await page.getByTestId('folder-dialog-submit').click();
    const saved = page.getByTestId('saved-search').filter({ hasText: 'From Hanna' });
    await expect.poll(() => saved.isVisible(), { timeout: 15_000 }).toBe(true);
    await page.getByTestId('search-clear').click();
    await expect.poll(() => row(DOOMED).isVisible(), { timeout: 15_000 }).toBe(true);
    await saved.click();
    await expect.poll(() => page.getByTestId('message-pane-title').textContent()).toBe('From Hanna');
    await expect.poll(() => row(TRIP).isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await row(DOOMED).count()).toBe(0);
    await app.shoot('views-04-saved-search');
    await page.getByTestId('saved-search-delete').click();
    await expect.poll(() => page.getByTestId('saved-search').count(), { timeout: 15_000 }).toBe(0);
    await page.getByTestId('search-clear').click();
  });

  it("fills in a provider's servers from the address, and keeps the servers the person typed", async () => {
    const { page } = app;
    await page.getByTestId('add-account').click();
    const form = page.getByTestId('account-form');
    await expect.poll(() => form.isVisible()).toBe(true);
    const value = (id: string) => page.getByTestId(id).inputValue();
    await page.getByTestId('account-email').fill('someone@gmail.com');
    await page.getByTestId('account-email').press('Tab');
    await expect.poll(() => value('account-imap-host'), { timeout: 15_000 }).toBe('imap.gmail.com');
    expect([await value('account-imap-port'), await value('account-imap-security')]).toEqual(['993', 'tls']);
    expect([await value('account-smtp-host'), await value('account-smtp-port'), await value('account-smtp-security')]).toEqual(['smtp.gmail.com', '465', 'tls']);
    expect(await value('account-user')).toBe('someone@gmail.com');
    expect(await page.getByTestId('account-discovery').textContent()).toMatch(/filled in from Postern's list of providers \(Gmail\).*sign in with Google/);
    await app.shoot('views-05-discovered', 'account-dialog');

    // A server typed in by hand is the person's: a later look-up leaves it.
    await page.getByTestId('account-smtp-host').fill('smtp.relay.example.test');
    await page.getByTestId('account-email').fill('someone@fastmail.com');
    await page.getByTestId('account-email').press('Tab');
    await expect.poll(() => page.getByTestId('account-discovery').textContent(), { timeout: 15_000 }).toMatch(/your own entries below are kept/);
    expect([await value('account-imap-host'), await value('account-smtp-host')]).toEqual(['imap.gmail.com', 'smtp.relay.example.test']);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('account-dialog').count()).toBe(0);

    // A domain that publishes SRV records (the test run's DNS server has them): its servers, and a word
    // about the one outside the domain, since DNS answers are not signed.
    await page.getByTestId('add-account').click();
    await expect.poll(() => form.isVisible()).toBe(true);
    await page.getByTestId('account-email').fill(`someone@${DISCOVERY_SRV_DOMAIN}`);
    await page.getByTestId('account-email').press('Tab');
    await expect.poll(() => value('account-imap-host'), { timeout: 15_000 }).toBe('mail.provider.test');
    expect([await value('account-imap-port'), await value('account-imap-security')]).toEqual(['993', 'tls']);
    expect([await value('account-smtp-host'), await value('account-smtp-port'), await value('account-smtp-security')]).toEqual([`smtp.${DISCOVERY_SRV_DOMAIN}`, '587', 'starttls']);
    expect(await page.getByTestId('account-discovery').textContent()).toMatch(
      new RegExp(`DNS records for mail \\(SRV\\).*mail\\.provider\\.test is not part of ${DISCOVERY_SRV_DOMAIN.replace('.', '\\.')}`),
    );
    await app.shoot('views-05-discovered-srv', 'account-dialog');
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect.poll(() => page.getByTestId('account-dialog').count()).toBe(0);
    expect(app.errors).toEqual([]);
  });

  it('adds a POP3 account through the form and downloads its INBOX', async () => {
    const { page } = app;
    await page.getByTestId('add-account').click();
    const form = page.getByTestId('account-form');
    await expect.poll(() => form.isVisible()).toBe(true);
    await page.getByTestId('account-name').fill('Popper');
    await page.getByTestId('account-email').fill(popper.email);
    await page.getByTestId('account-user').fill(popper.user);
    await page.getByTestId('account-password').fill(popper.password);
    await page.getByTestId('account-incoming-pop3').check();
    // The POP3 port follows the protocol and the security.
    expect(await page.getByTestId('account-imap-port').inputValue()).toBe('995');
    await page.getByTestId('account-imap-security').selectOption('starttls');
    expect(await page.getByTestId('account-imap-port').inputValue()).toBe('110');
    await page.getByTestId('account-imap-security').selectOption('tls');
    await page.getByTestId('account-imap-host').fill(servers.host);
    await page.getByTestId('account-imap-port').fill(String(servers.ports.pop3s));
    expect(await page.getByTestId('account-pop3-leave').isChecked()).toBe(true);
    await page.getByTestId('account-smtp-host').fill(servers.host);
    await page.getByTestId('account-smtp-security').selectOption('tls');
    await page.getByTestId('account-smtp-port').fill(String(servers.ports.submissions));
    await form.locator('details.advanced > summary').click();
    await page.getByTestId('account-ca').fill(servers.caPem);
    await app.shoot('views-06-pop3-form', 'account-dialog');
    await page.getByTestId('account-submit').click();
    await expect.poll(() => page.getByTestId('account-dialog').count(), { timeout: 60_000 }).toBe(0);
    await expect.poll(() => row(POP_SUBJECT).isVisible(), { timeout: 60_000 }).toBe(true);
    await app.shoot('views-07-pop3-inbox');
    // Leaving the address looked its servers up, and the app asked the test run's DNS server, nothing beyond it.
    const domain = popper.email.split('@')[1] as string;
    expect(await readFile(inject('discoveryDns').log, 'utf8')).toContain(`query[A] autoconfig.${domain}`);
    expect(app.errors).toEqual([]);
  });
});
