// Autoconfig files (Thunderbird's config-v1.1.xml) into server settings:
// what real providers publish, and what a hostile server might send instead.
import { describe, expect, it } from 'vitest';
import { parseXml, readAutoconfig } from '../../../../src-protocol/accounts/autoconfig-xml.ts';
import { knownProvider, providerOfMx } from '../../../../src-protocol/accounts/known-providers.ts';
import { LIMITS } from '../../../../src-protocol/common/limits.ts';

const server = (tag: string, type: string, host: string, port: number, socket: string, user = '%EMAILADDRESS%') => `
    <${tag} type="${type}">
      <hostname>${host}</hostname>
      <port>${port}</port>
      <socketType>${socket}</socketType>
      <username>${user}</username>
      <authentication>password-cleartext</authentication>
    </${tag}>`;

const config = (servers: string) => `<?xml version="1.0" encoding="UTF-8"?>
<!-- published by the provider -->
<clientConfig version="1.1">
  <emailProvider id="example.org">
    <domain>example.org</domain>
    <displayName>Example &amp; Co</displayName>${servers}
  </emailProvider>
</clientConfig>`;

describe('readAutoconfig', () => {
  it('reads the first usable IMAP and SMTP servers and fills in the placeholders', () => {
    const xml = config(
      server('incomingServer', 'imap', 'imap.%EMAILDOMAIN%', 993, 'SSL', '%EMAILLOCALPART%') +
      server('incomingServer', 'pop3', 'pop.example.org', 995, 'SSL') +
      server('outgoingServer', 'smtp', 'smtp.example.org', 587, 'STARTTLS'),
    );
    expect(readAutoconfig(xml, 'ann@example.org')).toEqual({
      user: 'ann',
      imap: { host: 'imap.example.org', port: 993, security: 'tls' },
      smtp: { host: 'smtp.example.org', port: 587, security: 'starttls' },
    });
  });

  it('never takes a server that sends the password in the clear, and falls back to POP3', () => {
    const xml = config(
      server('incomingServer', 'imap', 'imap.example.org', 143, 'plain') +
      server('incomingServer', 'pop3', 'pop.example.org', 995, 'SSL') +
      server('outgoingServer', 'smtp', 'smtp.example.org', 25, 'plain') +
      server('outgoingServer', 'smtp', 'smtp.example.org', 465, 'SSL'),
    );
    expect(readAutoconfig(xml, 'ann@example.org')).toEqual({
      user: 'ann@example.org',
      pop3: { host: 'pop.example.org', port: 995, security: 'tls' },
      smtp: { host: 'smtp.example.org', port: 465, security: 'tls' },
    });
  });

  it('gives nothing for a file without a usable incoming server, and skips broken entries', () => {
    expect(readAutoconfig(config(server('outgoingServer', 'smtp', 'smtp.example.org', 465, 'SSL')), 'a@example.org')).toBeNull();
    expect(readAutoconfig(config(server('incomingServer', 'imap', 'imap example org', 993, 'SSL')), 'a@example.org')).toBeNull();
    expect(readAutoconfig(config(server('incomingServer', 'imap', 'imap.example.org', 99999, 'SSL')), 'a@example.org')).toBeNull();
    expect(readAutoconfig('<clientConfig version="1.1"/>', 'a@example.org')).toBeNull();
  });

  it('reads CDATA, comments and character references', () => {
    const xml = config(
      '<incomingServer type="imap"><hostname><![CDATA[imap.example.org]]></hostname><!-- 993 --><port>&#57;&#x39;3</port>' +
      '<socketType>SSL</socketType></incomingServer>',
    );
    expect(readAutoconfig(xml, 'a@example.org')?.imap).toEqual({ host: 'imap.example.org', port: 993, security: 'tls' });
  });

  it('refuses a document type and with it every entity trick, instead of expanding it', () => {
    const laughs = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]><clientConfig>&lol2;</clientConfig>`;
    expect(() => readAutoconfig(laughs, 'a@example.org')).toThrow(/document type/);
    const external = `<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><clientConfig>&e;</clientConfig>`;
    expect(() => readAutoconfig(external, 'a@example.org')).toThrow(/document type/);
    expect(() => readAutoconfig('<clientConfig>&e;</clientConfig>', 'a@example.org')).toThrow(/unknown entity/);
  });

  it('refuses what is not well-formed, too deep or too large, with a PROTOCOL error', () => {
    for (const bad of ['<clientConfig><a></b></clientConfig>', '<clientConfig>', '<clientConfig/><more/>', 'not xml', '<html><body/></html>']) {
      expect(() => readAutoconfig(bad, 'a@example.org'), bad).toThrow(expect.objectContaining({ code: 'PROTOCOL' }));
    }
    const deep = `<clientConfig>${'<a>'.repeat(LIMITS.autoconfigMaxDepth + 1)}${'</a>'.repeat(LIMITS.autoconfigMaxDepth + 1)}</clientConfig>`;
    expect(() => parseXml(deep)).toThrow(/too deep/);
    expect(() => parseXml(`<clientConfig>${' '.repeat(LIMITS.autoconfigMaxBytes)}</clientConfig>`)).toThrow(/too large/);
  });
});

describe('knownProvider', () => {
  it('knows the large providers by the exact domain, in any case', () => {
    expect(knownProvider('GMail.com')).toMatchObject({ label: 'Gmail', imap: { host: 'imap.gmail.com', port: 993, security: 'tls' }, oauth: 'google' });
    expect(knownProvider('hotmail.com')).toMatchObject({ oauth: 'microsoft', smtp: { security: 'starttls', port: 587 } });
    expect(knownProvider('mail.gmail.com')).toBeUndefined();
    expect(knownProvider('example.org')).toBeUndefined();
  });

  it('knows the providers that host company domains by their mail exchangers', () => {
    expect(providerOfMx('ASPMX.L.GOOGLE.COM.')).toMatchObject({ label: 'Gmail', oauth: 'google' });
    expect(providerOfMx('contoso-com.mail.protection.outlook.com')).toMatchObject({ label: 'Microsoft 365', smtp: { host: 'smtp.office365.com' } });
    expect(providerOfMx('in1-smtp.messagingengine.com')).toMatchObject({ label: 'Fastmail' });
    // An ending, not a substring: a look-alike domain is nobody's.
    expect(providerOfMx('mx.notgoogle.com')).toBeUndefined();
    expect(providerOfMx('google.com.evil.test')).toBeUndefined();
  });
});
