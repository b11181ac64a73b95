// Answering and writing in the real app: Reply quotes the original and the
// reply arrives at the sender with In-Reply-To, the original marked
// \Answered on the server; Forward as attachment carries the whole original
// as message/rfc822; the To field offers a contact as the person types and
// takes it with Enter; rich text with a pasted image arrives as
// multipart/related with the image referenced by cid:.
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir } from '../servers/mail-tools.ts';
import type { TestUser } from '../servers/harness.ts';
import { startApp, type App } from './support/app.ts';
import { makePng } from './support/png.ts';
import { contentTypes, findBySubject, unfoldQp } from './support/server-mail.ts';

const servers = inject('servers');

let me: TestUser;
let friend: TestUser;
let app: App;

const ORIGINAL_SUBJECT = 'Plans for the harbour walk';
const ORIGINAL_ID = '<harbour-walk@answering.example.test>';
const ORIGINAL_LINE = 'Shall we meet at the lighthouse at nine?';

function composer(): Locator {
  return app.page.getByTestId('composer-dialog');
}

const row = (subject: string): Locator =>
  app.page.getByTestId('message-row').filter({ has: app.page.getByTestId('message-subject').getByText(subject, { exact: true }) });

async function openOriginal(): Promise<void> {
  await row(ORIGINAL_SUBJECT).click();
  await expect.poll(() => app.page.getByTestId('message-subject-heading').textContent(), { timeout: 15_000 }).toBe(ORIGINAL_SUBJECT);
}

/** Sends what the composer holds and waits for the undo window to pass. */
async function sendAndWait(): Promise<void> {
  await app.page.getByTestId('compose-send').click();
  await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);
  await expect.poll(() => app.page.getByTestId('status-notice').textContent(), { timeout: 30_000 }).toContain('Message sent to');
}

describe('reply, forward, completion, rich text (web bridge, Chromium)', () => {
  beforeAll(async () => {
    [me, friend] = await Promise.all([createUser(servers, 'me'), createUser(servers, 'friend')]);
    await seedMaildir(servers, me.user, 'INBOX', [
      {
        raw: [
          `From: "Fiona Friend" <${friend.email}>`,
          `To: ${me.email}`,
          `Subject: ${ORIGINAL_SUBJECT}`,
          `Date: ${new Date(Date.now() - 3_600_000).toUTCString()}`,
          `Message-ID: ${ORIGINAL_ID}`,
          'MIME-Version: 1.0',
          'Content-Type: text/plain; charset=utf-8',
          '',
          ORIGINAL_LINE,
          '',
        ].join('\r\n'),
      },
    ]);
    app = await startApp(servers, { user: me, name: 'Me Myself', smtpPort: servers.ports.submissions, passwordEnv: 'POSTERN_E2E_ANSWERING_PASSWORD' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('opens on the INBOX', async () => {
    await app.page.goto(app.served.url);
    await expect.poll(() => row(ORIGINAL_SUBJECT).isVisible(), { timeout: 60_000 }).toBe(true);
  });

  it('replies with r: quoted, from the right address; the reply arrives with In-Reply-To and the original gets \\Answered', async () => {
    const { page } = app;
    await openOriginal();
    await app.shoot('answering-01-message-with-answer-bar', 'reading-pane');
    await page.locator('body').press('r');
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('compose-to').inputValue()).toContain(friend.email);
    expect(await page.getByTestId('compose-subject').inputValue()).toBe(`Re: ${ORIGINAL_SUBJECT}`);
    const body = page.getByTestId('compose-body');
    expect(await body.inputValue()).toContain(`> ${ORIGINAL_LINE}`);
    await body.press('Control+Home');
    await body.pressSequentially('Nine works for me.');
    await app.shoot('answering-02-reply-composer', 'composer-dialog');
    await sendAndWait();

    const replySubject = `Re: ${ORIGINAL_SUBJECT}`;
    await expect.poll(async () => (await findBySubject(servers, friend, 'INBOX', replySubject)).length, { timeout: 30_000, interval: 500 }).toBe(1);
    const [reply] = await findBySubject(servers, friend, 'INBOX', replySubject);
    expect(reply?.source).toMatch(new RegExp(`^In-Reply-To: ${ORIGINAL_ID}`, 'mi'));
    expect(reply?.source).toContain('Nine works for me.');
    expect(unfoldQp(reply?.source ?? '')).toContain(`> ${ORIGINAL_LINE}`);
    expect(reply?.source).toMatch(new RegExp(`^From: .*${me.email.replace(/[.+]/g, '\\$&')}`, 'mi'));
    await expect
      .poll(async () => (await findBySubject(servers, me, 'INBOX', ORIGINAL_SUBJECT))[0]?.flags.has('\\Answered'), { timeout: 30_000, interval: 500 })
      .toBe(true);
  });

  it('forwards as an attachment: the whole original arrives as a message/rfc822 part', async () => {
    const { page } = app;
    await openOriginal();
    await page.getByTestId('answer-forward-attachment').click();
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(true);
    expect(await page.getByTestId('compose-subject').inputValue()).toMatch(/^Fwd?: /);
    expect(await page.getByTestId('compose-forward-note').isVisible()).toBe(true);
    const subject = `Fwd as attachment ${Date.now()}`;
    await page.getByTestId('compose-subject').fill(subject);
    await page.getByTestId('compose-to').fill(friend.email);
    await sendAndWait();

    await expect.poll(async () => (await findBySubject(servers, friend, 'INBOX', subject)).length, { timeout: 30_000, interval: 500 }).toBe(1);
    const [fwd] = await findBySubject(servers, friend, 'INBOX', subject);
    expect(contentTypes(fwd?.structure)).toContain('message/rfc822');
    expect(fwd?.source).toContain(ORIGINAL_LINE);
    expect(fwd?.source).toContain(`Message-ID: ${ORIGINAL_ID}`);
    await expect
      .poll(async () => (await findBySubject(servers, me, 'INBOX', ORIGINAL_SUBJECT))[0]?.flags.has('$Forwarded'), { timeout: 30_000, interval: 500 })
      .toBe(true);
  });

  it('edits the account\'s addresses: an alias with a signature is offered as From and brings its signature', async () => {
    const { page } = app;
    await page.getByTestId('account-settings').first().click();
    const dialog = page.getByTestId('account-settings-dialog');
    await expect.poll(() => dialog.isVisible()).toBe(true);
    await page.getByTestId('identity-add').click();
    const alias = page.getByTestId('identity').nth(1);
    const aliasAddress = `walks-${me.email}`;
    await alias.getByTestId('identity-name').fill('Harbour Walks');
    await alias.getByTestId('identity-address').fill(aliasAddress);
    await alias.getByTestId('identity-signature').fill('Harbour Walks club\nEvery Saturday at nine');
    await app.shoot('answering-03-identities', 'account-settings-dialog');
    await page.getByTestId('identities-save').click();
    await expect.poll(() => dialog.count(), { timeout: 15_000 }).toBe(0);

    await page.locator('body').press('c');
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(true);
    const from = page.getByTestId('compose-from');
    expect(await from.locator('option').allTextContents()).toEqual([`Me Myself <${me.email}>`, `Harbour Walks <${aliasAddress}>`]);
    await from.selectOption({ label: `Harbour Walks <${aliasAddress}>` });
    await expect.poll(() => page.getByTestId('compose-body').inputValue()).toBe('\n\n-- \nHarbour Walks club\nEvery Saturday at nine');
    // Back to the account's own address: its (empty) signature replaces the alias's.
    await from.selectOption({ index: 0 });
    await expect.poll(() => page.getByTestId('compose-body').inputValue()).toBe('');
    await page.getByTestId('compose-discard').click();
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);
  });

  it('offers a contact as the person types in To, and Enter takes it; a dropped file becomes an attachment', async () => {
    const { page } = app;
    await page.locator('body').press('c');
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(true);
    const to = page.getByTestId('compose-to');
    await to.pressSequentially(friend.user.slice(0, 6));
    const option = page.getByTestId('completion-option').filter({ hasText: friend.email });
    await expect.poll(() => option.isVisible(), { timeout: 10_000 }).toBe(true);
    await app.shoot('answering-05-completion', 'composer-dialog');
    await to.press('Enter');
    await expect.poll(() => to.inputValue()).toMatch(new RegExp(`${friend.email.replace(/[.+]/g, '\\$&')}>?, $`));
    expect(await page.getByTestId('completion').count()).toBe(0);

    await page.getByTestId('composer').evaluate((form) => {
      const dt = new DataTransfer();
      dt.items.add(new File(['route: lighthouse, pier, cafe\n'], 'route.txt', { type: 'text/plain' }));
      form.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      form.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await expect.poll(() => page.getByTestId('compose-attachment').filter({ hasText: 'route.txt' }).isVisible(), { timeout: 10_000 }).toBe(true);
    await page.getByTestId('compose-discard').click();
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(false);
  });

  it('sends rich text with a pasted image as multipart/related, the image referred to by cid:', async () => {
    const { page } = app;
    await page.locator('body').press('c');
    await expect.poll(() => composer().isVisible(), { timeout: 15_000 }).toBe(true);
    const subject = `Rich with image ${Date.now()}`;
    await page.getByTestId('compose-to').fill(friend.email);
    await page.getByTestId('compose-subject').fill(subject);
    await page.getByTestId('compose-rich-toggle').click();
    const editor = page.getByTestId('compose-rich');
    await editor.click();
    await page.getByTestId('rt-bold').click();
    await page.keyboard.type('The view from the top');
    await page.getByTestId('rt-bold').click();
    await page.keyboard.press('Enter');
    const png = makePng(64, 32, [200, 40, 40]);
    await editor.evaluate((el, b64) => {
      const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const dt = new DataTransfer();
      dt.items.add(new File([bytes], 'summit.png', { type: 'image/png' }));
      el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: dt, bubbles: true, cancelable: true }));
    }, png.toString('base64'));
    await expect.poll(() => editor.locator('img[data-cid]').count(), { timeout: 10_000 }).toBe(1);
    await app.shoot('answering-06-rich-text', 'composer-dialog');
    await sendAndWait();

    await expect.poll(async () => (await findBySubject(servers, friend, 'INBOX', subject)).length, { timeout: 30_000, interval: 500 }).toBe(1);
    const [msg] = await findBySubject(servers, friend, 'INBOX', subject);
    const types = contentTypes(msg?.structure);
    expect(types).toEqual(expect.arrayContaining(['multipart/related', 'multipart/alternative', 'text/plain', 'text/html', 'image/png']));
    const cid = /^Content-ID: <([^>]+)>/im.exec(msg?.source ?? '')?.[1];
    expect(cid).toBeTruthy();
    expect(unfoldQp(msg?.source ?? '')).toContain(`src="cid:${cid ?? ''}"`);
    expect(unfoldQp(msg?.source ?? '')).toMatch(/<(b|strong)>The view from the top<\/(b|strong)>/);
    // The image's own bytes.
    expect(msg?.source.replace(/\r?\n/g, '')).toContain(png.toString('base64').slice(0, 60));
    expect(app.errors).toEqual([]);
  });
});
