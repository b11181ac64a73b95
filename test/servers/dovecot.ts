// Dovecot 2.3 as a private instance: IMAP (STARTTLS) + IMAPS, POP3 (STLS) +
// POP3S, an LMTP socket and an auth socket for Postfix, all inside the state
// folder. Root mode: the master runs as root, all mail belongs to uid 8.
import { chown, mkdir, stat, unlink, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { StateLayout } from './layout.ts';
import { MAIL_GID, MAIL_UID, MAIL_DOMAIN } from './layout.ts';
import type { TestTls } from './ca.ts';
import { readPidFile, runDetached, stopTree, waitFor, waitForPorts } from './proc.ts';

export interface DovecotPorts {
  imap: number;
  imaps: number;
  pop3: number;
  pop3s: number;
}

const SPECIAL_USE = ['Drafts', 'Sent', 'Trash', 'Junk', 'Archive'] as const;

function config(l: StateLayout, tls: TestTls, ports: DovecotPorts): string {
  // Blocks must span several lines: `x { a = b }` on one line is a syntax error.
  const mailboxes = SPECIAL_USE.map(
    (name) => `  mailbox ${name} {\n    special_use = \\${name}\n    auto = subscribe\n  }`,
  ).join('\n');
  return `# Written by test/servers/dovecot.ts for one test run. No !include of conf.d.
instance_name = postern-${randomBytes(4).toString('hex')}
base_dir = ${l.dovecotBase}
state_dir = ${l.dovecotState}
log_path = ${l.dovecotLog}
info_log_path = ${l.dovecotLog}
protocols = imap pop3 lmtp
listen = 127.0.0.1
# Set explicitly so nothing looks up the host name (no DNS here).
hostname = mail.${MAIL_DOMAIN}
postmaster_address = postmaster@${MAIL_DOMAIN}

default_internal_user = dovecot
default_login_user = dovenull
first_valid_uid = 1
first_valid_gid = 1

ssl = yes
ssl_cert = <${tls.certFile}
ssl_key = <${tls.keyFile}
ssl_min_protocol = TLSv1.2

# Loopback counts as secured, so plaintext LOGIN from 127.0.0.1 still works
# (TESTING-SERVERS.md); from 127.0.0.2 it is refused.
disable_plaintext_auth = yes
auth_mechanisms = plain login cram-md5 xoauth2 oauthbearer
auth_username_format = %Ln
# Default 2 s. Tests of wrong passwords would otherwise also slow the next
# logins of the same user by seconds.
auth_failure_delay = 0
# OAuth 2.0 bearer tokens (XOAUTH2, OAUTHBEARER), checked against the test
# provider's introspection endpoint (oauth-provider.ts). First, and only for
# those two mechanisms, so every password login goes straight to the
# passwd-file below exactly as before.
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${oauth2ConfFile(l)}
}
passdb {
  driver = passwd-file
  # One file per user: a passwd-file is reread at most once a second, but a
  # new path is read at once, so users made during the run can log in at once.
  args = scheme=PLAIN username_format=%Ln ${l.usersDir}/%Ln
}
userdb {
  driver = static
  args = uid=${MAIL_UID} gid=${MAIL_GID} home=${l.mail}/%Ln
}

mail_location = maildir:~/Maildir
# Tests run many clients for one user at once.
mail_max_userip_connections = 100
# inotify does not reach Dovecot under gVisor, so IDLE falls back to polling
# the mailbox; poll every second (default 30 s) so push tests see changes
# made by other sessions promptly.
mailbox_idle_check_interval = 1 secs
# Throw-away mail: fsync costs a lot under gVisor and buys nothing here.
mail_fsync = never
recipient_delimiter = +
lmtp_save_to_detail_mailbox = no

namespace inbox {
  inbox = yes
  separator = .
${mailboxes}
}

service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${ports.imap}
  }
  inet_listener imaps {
    address = 127.0.0.1
    port = ${ports.imaps}
    ssl = yes
  }
}
service pop3-login {
  inet_listener pop3 {
    address = 127.0.0.1
    port = ${ports.pop3}
  }
  inet_listener pop3s {
    address = 127.0.0.1
    port = ${ports.pop3s}
    ssl = yes
  }
}
service lmtp {
  unix_listener lmtp {
    mode = 0666
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
`;
}

function oauth2ConfFile(l: StateLayout): string {
  return `${l.etc}/dovecot-oauth2.conf.ext`;
}

/**
 * The oauth2 passdb's settings: RFC 7662 introspection by POST; the token is
 * good when the answer says "active": true, for the user it names (the local
 * part, as auth_username_format = %Ln makes of the login name).
 */
function oauth2Config(introspectUrl: string): string {
  return `introspection_url = ${introspectUrl}
introspection_mode = post
force_introspection = yes
username_attribute = username
username_format = %Ln
active_attribute = active
active_value = true
timeout_msecs = 5000
`;
}

export interface RunningDovecot {
  pid: number;
}

/** Writes the config, starts Dovecot and waits until it listens. Users are in l.usersDir (users.ts). */
export async function startDovecot(l: StateLayout, tls: TestTls, ports: DovecotPorts, oauthIntrospectUrl: string): Promise<RunningDovecot> {
  await mkdir(l.dovecotBase, { recursive: true });
  await mkdir(l.dovecotState, { recursive: true });
  await mkdir(l.mail, { recursive: true });
  await chown(l.mail, MAIL_UID, MAIL_GID);
  await writeFile(oauth2ConfFile(l), oauth2Config(oauthIntrospectUrl));
  await writeFile(l.dovecotConf, config(l, tls, ports));

  await runDetached('dovecot', ['-c', l.dovecotConf], `${l.log}/dovecot-start.log`);
  const pid = await waitFor(() => readPidFile(`${l.dovecotBase}/master.pid`), 10_000, 'Dovecot master.pid');
  await disableAuthPenalty(l);
  await waitForPorts([ports.imap, ports.imaps, ports.pop3, ports.pop3s], 10_000, 'Dovecot');
  return { pid };
}

/**
 * SIGTERM to the master, SIGKILL to whatever is left 300 ms later; waits until
 * the master and all its children are gone. A clean shutdown takes ~1.1 s
 * (the master waits for its children), and the state is thrown away anyway.
 */
export async function stopDovecot(d: RunningDovecot): Promise<void> {
  await stopTree(d.pid, 300);
}

/**
 * Dovecot 2.3 delays every login from an IP for 2-15 s after a failed one
 * from it (the "auth penalty", kept by anvil), and has no setting to turn it
 * off. All our clients come from 127.0.0.1, so one wrong-password test would
 * slow every other test's logins. The auth process turns the penalty off when
 * the anvil-auth-penalty socket does not exist (ENOENT, silently), so we
 * remove it before anything has started an auth process.
 */
async function disableAuthPenalty(l: StateLayout): Promise<void> {
  const socket = `${l.dovecotBase}/anvil-auth-penalty`;
  await waitFor(async () => ((await stat(socket).catch(() => undefined)) === undefined ? undefined : true), 10_000, socket);
  await unlink(socket);
}
