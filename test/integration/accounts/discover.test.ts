// Finding an address's servers as discover.ts does it on the internet,
// against a real HTTPS server on 127.0.0.1 that stands in for the domains'
// autoconfig hosts and for the ISPDB, and a real DNS server (dnsmasq) that
// publishes the test domains' MX and SRV records. HTTPS host names resolve
// to 127.0.0.1 through the lookup the function takes (nothing here can
// serve other addresses); the certificate is checked, signed by a CA made
// for this test.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { AddressInfo, LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { discoverAccount, type DiscoverOptions } from '../../../src-protocol/accounts/discover.ts';
import { LIMITS } from '../../../src-protocol/common/limits.ts';
import { makeTestCa } from '../../servers/ca.ts';
import { startTestDns, type TestDns } from '../../servers/dns.ts';

const NAMES = [
  'autoconfig.one.test', 'two.test', 'autoconfig.two.test', 'ispdb.test', 'autoconfig.three.test', 'three.test',
  'autoconfig.both.test', 'autoconfig.moved.test', 'elsewhere.test', 'autoconfig.plain.test', 'autoconfig.bad.test', 'bad.test',
];

// What the test domains publish in DNS.
const DNS = {
  mx: [
    { domain: 'company.test', exchange: 'alt1.aspmx.l.google.com', preference: 5 },
    { domain: 'company.test', exchange: 'aspmx.l.google.com', preference: 1 },
    { domain: 'm365.test', exchange: 'm365-test.mail.protection.outlook.com', preference: 0 },
    { domain: 'hosted.test', exchange: 'mx1.hostingco.test', preference: 10 },
  ],
  srv: [
    { name: '_imaps._tcp.srv.test', target: 'imap.srv.test', port: 993 },
    { name: '_imap._tcp.srv.test', target: 'plain.srv.test', port: 143 },
    { name: '_submission._tcp.srv.test', target: 'smtp.srv.test', port: 587 },
    { name: '_submissions._tcp.srv.test', target: 'backup.srv.test', port: 465, priority: 20 },
    { name: '_submissions._tcp.srv.test', target: 'smtps.srv.test', port: 465, priority: 10 },
    // "Not offered" (target "."), so POP3 it is.
    { name: '_imaps._tcp.pop.test', target: '', port: 0 },
    { name: '_pop3s._tcp.pop.test', target: 'pop.pop.test', port: 995 },
  ],
};

const config = (host: string) => `<?xml version="1.0"?>
<clientConfig version="1.1"><emailProvider id="x">
  <incomingServer type="imap"><hostname>${host}</hostname><port>993</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></incomingServer>
  <outgoingServer type="smtp"><hostname>smtp.${host}</hostname><port>465</port><socketType>SSL</socketType><username>%EMAILADDRESS%</username></outgoingServer>
</emailProvider></clientConfig>`;

type Route = (res: ServerResponse) => void;
const xml = (body: string, delayMs = 0): Route => (res) => {
  setTimeout(() => res.writeHead(200, { 'content-type': 'application/xml' }).end(body), delayMs);
};

let dir: string;
let server: Server;
let caPem: string;
let port: number;
let routes: Map<string, Route>;
let dns: TestDns;
const asked: string[] = [];

const lookup: LookupFunction = (hostname, options, callback) => {
  if (!NAMES.includes(hostname)) {
    callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' }), '', 4);
    return;
  }
  // Node asks for every address when it may try several (autoSelectFamily).
  if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: '127.0.0.1', family: 4 }]);
  else callback(null, '127.0.0.1', 4);
};

const options = (): DiscoverOptions => ({ lookup, dns: dns.resolver(), httpsPort: port, ca: caPem, ispdb: 'https://ispdb.test/v1.1/' });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-discover-'));
  dns = await startTestDns(DNS);
  const tls = await makeTestCa(dir, NAMES);
  caPem = await readFile(tls.caFile, 'utf8');
  server = createServer({ cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) }, (req, res) => {
    const url = `${req.headers.host?.replace(/:\d+$/, '')}${req.url ?? ''}`;
    asked.push(url);
    const route = routes.get(url.replace(/\?.*$/, ''));
    if (route) route(res);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  await dns?.stop();
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

beforeEach(() => {
  routes = new Map();
  asked.length = 0;
});

describe('discoverAccount over HTTPS', () => {
  it("takes the domain's own autoconfig file, which learns the address", async () => {
    routes.set('autoconfig.one.test/mail/config-v1.1.xml', xml(config('imap.one.test')));
    expect(await discoverAccount('ann@one.test', options())).toEqual({
      domain: 'one.test', source: 'domain', provider: null, user: 'ann@one.test',
      imap: { host: 'imap.one.test', port: 993, security: 'tls' }, smtp: { host: 'smtp.imap.one.test', port: 465, security: 'tls' },
    });
    expect(asked).toContain('autoconfig.one.test/mail/config-v1.1.xml?emailaddress=ann%40one.test');
  });

  it("falls back to the domain's well-known address", async () => {
    routes.set('two.test/.well-known/autoconfig/mail/config-v1.1.xml', xml(config('mail.two.test')));
    expect(await discoverAccount('bo@two.test', options())).toMatchObject({ source: 'domain', imap: { host: 'mail.two.test' } });
  });

  it('asks the ISPDB last, and tells it the domain, never the address', async () => {
    routes.set('ispdb.test/v1.1/three.test', xml(config('imap.isp.test')));
    expect(await discoverAccount('cy@three.test', options())).toMatchObject({ source: 'ispdb', imap: { host: 'imap.isp.test' } });
    const toIspdb = asked.filter((u) => u.startsWith('ispdb.test'));
    expect(toIspdb).toContain('ispdb.test/v1.1/three.test');
    expect(toIspdb.filter((u) => /%40|@|emailaddress/.test(u))).toEqual([]);
  });

  it("prefers the domain's own answer to a faster one from the ISPDB", async () => {
    routes.set('autoconfig.both.test/mail/config-v1.1.xml', xml(config('own.both.test'), 300));
    routes.set('ispdb.test/v1.1/both.test', xml(config('isp.both.test')));
    expect(await discoverAccount('di@both.test', options())).toMatchObject({ source: 'domain', imap: { host: 'own.both.test' } });
  });

  it('follows a redirect to https, never one to plain http', async () => {
    routes.set('autoconfig.moved.test/mail/config-v1.1.xml', (res) => res.writeHead(302, { location: 'https://elsewhere.test/moved.xml' }).end());
    routes.set('elsewhere.test/moved.xml', xml(config('imap.elsewhere.test')));
    expect(await discoverAccount('ed@moved.test', options())).toMatchObject({ source: 'domain', imap: { host: 'imap.elsewhere.test' } });

    routes.set('autoconfig.plain.test/mail/config-v1.1.xml', (res) => res.writeHead(301, { location: `http://elsewhere.test:${port}/moved.xml` }).end());
    expect(await discoverAccount('fi@plain.test', options())).toMatchObject({ source: null });
  });

  it('finds nothing in an answer that is hostile, too large or an error, and says so', async () => {
    routes.set('autoconfig.bad.test/mail/config-v1.1.xml', xml(`<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>${config('&e;')}`));
    routes.set('bad.test/.well-known/autoconfig/mail/config-v1.1.xml', xml(config('imap.bad.test').replace('</clientConfig>', `<!--${'x'.repeat(LIMITS.autoconfigMaxBytes)}--></clientConfig>`)));
    routes.set('ispdb.test/v1.1/bad.test', (res) => res.writeHead(500).end(config('imap.bad.test')));
    expect(await discoverAccount('gu@bad.test', options())).toEqual({ domain: 'bad.test', source: null, provider: null, user: null });
    expect(asked.filter((u) => u.includes('bad.test'))).toHaveLength(3);
  });

  it('trusts a certificate only when it is verified', async () => {
    routes.set('autoconfig.one.test/mail/config-v1.1.xml', xml(config('imap.one.test')));
    // The system's CAs do not know this test's CA: nothing is read.
    const { ca: _ca, ...untrusting } = options();
    expect(await discoverAccount('ann@one.test', untrusting)).toMatchObject({ source: null });
  });

  it("reads the domain's SRV records: implicit TLS first, the best record, a service marked absent skipped", async () => {
    expect(await discoverAccount('hu@srv.test', options())).toEqual({
      domain: 'srv.test', source: 'srv', provider: null, user: null,
      imap: { host: 'imap.srv.test', port: 993, security: 'tls' }, smtp: { host: 'smtps.srv.test', port: 465, security: 'tls' },
    });
    expect(await discoverAccount('io@pop.test', options())).toMatchObject({ source: 'srv', pop3: { host: 'pop.pop.test', port: 995, security: 'tls' } });
    expect((await discoverAccount('io@pop.test', options())).imap).toBeUndefined();
  });

  it('prefers SRV records to the ISPDB', async () => {
    routes.set('ispdb.test/v1.1/srv.test', xml(config('imap.isp.test')));
    expect(await discoverAccount('hu@srv.test', options())).toMatchObject({ source: 'srv', imap: { host: 'imap.srv.test' } });
  });

  it("knows a company domain by the provider that receives its mail (MX), and asks the ISPDB for another's", async () => {
    expect(await discoverAccount('jo@company.test', options())).toMatchObject({
      source: 'mx', provider: 'Gmail', user: 'jo@company.test', imap: { host: 'imap.gmail.com' }, smtp: { host: 'smtp.gmail.com' }, oauth_provider: 'google',
    });
    expect(await discoverAccount('ka@m365.test', options())).toMatchObject({
      source: 'mx', provider: 'Microsoft 365', imap: { host: 'outlook.office365.com', port: 993 }, smtp: { host: 'smtp.office365.com', port: 587, security: 'starttls' },
    });
    routes.set('ispdb.test/v1.1/hostingco.test', xml(config('imap.hostingco.test')));
    expect(await discoverAccount('li@hosted.test', options())).toMatchObject({ source: 'mx', provider: null, imap: { host: 'imap.hostingco.test' } });
  });

  it('needs no network for a known provider', async () => {
    expect(await discoverAccount('someone@GMAIL.com', options())).toMatchObject({
      source: 'known', provider: 'Gmail', user: 'someone@GMAIL.com', oauth_provider: 'google', imap: { host: 'imap.gmail.com' },
    });
    expect(asked).toEqual([]);
  });
});
