// The space of mail deleted on the server, end to end: the CLI downloads a
// folder for offline reading (its messages packed together), another client
// deletes two of them on the server, the next sync drops their rows, and
// the reclaimer, run from a second process on the same profile as the app
// would run it, gives their bytes back over its runs. The messages kept
// still open, offline.
import { readdirSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { createUser, openImap, seedMaildir } from '../../servers/mail-tools.ts';
import type { TestUser } from '../../servers/harness.ts';
import { tempProfile } from '../../helpers/temp-profile.ts';
import { cliJson } from '../../helpers/run-cli.ts';
import { plainMessage } from '../../fixtures/messages.ts';
import type { MessageSummary } from '../../../src-protocol/contract/index.ts';
import { openDatabase } from '../../../src-protocol/store/database.ts';
import { MailStore } from '../../../src-protocol/store/mail-store.ts';
import { BlobStore } from '../../../src-protocol/store/blob-store.ts';
import { reclaimBlobs } from '../../../src-protocol/store/blob-reclaim.ts';

const servers = inject('servers');
const HOUR = 60 * 60 * 1000;
let user: TestUser;
let profile: string;
const cli = <T>(args: string[]) => cliJson<T>([...args, '--profile', profile], { env: { RECLAIM_PW: user.password } });

/** Bytes of the packs and message files on disk. */
function storedBytes(): number {
  const root = join(profile, 'messages');
  return readdirSync(root, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).reduce((n, e) => n + statSync(join(e.parentPath, e.name)).size, 0);
}

/** As if every stored file had been written `ms` ago. */
function age(ms: number): void {
  const then = new Date(Date.now() - ms);
  for (const e of readdirSync(join(profile, 'messages'), { recursive: true, withFileTypes: true })) if (e.isFile()) utimesSync(join(e.parentPath, e.name), then, then);
}

beforeAll(async () => {
  user = await createUser(servers, 'reclaim');
  const made = await tempProfile('postern-reclaim-', servers.caPem);
  profile = made.profile;
  const caFile = made.caFile;
  await seedMaildir(servers, user.user, 'INBOX', [1, 2, 3, 4].map((i) => ({
    raw: plainMessage({ from: 'a@example.net', to: user.email, subject: `Letter ${i}`, body: `${'Words of letter '.repeat(200)}${i}`, date: `Mon, 0${i} Jun 2025 09:00:00 +0000`, id: `letter-${i}@example.net` }),
  })));
  await cli(['account', 'add', '--name', 'Reclaim', '--email', user.email, '--user', user.user,
    '--imap', `localhost:${servers.ports.imaps}`, '--imap-security', 'tls', '--smtp', `localhost:${servers.ports.submissions}`, '--smtp-security', 'tls',
    '--password-env', 'RECLAIM_PW', '--ca', caFile]);
});

describe('deleted mail gives its disk space back', () => {
  it('after the server deletes two of four downloaded messages, their bytes go over the reclaimer\'s runs; the others still open', async () => {
    expect(await cli<{ bodies_downloaded: number }>(['sync', '--bodies'])).toMatchObject({ bodies_downloaded: 4 });
    const downloaded = storedBytes();
    const other = await openImap(servers, user);
    try {
      await other.mailboxOpen('INBOX');
      const uids = ((await other.search({ all: true }, { uid: true })) as number[]).sort((a, b) => a - b);
      await other.messageDelete(`${uids[0]},${uids[1]}`, { uid: true });
    } finally {
      await other.logout();
    }
    await cli(['sync']);
    const kept = await cli<MessageSummary[]>(['list', '--limit', '10']);
    expect(kept.map((m) => m.subject)).toEqual(['Letter 4', 'Letter 3']);

    // A second process on the same profile, as the app's engine is to the CLI.
    const store = new MailStore(openDatabase(join(profile, 'mail.sqlite')));
    const blobs = new BlobStore(join(profile, 'messages'), store);
    try {
      age(2 * HOUR);
      const run = (later: number) => reclaimBlobs({ store, blobs, now: () => Date.now() + later });
      expect((await run(0)).marked).toBe(2);
      // Half the pack is kept: it is rewritten with the two kept messages, the old one goes at the next run.
      expect(await run(2 * HOUR)).toMatchObject({ repacked: 1, deleted: 0 });
      age(2 * HOUR);
      const last = await run(4 * HOUR);
      expect(last.deleted).toBe(1);
      expect(storedBytes()).toBeLessThan(downloaded * 0.6);
    } finally {
      store.db.close();
    }
    // Offline copies of the kept ones open: the server is not asked (the account's password is wrong now).
    for (const m of kept) {
      const shown = await cliJson<{ subject: string; text: string | null }>(['show', String(m.id), '--profile', profile], { env: { RECLAIM_PW: 'wrong' } });
      expect(shown.subject).toBe(m.subject);
      expect(shown.text).toContain('Words of letter');
    }
  });
});
