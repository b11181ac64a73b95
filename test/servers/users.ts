// Test users: a passwd-file of their own for Dovecot (logins, LMTP
// recipients) and a line in Postfix's virtual mailbox map (which addresses
// the MX accepts).
import { appendFile, chmod, chown, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import type { StateLayout } from './layout.ts';
import { MAIL_DOMAIN, checkUserName, passwdLine, passwordFor, vmailboxLine } from './layout.ts';
import { systemGroup } from './proc.ts';

export interface TestUser {
  /** Login name (`alice`); `alice@example.test` logs in too. */
  user: string;
  email: string;
  password: string;
}

export function testUser(user: string): TestUser {
  checkUserName(user);
  return { user, email: `${user}@${MAIL_DOMAIN}`, password: passwordFor(user) };
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/**
 * Adds users. Each gets its own passwd-file, written whole and renamed into
 * place (readable by the dovecot group only). The Postfix map line is a
 * single small O_APPEND write, so test workers adding users at the same time
 * do not clobber each other. Postfix then needs a reload (mail-tools.ts
 * createUser does that).
 */
export async function appendUsers(l: StateLayout, users: readonly string[]): Promise<TestUser[]> {
  const made = users.map(testUser);
  const group = systemGroup('dovecot');
  await mkdir(l.usersDir, { recursive: true, mode: 0o750 });
  await chown(l.usersDir, 0, group);
  for (const u of made) {
    const file = `${l.usersDir}/${u.user}`;
    if (await exists(file)) throw new Error(`test user ${u.user} exists already`);
    const tmp = `${file}.tmp${process.pid}`;
    await writeFile(tmp, passwdLine(u.user), { mode: 0o640 });
    await chmod(tmp, 0o640);
    await chown(tmp, 0, group);
    await rename(tmp, file);
  }
  await appendFile(l.vmailboxFile, made.map((u) => vmailboxLine(u.user)).join(''));
  return made;
}
