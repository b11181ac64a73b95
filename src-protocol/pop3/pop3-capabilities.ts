/**
 * The CAPA answer (RFC 2449): one capability a line, a keyword and
 * arguments, e.g. `SASL PLAIN XOAUTH2`, `LOGIN-DELAY 900`, `UTF8 USER`.
 */
export type Pop3Capabilities = ReadonlyMap<string, readonly string[]>;

/** Keywords upper-cased; arguments kept as sent except SASL names, upper-cased too. */
export function parseCapabilities(body: Buffer): Pop3Capabilities {
  const caps = new Map<string, string[]>();
  for (const raw of body.toString('latin1').split('\r\n')) {
    const words = raw.trim().split(/\s+/).filter((w) => w.length > 0);
    const keyword = words.shift()?.toUpperCase();
    if (!keyword) continue;
    caps.set(keyword, keyword === 'SASL' ? words.map((w) => w.toUpperCase()) : words);
  }
  return caps;
}

/** SASL mechanisms offered (RFC 5034), upper-cased. */
export function saslMechanisms(caps: Pop3Capabilities | undefined): readonly string[] {
  return caps?.get('SASL') ?? [];
}
