// The window of a new version opening an older version's database: while
// the schema is upgraded the status bar says so (the engine answers nothing
// else yet), and then the app comes up with the mail that was there. The
// upgrade is held at its first step by another connection holding the
// database, as another program could, and let go once the window has shown it.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from '../../src-protocol/store/database.ts';
import { MIGRATIONS } from '../../src-protocol/store/migrations.ts';
import { SHOTS } from './support/app.ts';
import { launchBrowser, type Browser } from './support/browser.ts';
import { ensureRendererBuilt } from './support/build-renderer.ts';
import { startServe, type Served } from './support/serve.ts';

const LATEST = MIGRATIONS.at(-1)?.version ?? 0;
const OLD = LATEST - 3;

let profileDir: string;
let browser: Browser;
let served: Served | null = null;
let page: Page;

describe('starting on an older database', () => {
  beforeAll(async () => {
    await ensureRendererBuilt();
    await mkdir(SHOTS, { recursive: true });
    profileDir = await mkdtemp(join(tmpdir(), 'postern-e2e-upgrade-'));
    openDatabase(join(profileDir, 'mail.sqlite'), MIGRATIONS.filter((m) => m.version <= OLD)).close();
    browser = await launchBrowser();
    page = await browser.context.newPage();
  });

  afterAll(async () => {
    await served?.stop();
    await browser?.close();
    await rm(profileDir, { recursive: true, force: true });
  });

  it('shows the upgrade in the status bar while it runs, then comes up', async () => {
    const file = join(profileDir, 'mail.sqlite');
    const other = new DatabaseSync(file);
    other.exec('BEGIN IMMEDIATE');
    let held = true;
    try {
      served = await startServe(profileDir);
      await page.goto(served.url);
      const status = page.getByTestId('status');
      // The engine waits up to 5 s for the lock (busy_timeout): the window must show the step before then.
      await expect.poll(() => status.textContent(), { timeout: 4_000, interval: 50 }).toContain(
        `Updating the mail database for this version of Postern (step 1 of ${LATEST - OLD})`,
      );
      // The account list has not been answered yet, so the window does not claim there are none.
      expect(await page.getByTestId('welcome').count()).toBe(0);
      await page.screenshot({ path: join(SHOTS, 'startup-upgrading.png') });
      other.exec('ROLLBACK');
      held = false;
    } finally {
      if (held) other.exec('ROLLBACK');
      other.close();
    }
    await expect.poll(() => page.getByTestId('status').textContent(), { timeout: 20_000 }).toContain('Ready');
    // The engine is up and answers (no accounts in this profile yet), and the file has the new schema.
    await expect.poll(() => page.getByTestId('welcome').count(), { timeout: 10_000 }).toBe(1);
    const db = new DatabaseSync(file, { readOnly: true });
    expect(schemaVersion(db)).toBe(LATEST);
    db.close();
    expect(served?.stderr()).toContain(`database: upgraded ${LATEST - OLD}/${LATEST - OLD}`);
  });
});
