// `postern account discover` and `account add` without servers: the
// settings come from the address. Known providers need no network; for
// any other domain the look-ups go out (here, to the test run's own DNS
// server, which knows no name) and, with no answer, the person is told to
// give the servers. (The look-ups themselves are tested against an HTTPS
// and a DNS server in integration/accounts/discover.test.ts.)
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { cliJson, runCli } from '../../helpers/run-cli.ts';
import type { AccountDiscovery } from '../../../src-protocol/contract/index.ts';

let work: string;
let profile: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'postern-cli-discover-'));
  profile = join(work, 'profile');
});

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('account discover', () => {
  it("prints a known provider's servers, and says where they came from", async () => {
    const found = await cliJson<AccountDiscovery>(['account', 'discover', 'someone@googlemail.com', '--profile', profile]);
    expect(found).toMatchObject({
      source: 'known', provider: 'Gmail', user: 'someone@googlemail.com', oauth_provider: 'google',
      imap: { host: 'imap.gmail.com', port: 993, security: 'tls' }, smtp: { host: 'smtp.gmail.com', port: 465, security: 'tls' },
    });
    const human = await runCli(['account', 'discover', 'someone@icloud.com', '--profile', profile]);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain("Postern's list of providers (iCloud Mail)");
    expect(human.stdout).toContain('IMAP imap.mail.me.com:993 tls');
    expect(human.stderr).toContain('looking up the server settings for icloud.com');
  });

  it('says when nothing is found, and account add then asks for the servers', async () => {
    const found = await cliJson<AccountDiscovery>(['account', 'discover', 'someone@nowhere.test', '--profile', profile]);
    expect(found).toEqual({ domain: 'nowhere.test', source: null, provider: null, user: null });
    // Every question went to the DNS server POSTERN_DISCOVERY_DNS names: the HTTPS hosts, the SRV and MX records.
    const asked = async () => (await readFile(inject('discoveryDns').log, 'utf8')).split('\n').filter((l) => l.includes('nowhere.test'));
    await expect.poll(async () => (await asked()).join('\n'), { timeout: 5_000 }).toMatch(/query\[MX\] nowhere\.test/);
    const questions = (await asked()).join('\n');
    for (const q of [/query\[A\] autoconfig\.nowhere\.test/, /query\[A\] nowhere\.test/, /query\[SRV\] _imaps\._tcp\.nowhere\.test/, /query\[SRV\] _submission\._tcp\.nowhere\.test/]) {
      expect(questions).toMatch(q);
    }
    const add = await runCli(['account', 'add', '--name', 'Nowhere', '--email', 'someone@nowhere.test', '--password-env', 'NOWHERE_PW', '--profile', profile], { env: { NOWHERE_PW: 'x' } });
    expect(add.code).not.toBe(0);
    expect(add.stderr).toMatch(/No server settings were found for nowhere\.test: give them with --imap/);
    expect(add.stderr).toContain('[BAD_INPUT]');
  });

  it('says what is wrong with POSTERN_DISCOVERY_DNS instead of asking the system resolver', async () => {
    const r = await runCli(['account', 'discover', 'someone@nowhere.test', '--profile', profile], { env: { POSTERN_DISCOVERY_DNS: 'dns.example.test' } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/POSTERN_DISCOVERY_DNS must list IPv4 addresses.*\[BAD_INPUT\]/);
  });
});
