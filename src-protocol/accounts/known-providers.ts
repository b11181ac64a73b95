/**
 * Server settings of the largest mail providers, as they publish them, so
 * adding such an account needs no network look-up (and works where the
 * provider's own autoconfig cannot be reached). Every other domain is asked
 * over the network (discover.ts). The person sees the settings in the form
 * and can change them; they are tried before the account is saved.
 */
import type { OAuthProviderName } from '../contract/schemas.ts';
import type { DiscoveredServer } from './autoconfig-xml.ts';

export interface KnownProvider {
  /** The provider's name, shown beside the filled-in settings. */
  label: string;
  domains: readonly string[];
  /**
   * Endings of the mail exchangers (MX) of domains the provider hosts: a
   * company's own domain on Google Workspace or Microsoft 365 receives its
   * mail there and signs in to the same servers.
   */
  mx?: readonly string[];
  imap: DiscoveredServer;
  smtp: DiscoveredServer;
  /** The provider wants OAuth 2.0 sign-in (a preset in oauth-providers.ts); absent: a password. */
  oauth?: Extract<OAuthProviderName, 'google' | 'microsoft'>;
}

const tls = (host: string, port: number): DiscoveredServer => ({ host, port, security: 'tls' });
const starttls = (host: string, port: number): DiscoveredServer => ({ host, port, security: 'starttls' });

/** Each signs in with the whole address as the user name. */
export const KNOWN_PROVIDERS: readonly KnownProvider[] = [
  {
    label: 'Gmail', domains: ['gmail.com', 'googlemail.com'], mx: ['.google.com', '.googlemail.com'],
    imap: tls('imap.gmail.com', 993), smtp: tls('smtp.gmail.com', 465), oauth: 'google',
  },
  {
    label: 'Outlook.com', domains: ['outlook.com', 'hotmail.com', 'live.com', 'msn.com'],
    imap: tls('outlook.office365.com', 993), smtp: starttls('smtp-mail.outlook.com', 587), oauth: 'microsoft',
  },
  {
    label: 'Microsoft 365', domains: [], mx: ['.mail.protection.outlook.com'],
    imap: tls('outlook.office365.com', 993), smtp: starttls('smtp.office365.com', 587), oauth: 'microsoft',
  },
  { label: 'Yahoo Mail', domains: ['yahoo.com', 'ymail.com', 'rocketmail.com'], mx: ['.yahoodns.net'], imap: tls('imap.mail.yahoo.com', 993), smtp: tls('smtp.mail.yahoo.com', 465) },
  { label: 'iCloud Mail', domains: ['icloud.com', 'me.com', 'mac.com'], mx: ['.mail.icloud.com'], imap: tls('imap.mail.me.com', 993), smtp: starttls('smtp.mail.me.com', 587) },
  { label: 'AOL Mail', domains: ['aol.com'], imap: tls('imap.aol.com', 993), smtp: tls('smtp.aol.com', 465) },
  { label: 'Fastmail', domains: ['fastmail.com', 'fastmail.fm'], mx: ['.messagingengine.com'], imap: tls('imap.fastmail.com', 993), smtp: tls('smtp.fastmail.com', 465) },
  { label: 'GMX', domains: ['gmx.com'], imap: tls('imap.gmx.com', 993), smtp: starttls('mail.gmx.com', 587) },
  { label: 'GMX', domains: ['gmx.net', 'gmx.de', 'gmx.at', 'gmx.ch'], imap: tls('imap.gmx.net', 993), smtp: starttls('mail.gmx.net', 587) },
  { label: 'WEB.DE', domains: ['web.de'], imap: tls('imap.web.de', 993), smtp: starttls('smtp.web.de', 587) },
  { label: 'Zoho Mail', domains: ['zoho.com', 'zohomail.com'], mx: ['.zoho.com'], imap: tls('imap.zoho.com', 993), smtp: tls('smtp.zoho.com', 465) },
  { label: 'Yandex Mail', domains: ['yandex.com', 'yandex.ru'], imap: tls('imap.yandex.com', 993), smtp: tls('smtp.yandex.com', 465) },
];

/** The known provider of an address's domain (exactly that domain, any case), if any. */
export function knownProvider(domain: string): KnownProvider | undefined {
  const d = domain.toLowerCase();
  return KNOWN_PROVIDERS.find((p) => p.domains.includes(d));
}

/** The known provider whose mail exchangers end like `exchange` (an MX host name), if any. */
export function providerOfMx(exchange: string): KnownProvider | undefined {
  const host = exchange.toLowerCase().replace(/\.$/, '');
  return KNOWN_PROVIDERS.find((p) => p.mx?.some((end) => host.endsWith(end)));
}
