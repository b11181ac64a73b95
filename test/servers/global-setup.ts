// vitest globalSetup: one set of real mail servers for the whole test run.
// Tests get the connection facts with `inject('servers')` (a TestServers).
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import type { TestServers } from './harness.ts';
import { startServers, stopServers } from './harness.ts';
import { DISCOVERY_SRV_DOMAIN, startTestDns, type TestDns } from './dns.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    servers: TestServers;
    /** The DNS server every engine of the run asks when finding an account's servers, and its log of questions. */
    discoveryDns: { port: number; log: string };
  }
}

/** Files that prove the packages are there (LMTP is its own package). */
const REQUIRED = [
  '/usr/sbin/dovecot',
  '/usr/bin/doveadm',
  '/usr/lib/dovecot/imap',
  '/usr/lib/dovecot/pop3',
  '/usr/lib/dovecot/lmtp',
  '/usr/sbin/postfix',
  '/usr/bin/openssl',
  '/usr/sbin/dnsmasq',
];

const INSTALL_SCRIPT = fileURLToPath(new URL('./install-packages.sh', import.meta.url));

function ensurePackages(): void {
  const missing = REQUIRED.filter((file) => !existsSync(file));
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `The tests need Dovecot and Postfix (missing ${missing.join(', ')}). Install them as root:\n  sudo bash ${INSTALL_SCRIPT}`,
    );
  }
  const result = spawnSync('bash', [INSTALL_SCRIPT], { stdio: 'inherit' });
  if (result.status !== 0) throw new Error(`${INSTALL_SCRIPT} failed (exit ${result.status ?? result.signal})`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  ensurePackages();
  if (process.getuid?.() !== 0) {
    // Postfix cannot run without root, and Dovecot here runs in root mode.
    throw new Error('The real-server tests must run as root (Postfix and Dovecot start as root and drop privileges).');
  }
  const servers = await startServers();
  project.provide('servers', servers);
  // Every test's throw-away folder goes under one folder of this run, removed
  // at the end: test files need not each remember to clean up, and a run
  // killed half-way leaves one folder, not dozens. Set after the servers
  // start, so their state stays where reap.ts looks for it. Workers are
  // started after this and inherit it (os.tmpdir() reads TMPDIR).
  const runTmp = mkdtempSync(join(tmpdir(), 'postern-test-run-'));
  // Not mkdtemp's 0700: the servers run as users of their own once started, and what a
  // test writes here stays as reachable for them as it was directly under /tmp.
  chmodSync(runTmp, 0o755);
  process.env['TMPDIR'] = runTmp;
  // Finding an account's servers (mail:accounts.discover) asks DNS and HTTPS
  // hosts on the internet. Every engine of the run (in the workers, the CLI
  // and `postern serve` they start, all of which inherit this) asks this
  // server instead, which knows only the SRV records of DISCOVERY_SRV_DOMAIN
  // (for the add-account form's e2e test): no question leaves the machine.
  const dnsLog = join(runTmp, 'discovery-dns.log');
  let dns: TestDns;
  try {
    dns = await startTestDns({
      srv: [
        { name: `_imaps._tcp.${DISCOVERY_SRV_DOMAIN}`, target: 'mail.provider.test', port: 993 },
        { name: `_submission._tcp.${DISCOVERY_SRV_DOMAIN}`, target: `smtp.${DISCOVERY_SRV_DOMAIN}`, port: 587 },
      ],
    }, dnsLog);
  } catch (err) {
    // The mail servers are up already: they must not outlive a set-up that failed.
    await stopServers(servers);
    rmSync(runTmp, { recursive: true, force: true });
    throw err;
  }
  process.env['POSTERN_DISCOVERY_DNS'] = `127.0.0.1:${dns.port}`;
  project.provide('discoveryDns', { port: dns.port, log: dnsLog });
  return async () => {
    await dns.stop();
    await stopServers(servers);
    rmSync(runTmp, { recursive: true, force: true });
  };
}
