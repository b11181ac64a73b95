// An OAuth account added through the app's form (web bridge, Chromium):
// "Sign in with: Other (OAuth)" with the test provider's addresses; the
// provider's page opens in a new window; cancelling leaves the account added
// but signed out, with "Sign in" beside it; signing in from there (the
// provider approves, redirects to the engine's loopback port) loads its
// folders and INBOX over IMAP with XOAUTH2, no password anywhere.
import type { Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, seedMaildir } from '../servers/mail-tools.ts';
import type { TestUser } from '../servers/harness.ts';
import { plainMessage } from '../fixtures/messages.ts';
import { startApp, type App } from './support/app.ts';

const servers = inject('servers');
const provider = servers.oauth;
let someone: TestUser;
let oauthUser: TestUser;
let app: App;

describe('an OAuth account through the form (web bridge, Chromium)', () => {
  beforeAll(async () => {
    [someone, oauthUser] = await Promise.all([createUser(servers, 'pwuser'), createUser(servers, 'oauthui')]);
    await seedMaildir(servers, oauthUser.user, 'INBOX', [
      { raw: plainMessage({ from: 'a@example.net', to: oauthUser.email, subject: 'Read with a token', body: 'hello', date: 'Mon, 06 Jan 2025 09:00:00 +0000', id: 'ui-tok@example.net' }) },
    ]);
    app = await startApp(servers, {
      user: someone, name: 'Password', smtpPort: servers.ports.submissions, passwordEnv: 'POSTERN_E2E_OAUTH_PASSWORD',
      env: { POSTERN_CREDENTIAL_KEY: 'e2e passphrase' },
    });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('adds the account, signed out after Cancel, and signs in from the folder pane', async () => {
    const { page } = app;
    await page.goto(app.served.url);
    await expect.poll(() => page.getByTestId('add-account').isVisible(), { timeout: 60_000 }).toBe(true);
    await page.getByTestId('add-account').click();
    const form = page.getByTestId('account-form');
    await expect.poll(() => form.isVisible()).toBe(true);
    await page.getByTestId('account-name').fill('Token');
    await page.getByTestId('account-email').fill(oauthUser.email);
    await page.getByTestId('account-user').fill(oauthUser.email);
    await page.getByTestId('account-sign-in-custom').check();
    expect(await page.getByTestId('account-password').count()).toBe(0);
    await page.getByTestId('account-oauth-client-id').fill(provider.clientId);
    await page.getByTestId('account-oauth-auth-url').fill(provider.authorizeUrl);
    await page.getByTestId('account-oauth-token-url').fill(provider.tokenUrl);
    await page.getByTestId('account-oauth-scopes').fill(provider.scope);
    await page.getByTestId('account-imap-host').fill(servers.host);
    await page.getByTestId('account-imap-port').fill(String(servers.ports.imaps));
    await page.getByTestId('account-smtp-host').fill(servers.host);
    await page.getByTestId('account-smtp-security').selectOption('tls');
    await page.getByTestId('account-smtp-port').fill(String(servers.ports.submissions));
    await form.locator('details.advanced > summary').click();
    await page.getByTestId('account-ca').fill(servers.caPem);
    await app.shoot('oauth-01-form', 'account-dialog');

    // First time, the provider's page never answers: the person gives up.
    const context = page.context();
    let asked = '';
    const hold = (route: Route) => {
      asked = route.request().url();
      void route.abort();
    };
    await context.route(`${provider.authorizeUrl}**`, hold);
    const popup = context.waitForEvent('page');
    await page.getByTestId('account-submit').click();
    const opened = await popup;
    await expect.poll(() => asked, { timeout: 15_000 }).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/authorize\?.*code_challenge_method=S256/);
    expect(new URL(asked).searchParams.get('login_hint')).toBe(oauthUser.email);
    await expect.poll(() => page.getByTestId('sign-in-wait').isVisible(), { timeout: 15_000 }).toBe(true);
    await app.shoot('oauth-02-waiting', 'account-dialog');
    await page.getByTestId('sign-in-cancel').click();
    await expect.poll(() => page.getByTestId('account-dialog').count(), { timeout: 15_000 }).toBe(0);
    await opened.close();
    await context.unroute(`${provider.authorizeUrl}**`, hold);

    const section = page.locator('[data-testid="account-section"][data-account-id="token"]');
    await expect.poll(() => section.getByTestId('account-signed-out').isVisible(), { timeout: 15_000 }).toBe(true);
    await app.shoot('oauth-03-signed-out', 'account-section');

    // Now the provider approves at once and redirects to the engine.
    const second = context.waitForEvent('page');
    await section.getByTestId('account-sign-in').click();
    const page2 = await second;
    await expect.poll(() => page2.textContent('body').catch(() => ''), { timeout: 30_000 }).toMatch(/Signed in/);
    await expect.poll(() => page.getByTestId('status-notice').textContent(), { timeout: 30_000 }).toContain(`Signed in ${oauthUser.email}`);
    await expect.poll(() => section.getByTestId('account-signed-out').count(), { timeout: 15_000 }).toBe(0);
    await page2.close();

    // Its INBOX comes over IMAP with the token.
    await section.locator('[data-testid="folder-item"][data-special-use="inbox"], [data-testid="folder-item"]').first().click();
    await expect.poll(() => page.getByTestId('message-row').filter({ hasText: 'Read with a token' }).count(), { timeout: 60_000 }).toBe(1);
    await app.shoot('oauth-04-inbox');
  });

  it('ran without errors in the page', () => {
    expect(app.errors.filter((e) => !e.includes('net::ERR_FAILED'))).toEqual([]);
  });
});
