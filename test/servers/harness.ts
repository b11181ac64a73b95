// Starts and stops the real mail servers for a test run: a per-run CA,
// Dovecot (IMAP/POP3/LMTP) and Postfix (submission/submissions/MX), all on
// 127.0.0.1 with ports the OS picked, in a throw-away folder under os.tmpdir().
import { chmod, mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeTestCa } from './ca.ts';
import { startDovecot, stopDovecot } from './dovecot.ts';
import { layout } from './layout.ts';
import { startOAuthProvider, type OAuthProviderInfo, type RunningOAuthProvider } from './oauth-provider.ts';
import { startPostfix, stopPostfix } from './postfix.ts';
import { freePorts, isAlive, readPidFile } from './proc.ts';
import { STATE_PREFIX, reapStaleRuns } from './reap.ts';
import type { TestUser } from './users.ts';
import { appendUsers } from './users.ts';

export type { TestUser } from './users.ts';
export type { OAuthProviderInfo } from './oauth-provider.ts';

/** What tests get from `inject('servers')`. Plain data: it crosses into test workers as JSON. */
export interface TestServers {
  stateDir: string;
  host: '127.0.0.1';
  /** The test CA's certificate; clients trust it (and only it). Name to verify: `localhost` or `127.0.0.1`. */
  caFile: string;
  caPem: string;
  ports: {
    /** IMAP with STARTTLS */
    imap: number;
    /** IMAP over implicit TLS */
    imaps: number;
    /** POP3 with STLS */
    pop3: number;
    /** POP3 over implicit TLS */
    pop3s: number;
    /** SMTP submission: STARTTLS, then AUTH (required) */
    submission: number;
    /** SMTP submission over implicit TLS, AUTH required */
    submissions: number;
    /** Inbound SMTP without auth, only for @example.test: injects "incoming" mail */
    mx: number;
  };
  /** alice, bob, carol (password `<name>pw`). Test files that change mail should make their own with createUser(). */
  users: TestUser[];
  /** Config files and logs, for mail-tools.ts and for reading when something fails. */
  paths: {
    dovecotConf: string;
    postfixConfigDir: string;
    dovecotLog: string;
    postfixLog: string;
  };
  /**
   * The test OAuth 2.0 provider (oauth-provider.ts) whose introspection
   * endpoint Dovecot asks for XOAUTH2/OAUTHBEARER logins (and so Postfix's
   * submission too). Password logins do not touch it.
   */
  oauth: OAuthProviderInfo;
  /** Master process ids, so stopServers can stop exactly these. */
  pids: { dovecot: number; postfix: number };
}

export const DEFAULT_USERS = ['alice', 'bob', 'carol'] as const;

/** Signals the masters if the process exits without stopServers (e.g. on an uncaught error). */
const exitHooks = new Map<string, () => void>();
/** The OAuth providers (in this process), by state folder, for stopServers. */
const oauthProviders = new Map<string, RunningOAuthProvider>();

/**
 * Starts everything in a new state folder. The ports are free when the OS
 * hands them out but could be taken before the daemons bind them, so a failed
 * start is tried once more with new ports. A failed attempt's folder is kept
 * for its logs; the next run's reapStaleRuns() removes it.
 */
export async function startServers(): Promise<TestServers> {
  await reapStaleRuns();
  try {
    return await startOnce();
  } catch (first) {
    try {
      return await startOnce();
    } catch (second) {
      throw new AggregateError([first, second], (second as Error).message, { cause: second });
    }
  }
}

async function startOnce(): Promise<TestServers> {
  const root = await mkdtemp(join(tmpdir(), STATE_PREFIX));
  // The daemons' users (dovecot, dovenull, mail, postfix) must reach inside.
  await chmod(root, 0o755);
  const l = layout(root);
  await writeFile(l.ownerFile, `${process.pid}\n`);
  await mkdir(l.etc, { recursive: true });
  await mkdir(l.log, { recursive: true });

  let oauth: RunningOAuthProvider | undefined;
  try {
    oauth = await startOAuthProvider();
    const [imap, imaps, pop3, pop3s, submission, submissions, mx] = (await freePorts(7)) as [
      number, number, number, number, number, number, number,
    ];
    const tls = await makeTestCa(l.tls);
    const users = await appendUsers(l, DEFAULT_USERS);
    const [dovecot, postfix] = await Promise.all([
      startDovecot(l, tls, { imap, imaps, pop3, pop3s }, oauth.info.introspectUrl),
      startPostfix(l, tls, { submission, submissions, mx }),
    ]);
    const servers: TestServers = {
      stateDir: root,
      host: '127.0.0.1',
      caFile: tls.caFile,
      caPem: await readFile(tls.caFile, 'utf8'),
      ports: { imap, imaps, pop3, pop3s, submission, submissions, mx },
      users,
      paths: {
        dovecotConf: l.dovecotConf,
        postfixConfigDir: l.postfixConfigDir,
        dovecotLog: l.dovecotLog,
        postfixLog: l.postfixLog,
      },
      oauth: oauth.info,
      pids: { dovecot: dovecot.pid, postfix: postfix.pid },
    };
    oauthProviders.set(root, oauth);
    const hook = (): void => {
      for (const pid of [dovecot.pid, postfix.pid]) if (isAlive(pid)) process.kill(pid, 'SIGTERM');
    };
    process.on('exit', hook);
    exitHooks.set(root, hook);
    return servers;
  } catch (err) {
    // Leave nothing running (a daemon may be up even if waiting for it
    // failed, so go by the pid files); keep the folder so its logs can be read.
    const dovecotPid = readPidFile(join(l.dovecotBase, 'master.pid'));
    const postfixPid = readPidFile(join(l.postfixQueue, 'pid', 'master.pid'));
    await Promise.allSettled([
      dovecotPid === undefined ? undefined : stopDovecot({ pid: dovecotPid }),
      postfixPid === undefined ? undefined : stopPostfix({ pid: postfixPid }),
      oauth?.close(),
    ]);
    throw new Error(`starting the test mail servers failed (logs in ${l.log}): ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * Stops both daemons (and every process they started) and deletes the state
 * folder. Set POSTERN_KEEP_SERVER_STATE=1 to keep the folder for its logs.
 */
export async function stopServers(s: TestServers): Promise<void> {
  const hook = exitHooks.get(s.stateDir);
  if (hook !== undefined) {
    process.off('exit', hook);
    exitHooks.delete(s.stateDir);
  }
  await Promise.all([stopDovecot({ pid: s.pids.dovecot }), stopPostfix({ pid: s.pids.postfix })]);
  // After Dovecot: its auth process may still hold a connection to the provider.
  await oauthProviders.get(s.stateDir)?.close();
  oauthProviders.delete(s.stateDir);
  if (process.env['POSTERN_KEEP_SERVER_STATE'] !== '1') await rm(s.stateDir, { recursive: true, force: true });
}
