// A real DNS server (Debian's dnsmasq) on 127.0.0.1 and a free port, answering
// only the MX and SRV records a test gives it: what a domain publishes for
// mail clients to find its servers. Nothing is forwarded anywhere else. The
// test run starts one that knows nothing (global-setup.ts) for every engine
// the tests start, so that finding an account's servers never asks beyond
// this machine.
import { spawn, type ChildProcess } from 'node:child_process';
import { Resolver } from 'node:dns/promises';
import { freePorts } from './proc.ts';

/** A domain whose mail servers the test run's DNS server publishes as SRV records (global-setup.ts). */
export const DISCOVERY_SRV_DOMAIN = 'srv-e2e.test';

export interface DnsRecords {
  /** domain → mail exchanger, preference. */
  mx?: { domain: string; exchange: string; preference: number }[];
  /** _service._tcp.domain → target host, port. */
  srv?: { name: string; target: string; port: number; priority?: number; weight?: number }[];
}

export interface TestDns {
  port: number;
  /** A resolver that asks only this server. */
  resolver(): Resolver;
  stop(): Promise<void>;
}

/** `logFile`: every question asked is written there (dnsmasq's --log-queries). */
export async function startTestDns(records: DnsRecords, logFile?: string): Promise<TestDns> {
  const [port] = (await freePorts(1)) as [number];
  const args = [
    '--keep-in-foreground', '--no-resolv', '--no-hosts', '--no-poll', '--conf-file=/dev/null', '--pid-file',
    `--port=${port}`, '--listen-address=127.0.0.1', '--bind-interfaces', `--user=${process.env['USER'] ?? 'root'}`,
    // Every name under .test is ours: what is not listed does not exist (no upstream to ask).
    '--local=/test/',
    ...(records.mx ?? []).map((m) => `--mx-host=${m.domain},${m.exchange},${m.preference}`),
    ...(records.srv ?? []).map((s) => `--srv-host=${s.name},${s.target},${s.port},${s.priority ?? 0},${s.weight ?? 0}`),
    ...(logFile ? ['--log-queries', `--log-facility=${logFile}`] : []),
  ];
  const child: ChildProcess = spawn('/usr/sbin/dnsmasq', args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr += c.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const resolver = (): Resolver => {
    const r = new Resolver({ timeout: 2000, tries: 1 });
    r.setServers([`127.0.0.1:${port}`]);
    return r;
  };
  // Up when it answers.
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`dnsmasq exited: ${stderr}`);
    const ok = await resolver().resolveSoa('test').then(() => true, (e: { code?: string }) => e.code === 'ENODATA' || e.code === 'ENOTFOUND');
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dnsmasq did not answer on 127.0.0.1:${port}: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    port,
    resolver,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}
