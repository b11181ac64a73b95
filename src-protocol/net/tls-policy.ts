/**
 * How every connection is secured. Certificate verification is always on:
 * a private server is trusted by adding its CA (the system roots stay
 * trusted too), never by turning checks off.
 */
import { createSecureContext, rootCertificates, type SecureContext } from 'node:tls';
import { LIMITS } from '../common/limits.ts';

export interface TlsSettings {
  /** Extra trust anchor in PEM, added to the system's roots. */
  caPem?: string | undefined;
  /** Name checked against the certificate; defaults to the host. */
  servername?: string | undefined;
}

export interface NodeTlsOptions {
  rejectUnauthorized: true;
  minVersion: 'TLSv1.2';
  /** With a private CA: the system roots and that CA (see contextWith); without, Node's default context. */
  secureContext?: SecureContext;
  servername?: string;
}

/** What a connection with a private CA trusts: the system roots, and the CA besides. */
export function trustAnchors(caPem: string): string[] {
  return [...rootCertificates, caPem];
}

/**
 * One context per private CA, shared by every connection that uses it.
 * Building it parses every system root: about 50 ms of CPU here, for each
 * IMAP, SMTP or POP3 connection of such an account until this was kept.
 * Bounded; the oldest goes first.
 */
const contexts = new Map<string, SecureContext>();

function contextWith(caPem: string): SecureContext {
  let context = contexts.get(caPem);
  if (!context) {
    context = createSecureContext({ ca: trustAnchors(caPem), minVersion: 'TLSv1.2' });
    if (contexts.size >= LIMITS.tlsContextsKept) contexts.delete(contexts.keys().next().value as string);
    contexts.set(caPem, context);
  }
  return context;
}

export function tlsOptions(host: string, settings: TlsSettings = {}): NodeTlsOptions {
  const options: NodeTlsOptions = { rejectUnauthorized: true, minVersion: 'TLSv1.2' };
  if (settings.caPem) options.secureContext = contextWith(settings.caPem);
  // SNI must not carry an IP address (RFC 6066); Node checks IP SANs itself.
  const name = settings.servername ?? host;
  if (!/^[\d.]+$/.test(name) && !name.includes(':')) options.servername = name;
  return options;
}

/** Node's codes for a certificate that does not verify. */
const UNTRUSTED_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_REVOKED',
  'CERT_SIGNATURE_FAILURE', 'HOSTNAME_MISMATCH',
]);

export function isUntrustedCertificateError(err: unknown): boolean {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' && UNTRUSTED_CODES.has(code);
}
