// Postfix 3.7 as a second, private instance (`postfix -c STATE/postfix`):
// submission (STARTTLS, AUTH required), submissions (implicit TLS) and an
// "MX" port without auth that accepts only @example.test. Mail for
// example.test goes to Dovecot over LMTP; nothing resolves or connects off-box.
import { chmod, chown, mkdir, utimes, writeFile } from 'node:fs/promises';
import type { StateLayout } from './layout.ts';
import { MAIL_DOMAIN } from './layout.ts';
import type { TestTls } from './ca.ts';
import { readPidFile, run, runDetached, stopTree, systemGroup, systemUser, waitFor, waitForPorts } from './proc.ts';

export interface PostfixPorts {
  submission: number;
  submissions: number;
  mx: number;
}

function mainCf(l: StateLayout, tls: TestTls): string {
  return `# Written by test/servers/postfix.ts for one test run.
compatibility_level = 3.6
queue_directory = ${l.postfixQueue}
data_directory = ${l.postfixData}
mail_owner = postfix
setgid_group = postdrop
maillog_file = ${l.postfixLog}
maillog_file_prefixes = ${l.log}

myhostname = mail.${MAIL_DOMAIN}
mydomain = ${MAIL_DOMAIN}
myorigin = $mydomain
mydestination =
mynetworks = 127.0.0.1/32
local_transport = error:local delivery is disabled in the test servers
alias_maps =
alias_database =
biff = no
append_dot_mydomain = no

# Nothing may leave loopback: no DNS, no outside delivery.
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
smtpd_peername_lookup = no
disable_dns_lookups = yes
smtp_dns_support_level = disabled
lmtp_dns_support_level = disabled
# Authenticated mail to other domains is accepted, as a real provider would,
# and then bounced to the sender by the "outside" pipe (exit 67 = no such
# user). The plain "error" transport would make smtpd refuse it at RCPT.
default_transport = outside:the test servers deliver only to @${MAIL_DOMAIN}
relay_transport = outside:the test servers deliver only to @${MAIL_DOMAIN}
relay_domains =

# No local users: also keeps smtpd from asking proxymap for passwd.byname.
local_recipient_maps =
virtual_mailbox_domains = ${MAIL_DOMAIN}
# Read whole when an smtpd process starts. Every smtpd serves one connection
# (max_use=1 in master.cf), so users added during the run are seen by the
# next connection without a reload (a reload makes concurrent sessions stall
# ~1 s while its daemons restart).
virtual_mailbox_maps = texthash:${l.vmailboxFile}
virtual_alias_maps =
virtual_transport = lmtp:unix:${l.lmtpSocket}
recipient_delimiter = +
message_size_limit = 52428800

# Without auth (the MX port) only mail to our own domain is accepted.
smtpd_relay_restrictions = reject_unauth_destination
smtpd_tls_chain_files = ${tls.keyFile}, ${tls.certFile}
smtpd_tls_security_level = may
smtpd_sasl_type = dovecot
smtpd_sasl_path = ${l.authSocket}
smtpd_sasl_auth_enable = no
`;
}

function masterCf(ports: PostfixPorts, outsideScript: string): string {
  const submission = [
    '-o smtpd_tls_security_level=encrypt',
    '-o smtpd_sasl_auth_enable=yes',
    '-o smtpd_tls_auth_only=yes',
    '-o smtpd_client_restrictions=permit_sasl_authenticated,reject',
    '-o smtpd_relay_restrictions=permit_sasl_authenticated,reject',
  ];
  const cont = '\n  ';
  // `n` in the chroot column everywhere: Debian's chroot needs files copied
  // into the spool by its init script.
  const fresh = '-o max_use=1';
  return `# service type  private unpriv  chroot  wakeup  maxproc command + args
127.0.0.1:${ports.mx} inet n - n - - smtpd${cont}-o syslog_name=postfix/mx${cont}${fresh}
127.0.0.1:${ports.submission} inet n - n - - smtpd${cont}-o syslog_name=postfix/submission${cont}${fresh}${cont}${submission.join(cont)}
127.0.0.1:${ports.submissions} inet n - n - - smtpd${cont}-o syslog_name=postfix/submissions${cont}${fresh}${cont}-o smtpd_tls_wrappermode=yes${cont}${submission.join(cont)}
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
smtp      unix  -       -       n       -       -       smtp
relay     unix  -       -       n       -       -       smtp
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
outside   unix  -       n       n       -       -       pipe
  flags=q user=nobody argv=${outsideScript}
discard   unix  -       -       n       -       -       discard
lmtp      unix  -       -       n       -       -       lmtp
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
`;
}

/** Stands in for the rest of the internet: every message to it bounces. */
const OUTSIDE_SCRIPT = `#!/bin/sh
echo "the test servers deliver only to @${MAIL_DOMAIN}"
exit 67
`;

/**
 * Postfix sleeps in 0.3 s steps while a config file or map was modified within
 * the last second or so; backdating what we just wrote saves ~2 s per start.
 */
export async function backdate(...files: string[]): Promise<void> {
  const then = new Date(Date.now() - 60_000);
  await Promise.all(files.map((f) => utimes(f, then, then)));
}

export interface RunningPostfix {
  pid: number;
}

export async function startPostfix(l: StateLayout, tls: TestTls, ports: PostfixPorts): Promise<RunningPostfix> {
  await mkdir(l.postfixConfigDir, { recursive: true });
  await mkdir(l.postfixData, { recursive: true });
  const { uid, gid } = systemUser('postfix');
  await chown(l.postfixData, uid, gid);
  await makeQueue(l.postfixQueue, uid);
  const main = `${l.postfixConfigDir}/main.cf`;
  const master = `${l.postfixConfigDir}/master.cf`;
  await writeFile(main, mainCf(l, tls));
  const outside = `${l.etc}/outside.sh`;
  await writeFile(outside, OUTSIDE_SCRIPT, { mode: 0o755 });
  await writeFile(master, masterCf(ports, outside));
  await writeFile(l.vmailboxFile, '', { flag: 'a' });
  await backdate(main, master, l.vmailboxFile);

  try {
    await runDetached('postfix', ['-c', l.postfixConfigDir, 'start'], `${l.log}/postfix-start.log`);
  } catch (err) {
    // Postfix prints fatal errors only to a tty or syslog: `script` gives it a tty.
    const check = await run('script', ['-qc', `postfix -c ${l.postfixConfigDir} check`, '/dev/null']).catch(
      (e: unknown) => ({ stdout: String(e), stderr: '' }),
    );
    throw new Error(`${(err as Error).message}\npostfix check says:\n${check.stdout}${check.stderr}`, { cause: err });
  }
  const pid = await waitFor(() => readPidFile(`${l.postfixQueue}/pid/master.pid`), 10_000, 'Postfix master.pid');
  await waitForPorts([ports.submission, ports.submissions, ports.mx], 10_000, 'Postfix');
  return { pid };
}

/**
 * The queue directories as postfix-files describes them. With them in place
 * and a "quick-start" file, `postfix start` skips its integrity checks
 * (post-install, postsuper, a find over every file), which take ~1 s here
 * and have nothing to find in a folder made a moment ago.
 */
async function makeQueue(queue: string, postfixUid: number): Promise<void> {
  const postdrop = systemGroup('postdrop');
  await mkdir(queue, { recursive: true });
  const dirs: [name: string, gid: number, mode: number][] = [
    ...['active', 'bounce', 'corrupt', 'defer', 'deferred', 'flush', 'hold', 'incoming', 'private', 'saved', 'trace'].map(
      (name): [string, number, number] => [name, -1, 0o700],
    ),
    ['maildrop', postdrop, 0o730],
    ['public', postdrop, 0o710],
  ];
  for (const [name, group, mode] of dirs) {
    const dir = `${queue}/${name}`;
    await mkdir(dir);
    await chown(dir, postfixUid, group);
    await chmod(dir, mode);
  }
  await mkdir(`${queue}/pid`, { mode: 0o755 });
  await writeFile(`${queue}/quick-start`, '');
}

/** SIGTERM to the master (what `postfix stop` does); waits until all its processes are gone. */
export async function stopPostfix(p: RunningPostfix): Promise<void> {
  await stopTree(p.pid, 5000);
}
