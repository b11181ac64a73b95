/**
 * Finds the server settings for an address, so adding an account can start
 * from the address alone, as in Thunderbird:
 *
 * 1. the known providers (known-providers.ts), without any network;
 * 2. the domain's own autoconfig file, at
 *    https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=ADDRESS, then
 *    https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml;
 * 3. the domain's SRV records for mail (RFC 6186, RFC 8314): _imaps._tcp,
 *    _imap._tcp, _pop3s._tcp, _pop3._tcp, _submissions._tcp, _submission._tcp;
 * 4. Mozilla's ISPDB, https://autoconfig.thunderbird.net/v1.1/DOMAIN (it
 *    learns the domain, never the address);
 * 5. the domain's mail exchanger (MX): a known provider's (a company domain
 *    on Google Workspace or Microsoft 365), else the ISPDB entry of the
 *    exchanger's domain.
 *
 * The look-ups run at once, each bounded in time and size; the first source
 * in that order that answers with usable settings wins. Only HTTPS with a
 * verified certificate is read (a redirect to http is not followed):
 * whoever can change these settings can collect the password. DNS answers
 * are not signed, so what comes from them is shown to the person like the
 * rest, and the servers' certificates are checked as always when the
 * account is tried. Nothing found is an answer too (source null): the
 * person types the settings in.
 */
import { Resolver } from 'node:dns/promises';
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { PosternError } from '../common/errors.ts';
import { LIMITS } from '../common/limits.ts';
import type { AccountDiscovery, Security } from '../contract/schemas.ts';
import { readAutoconfig, type DiscoveredServer, type DiscoveredSettings } from './autoconfig-xml.ts';
import { knownProvider, providerOfMx, type KnownProvider } from './known-providers.ts';

/** The DNS questions discovery asks (node:dns's Resolver has them). */
export interface MailDns {
  resolveMx(domain: string): Promise<{ exchange: string; priority: number }[]>;
  resolveSrv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
}

export interface DiscoverOptions {
  /** Where host names resolve for HTTPS; the system's resolver by default (tests point it at 127.0.0.1). */
  lookup?: LookupFunction;
  /** Where MX and SRV questions go; the system's DNS servers by default (tests ask their own server). */
  dns?: MailDns;
  /** The port every HTTPS look-up connects to; each URL's own (443) by default (tests run theirs elsewhere). */
  httpsPort?: number;
  /** The certificate authorities to trust instead of the system's (a test CA). */
  ca?: string;
  /** The ISPDB's base URL; Mozilla's by default. */
  ispdb?: string;
  signal?: AbortSignal;
}

const ISPDB = 'https://autoconfig.thunderbird.net/v1.1/';

/** A host or domain name with at least two labels, lower case (what the look-ups may ask for). */
const HOST = /^[a-z0-9-]+(\.[a-z0-9-]+)+$/;

type Found = Omit<AccountDiscovery, 'domain'>;

export async function discoverAccount(email: string, options: DiscoverOptions = {}): Promise<AccountDiscovery> {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const none: AccountDiscovery = { domain, source: null, provider: null, user: null };
  const known = knownProvider(domain);
  if (known) return { domain, ...fromKnown(known, email, 'known') };
  if (!HOST.test(domain)) return none;
  // Once an answer is taken (or the caller gives up), the look-ups still running are dropped.
  const done = new AbortController();
  const signal = options.signal ? AbortSignal.any([done.signal, options.signal]) : done.signal;
  const o: DiscoverOptions = { ...options, signal };
  const own = options.dns ? null : new Resolver({ timeout: LIMITS.autoconfigDnsTimeoutMs, tries: 2 });
  const dns: MailDns = options.dns ?? (own as Resolver);
  const ispdb = (d: string) => new URL(encodeURIComponent(d), options.ispdb ?? ISPDB);
  const fromFile = (source: 'domain' | 'ispdb', url: URL) => async (): Promise<Found | null> => {
    const settings = await settingsAt(url, email, o);
    return settings ? { source, provider: null, ...settings } : null;
  };
  // In order of preference.
  const candidates: (() => Promise<Found | null>)[] = [
    fromFile('domain', new URL(`https://autoconfig.${domain}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`)),
    fromFile('domain', new URL(`https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml`)),
    async () => fromSrv(dns, domain),
    fromFile('ispdb', ispdb(domain)),
    async () => {
      const exchange = await mailExchanger(dns, domain);
      if (exchange === null) return null;
      const host = providerOfMx(exchange);
      if (host) return fromKnown(host, email, 'mx');
      const settings = await settingsAt(ispdb(registeredDomain(exchange)), email, o);
      return settings ? { source: 'mx', provider: null, ...settings } : null;
    },
  ];
  const answers = candidates.map((c) => c().catch(() => null));
  try {
    // Each waits only for those before it.
    for (const answer of answers) {
      const found = await answer;
      if (found) return { domain, ...found };
    }
    return none;
  } finally {
    done.abort();
    own?.cancel();
  }
}

function fromKnown(p: KnownProvider, email: string, source: 'known' | 'mx'): Found {
  return { source, provider: p.label, user: email, imap: p.imap, smtp: p.smtp, ...(p.oauth ? { oauth_provider: p.oauth } : {}) };
}

/**
 * The domain an exchanger's owner registered, for the ISPDB: its last two
 * labels, or three under a country's second level such as co.uk or com.au
 * (mx1.provider.co.uk is provider.co.uk's, not co.uk's). A rule of thumb,
 * not the public suffix list: a wrong guess only finds no entry.
 */
export function registeredDomain(host: string): string {
  const labels = host.split('.');
  const secondLevel = labels.at(-2) ?? '';
  const countryCode = (labels.at(-1) ?? '').length === 2;
  const keep = countryCode && labels.length > 2 && /^(co|com|net|org|ac|gov|edu|ne|or|go)$/.test(secondLevel) ? 3 : 2;
  return labels.slice(-keep).join('.');
}

/** The mail exchanger of the lowest preference, without its final dot; null when there is none. */
async function mailExchanger(dns: MailDns, domain: string): Promise<string | null> {
  const records = await dns.resolveMx(domain);
  const best = [...records].sort((a, b) => a.priority - b.priority)[0];
  const host = best?.exchange.toLowerCase().replace(/\.$/, '') ?? '';
  return HOST.test(host) ? host : null;
}

/**
 * RFC 6186's records, with RFC 8314's implicit-TLS submission: the first
 * service offered of each kind, best record first (lowest priority, then
 * highest weight). A target of "." says the service is not offered.
 */
async function fromSrv(dns: MailDns, domain: string): Promise<Found | null> {
  const ask = async (service: string, security: Security): Promise<DiscoveredServer | null> => {
    const records = await dns.resolveSrv(`${service}._tcp.${domain}`).catch(() => []);
    const best = [...records].sort((a, b) => a.priority - b.priority || b.weight - a.weight)[0];
    const host = best?.name.toLowerCase().replace(/\.$/, '') ?? '';
    if (!best || !HOST.test(host) || best.port < 1 || best.port > 65535) return null;
    return { host, port: best.port, security };
  };
  const [imaps, imap, pop3s, pop3, submissions, submission] = await Promise.all([
    ask('_imaps', 'tls'), ask('_imap', 'starttls'), ask('_pop3s', 'tls'), ask('_pop3', 'starttls'), ask('_submissions', 'tls'), ask('_submission', 'starttls'),
  ]);
  const incomingImap = imaps ?? imap;
  const incomingPop3 = incomingImap ? null : (pop3s ?? pop3);
  if (!incomingImap && !incomingPop3) return null;
  const smtp = submissions ?? submission;
  return {
    source: 'srv', provider: null, user: null,
    ...(incomingImap ? { imap: incomingImap } : {}),
    ...(incomingPop3 ? { pop3: incomingPop3 } : {}),
    ...(smtp ? { smtp } : {}),
  };
}

/**
 * POSTERN_DISCOVERY_DNS: DNS servers ("127.0.0.1:5353", comma-separated
 * IPv4 addresses, each with an optional port) that finding servers asks
 * instead of the system's, for every name, including the HTTPS hosts. For
 * a network whose DNS should not learn the domains looked up, and for the
 * tests, which must not send a question beyond this machine. Unset: the
 * system's resolver.
 */
export function discoveryNetworkFromEnv(env: NodeJS.ProcessEnv): Pick<DiscoverOptions, 'dns' | 'lookup'> {
  const value = env['POSTERN_DISCOVERY_DNS']?.trim();
  if (!value) return {};
  const servers = value.split(',').map((s) => s.trim());
  if (!servers.every((s) => /^\d{1,3}(\.\d{1,3}){3}(:\d{1,5})?$/.test(s))) {
    throw new PosternError('BAD_INPUT', `POSTERN_DISCOVERY_DNS must list IPv4 addresses with optional ports, separated by commas (it is "${value}").`);
  }
  const resolver = new Resolver({ timeout: LIMITS.autoconfigDnsTimeoutMs, tries: 2 });
  resolver.setServers(servers);
  const lookup: LookupFunction = (hostname, options, callback) => {
    resolver.resolve4(hostname).then(
      (addresses) => {
        if ((options as { all?: boolean }).all) {
          (callback as unknown as (err: null, all: { address: string; family: number }[]) => void)(null, addresses.map((address) => ({ address, family: 4 })));
        } else {
          callback(null, addresses[0] ?? '', 4);
        }
      },
      (err: NodeJS.ErrnoException) => callback(err, '', 4),
    );
  };
  return { dns: resolver, lookup };
}

/** The settings at one URL, or null when it cannot be fetched or read (the next source is tried). */
async function settingsAt(url: URL, email: string, options: DiscoverOptions): Promise<DiscoveredSettings | null> {
  const xml = await getHttps(url, options, LIMITS.autoconfigMaxRedirects).catch(() => null);
  if (xml === null) return null;
  try {
    return readAutoconfig(xml, email);
  } catch {
    return null;
  }
}

/** The body of a 200 answer, following HTTPS redirects; null for any other answer. */
function getHttps(url: URL, options: DiscoverOptions, redirectsLeft: number): Promise<string | null> {
  if (url.protocol !== 'https:') return Promise.resolve(null);
  return new Promise((resolve, reject) => {
    const req = request({
      host: url.hostname,
      servername: url.hostname,
      port: options.httpsPort ?? (url.port ? Number(url.port) : 443),
      path: `${url.pathname}${url.search}`,
      method: 'GET',
      headers: { accept: 'application/xml, text/xml' },
      ...(options.lookup ? { lookup: options.lookup } : {}),
      ...(options.ca ? { ca: options.ca } : {}),
      ...(options.signal ? { signal: options.signal } : {}),
    }, (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location && redirectsLeft > 0) {
        res.resume();
        let next: URL;
        try {
          next = new URL(location, url);
        } catch {
          resolve(null);
          return;
        }
        getHttps(next, options, redirectsLeft - 1).then(resolve, reject);
        return;
      }
      if (status !== 200) {
        res.resume();
        resolve(null);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > LIMITS.autoconfigMaxBytes) {
          req.destroy();
          resolve(null);
          return;
        }
        chunks.push(chunk);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    // Each look-up has its own deadline: a host that swallows packets must not hold the others' answer.
    const deadline = setTimeout(() => req.destroy(new Error('timed out')), LIMITS.autoconfigTimeoutMs);
    req.on('close', () => clearTimeout(deadline));
    req.on('error', reject);
    req.end();
  });
}
