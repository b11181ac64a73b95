/**
 * Finds the server settings for an address, so adding an account can start
 * from the address alone, as in Thunderbird:
 *
 * 1. the known providers (known-providers.ts), without any network;
 * 2. the domain's own autoconfig file, at
 *    https://autoconfig.DOMAIN/mail/config-v1.1.xml?emailaddress=ADDRESS, then
 *    https://DOMAIN/.well-known/autoconfig/mail/config-v1.1.xml;
 * 3. Mozilla's ISPDB, https://autoconfig.thunderbird.net/v1.1/DOMAIN (it
 *    learns the domain, never the address).
 *
 * The look-ups run at once, each bounded in time and size; the first source
 * in that order that answers with usable settings wins. Only HTTPS with a
 * verified certificate is read (a redirect to http is not followed):
 * whoever can change these settings can collect the password. Nothing is
 * found is an answer too (source null): the person types the settings in.
 */
import { request } from 'node:https';
import type { LookupFunction } from 'node:net';
import { LIMITS } from '../common/limits.ts';
import type { AccountDiscovery } from '../contract/schemas.ts';
import { readAutoconfig, type DiscoveredSettings } from './autoconfig-xml.ts';
import { knownProvider } from './known-providers.ts';

export interface DiscoverOptions {
  /** Where host names resolve; the system's resolver by default (tests point it at 127.0.0.1). */
  lookup?: LookupFunction;
  /** The port every HTTPS look-up connects to; each URL's own (443) by default (tests run theirs elsewhere). */
  httpsPort?: number;
  /** The certificate authorities to trust instead of the system's (a test CA). */
  ca?: string;
  /** The ISPDB's base URL; Mozilla's by default. */
  ispdb?: string;
  signal?: AbortSignal;
}

const ISPDB = 'https://autoconfig.thunderbird.net/v1.1/';

export async function discoverAccount(email: string, options: DiscoverOptions = {}): Promise<AccountDiscovery> {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  const none: AccountDiscovery = { domain, source: null, provider: null, user: null };
  const known = knownProvider(domain);
  if (known) {
    return {
      domain, source: 'known', provider: known.label, user: email, imap: known.imap, smtp: known.smtp,
      ...(known.oauth ? { oauth_provider: known.oauth } : {}),
    };
  }
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)) return none;
  const candidates: { source: 'domain' | 'ispdb'; url: URL }[] = [
    { source: 'domain', url: new URL(`https://autoconfig.${domain}/mail/config-v1.1.xml?emailaddress=${encodeURIComponent(email)}`) },
    { source: 'domain', url: new URL(`https://${domain}/.well-known/autoconfig/mail/config-v1.1.xml`) },
    { source: 'ispdb', url: new URL(encodeURIComponent(domain), options.ispdb ?? ISPDB) },
  ];
  // Once an answer is taken (or the caller gives up), the look-ups still running are dropped.
  const done = new AbortController();
  const signal = options.signal ? AbortSignal.any([done.signal, options.signal]) : done.signal;
  const answers = candidates.map(async (c) => settingsAt(c.url, email, { ...options, signal }));
  try {
    // In order of preference: each waits only for those before it.
    for (const [i, c] of candidates.entries()) {
      const settings = await answers[i];
      if (settings) return { domain, source: c.source, provider: null, ...settings };
    }
    return none;
  } finally {
    done.abort();
  }
}

/** The settings at one URL, or null when it cannot be fetched or read (the next source is tried). */
async function settingsAt(url: URL, email: string, options: DiscoverOptions): Promise<(DiscoveredSettings & { user: string | null }) | null> {
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
      timeout: LIMITS.autoconfigTimeoutMs,
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
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
    req.end();
  });
}
