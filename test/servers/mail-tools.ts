// Helpers for tests that use the real servers (inject('servers')): users of
// their own, mail in, mail already there, and an IMAP client that checks the
// server certificate against the test CA.
//
// Isolation: test files run two at a time against the same servers. A test
// file that reads or changes mail should make its own user with createUser()
// instead of sharing alice/bob/carol, so it never sees another file's mail.
import { randomBytes } from 'node:crypto';
import { ImapFlow } from 'imapflow';
import type { ImapFlowOptions } from 'imapflow';
import { doveadm, dovecotKnows, listFolders } from './doveadm.ts';
import type { TestServers, TestUser } from './harness.ts';
import { layout } from './layout.ts';
import { backdate } from './postfix.ts';
import { waitFor } from './proc.ts';
import { mxAccepts } from './smtp.ts';
import { appendUsers, testUser } from './users.ts';

export { deliver, submit, mxAccepts, waitForQueueFile } from './smtp.ts';
export type { DeliveryReport, RecipientResult } from './smtp.ts';
export { seedMaildir } from './maildir.ts';
export type { SeedMessage, SystemFlag } from './maildir.ts';
export { doveadm, listFolders, messageCount } from './doveadm.ts';

/** The folders every user has (auto-created and subscribed on first use). */
export const SPECIAL_FOLDERS = ['Drafts', 'Sent', 'Trash', 'Junk', 'Archive'] as const;

/** A user by name (any user, including ones made by createUser) or as given. */
export function userOf(user: TestUser | string): TestUser {
  return typeof user === 'string' ? testUser(user) : user;
}

/**
 * Adds a new user with an empty mailbox while the servers run, e.g.
 * createUser(servers, 'dave') -> dave-3fa91c@example.test, password
 * `dave-3fa91cpw`. The random suffix keeps parallel test files apart.
 * Resolves once both servers know it: Postfix accepts mail for it at RCPT
 * and Dovecot's passdb finds it.
 */
export async function createUser(servers: TestServers, prefix = 'user'): Promise<TestUser> {
  const l = layout(servers.stateDir);
  const [user] = await appendUsers(l, [`${prefix}-${randomBytes(3).toString('hex')}`]);
  if (user === undefined) throw new Error('no user made');
  // A map modified within the last second makes Postfix reread it after
  // 0.3 s pauses until it has "cooled down"; backdating skips that.
  await backdate(l.vmailboxFile);
  // Each smtpd process reads the map when it starts and serves one
  // connection, so no reload is needed; the probes prove both servers know
  // the user before the test goes on.
  await Promise.all([
    waitFor(async () => ((await mxAccepts(servers, user.email)) ? true : undefined), 15_000, `Postfix to accept ${user.email}`),
    waitFor(async () => ((await dovecotKnows(servers, user.user)) ? true : undefined), 15_000, `Dovecot to know ${user.user}`),
  ]);
  return user;
}

/**
 * ImapFlow options for `user`: implicit TLS on the IMAPS port (default) or
 * STARTTLS on the IMAP port, trusting only the test CA, checking the name
 * `localhost`. Logging off; pass overrides for anything else.
 */
export function imapOptions(
  servers: TestServers,
  user: TestUser | string,
  mode: 'imaps' | 'starttls' = 'imaps',
  overrides: Partial<ImapFlowOptions> = {},
): ImapFlowOptions {
  const u = userOf(user);
  return {
    host: servers.host,
    port: mode === 'imaps' ? servers.ports.imaps : servers.ports.imap,
    secure: mode === 'imaps',
    doSTARTTLS: mode === 'starttls' ? true : undefined,
    servername: 'localhost',
    auth: { user: u.user, pass: u.password },
    tls: { ca: servers.caPem, servername: 'localhost' },
    logger: false,
    disableAutoIdle: true,
    ...overrides,
  };
}

/** A connected, logged-in ImapFlow over IMAPS. The caller logs out. */
export async function openImap(servers: TestServers, user: TestUser | string): Promise<ImapFlow> {
  const client = new ImapFlow(imapOptions(servers, user));
  await client.connect();
  return client;
}

/**
 * The raw message with this Message-ID once it is in the user's folder
 * (delivery through Postfix takes a moment): polls, and fails after
 * `timeoutMs` saying what did not arrive.
 */
export async function waitForMessage(servers: TestServers, user: TestUser, folder: string, messageId: string, timeoutMs = 15_000): Promise<Buffer> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const imap = await openImap(servers, user);
    try {
      await imap.mailboxOpen(folder, { readOnly: true });
      const uids = await imap.search({ header: { 'message-id': messageId } }, { uid: true });
      const uid = Array.isArray(uids) ? uids[0] : undefined;
      const msg = uid === undefined ? false : await imap.fetchOne(String(uid), { source: true }, { uid: true });
      if (msg && msg.source) return msg.source;
    } finally {
      await imap.logout();
    }
    if (Date.now() > deadline) throw new Error(`${messageId} did not arrive in ${user.user}'s ${folder}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/**
 * Empties a user's mailbox: expunges every message in every folder and
 * deletes folders other than INBOX and the special-use ones. For tests that
 * must share a user; a fresh createUser() is usually simpler.
 */
export async function resetMailbox(servers: TestServers, user: TestUser | string): Promise<void> {
  const name = userOf(user).user;
  const keep = new Set<string>(['INBOX', ...SPECIAL_FOLDERS]);
  // Children before parents ("A.B" before "A").
  const extra = (await listFolders(servers, name)).filter((f) => !keep.has(f)).sort((a, b) => b.length - a.length);
  for (const folder of extra) await doveadm(servers, ['mailbox', 'delete', '-s', '-u', name, folder]);
  await doveadm(servers, ['expunge', '-u', name, 'mailbox', '*', 'all']);
}
