// Where things live inside a test run's state folder, and how users are
// written down. Shared by the starters (main process) and by mail-tools.ts
// (test workers), which only get the state folder's path.
import { join } from 'node:path';

/** The uid/gid that owns all mail (Debian's `mail` user); Dovecot refuses uid 0. */
export const MAIL_UID = 8;
export const MAIL_GID = 8;

/** The only domain the servers accept mail for. */
export const MAIL_DOMAIN = 'example.test';

export interface StateLayout {
  root: string;
  etc: string;
  log: string;
  tls: string;
  mail: string;
  dovecotConf: string;
  dovecotBase: string;
  dovecotState: string;
  dovecotLog: string;
  /** One passwd-file per user (etc/users/<name>): Dovecot sees a new user at once. */
  usersDir: string;
  postfixConfigDir: string;
  postfixQueue: string;
  postfixData: string;
  postfixLog: string;
  vmailboxFile: string;
  lmtpSocket: string;
  authSocket: string;
  ownerFile: string;
}

export function layout(root: string): StateLayout {
  const etc = join(root, 'etc');
  const log = join(root, 'log');
  const dovecotBase = join(root, 'run', 'dovecot');
  return {
    root,
    etc,
    log,
    tls: join(root, 'tls'),
    mail: join(root, 'mail'),
    dovecotConf: join(etc, 'dovecot.conf'),
    dovecotBase,
    dovecotState: join(root, 'lib', 'dovecot'),
    dovecotLog: join(log, 'dovecot.log'),
    usersDir: join(etc, 'users'),
    postfixConfigDir: join(root, 'postfix'),
    postfixQueue: join(root, 'spool', 'postfix'),
    postfixData: join(root, 'lib', 'postfix'),
    postfixLog: join(log, 'postfix.log'),
    vmailboxFile: join(etc, 'vmailbox'),
    lmtpSocket: join(dovecotBase, 'lmtp'),
    authSocket: join(dovecotBase, 'auth-postfix'),
    // The pid of the process that started these servers; reap.ts uses it to
    // clean up after a run that was killed.
    ownerFile: join(root, 'owner.pid'),
  };
}

/** Every test user's password is its name + "pw" (alice -> alicepw). */
export function passwordFor(user: string): string {
  return `${user}pw`;
}

/** Local parts we allow: simple enough for Dovecot's %Ln, Postfix maps and file names. */
export function checkUserName(user: string): void {
  if (!/^[a-z][a-z0-9_-]{0,62}$/.test(user)) {
    throw new Error(`test user name ${JSON.stringify(user)} must match [a-z][a-z0-9_-]*`);
  }
}

/** A Dovecot passwd-file line; {PLAIN} so CRAM-MD5 works too. */
export function passwdLine(user: string): string {
  return `${user}:{PLAIN}${passwordFor(user)}::::::\n`;
}

/** A Postfix virtual_mailbox_maps line: the address exists. */
export function vmailboxLine(user: string): string {
  return `${user}@${MAIL_DOMAIN} OK\n`;
}
