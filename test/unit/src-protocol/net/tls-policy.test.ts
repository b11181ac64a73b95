// The TLS options are checked as data and, more to the point, by real
// handshakes against a local TLS server whose certificate a throw-away CA
// signed (SANs: DNS:localhost, IP:127.0.0.1).
import { readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, createServer, rootCertificates, type Server, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isUntrustedCertificateError, tlsOptions, trustAnchors, type NodeTlsOptions } from '../../../../src-protocol/net/tls-policy.ts';
import { makeTestCa } from '../../../servers/ca.ts';

let dir: string;
let caPem: string;
let server: Server;
let port: number;
/** The SNI name each accepted connection carried (false: none). */
const sniSeen: (string | false)[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'postern-tls-'));
  const tls = await makeTestCa(dir);
  caPem = await readFile(tls.caFile, 'utf8');
  server = createServer({ cert: await readFile(tls.certFile), key: await readFile(tls.keyFile) }, (socket) => {
    sniSeen.push((socket as TLSSocket & { servername: string | false }).servername);
    socket.on('error', () => undefined);
    socket.end('* OK hello\r\n');
  });
  // Failed handshakes end up here; they are what some tests expect.
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await rm(dir, { recursive: true, force: true });
});

type Outcome = { ok: true; greeting: string; sni: string | false | undefined } | { ok: false; error: Error & { code?: string } };

/** Connects to the local server (always 127.0.0.1) with the options the policy gives. */
function handshake(options: NodeTlsOptions): Promise<Outcome> {
  const before = sniSeen.length;
  return new Promise((resolve) => {
    const socket = connect({ ...options, host: '127.0.0.1', port });
    let data = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (data += chunk));
    socket.on('end', () => resolve({ ok: true, greeting: data, sni: sniSeen[before] }));
    socket.on('error', (error) => resolve({ ok: false, error }));
  });
}

describe('tlsOptions as data', () => {
  it('always verifies certificates and asks for TLS 1.2 or newer', () => {
    for (const options of [tlsOptions('imap.example.com'), tlsOptions('10.0.0.1', { caPem: 'PEM' }), tlsOptions('x', { servername: 'y' })]) {
      expect(options.rejectUnauthorized).toBe(true);
      expect(options.minVersion).toBe('TLSv1.2');
    }
  });

  it('without a CA, leaves Node\'s system roots in charge', () => {
    expect(tlsOptions('imap.example.com')).not.toHaveProperty('secureContext');
  });

  it('with a CA, adds it to the system roots instead of replacing them', () => {
    const anchors = trustAnchors('MY-CA');
    expect(anchors).toHaveLength(rootCertificates.length + 1);
    expect(anchors.slice(0, -1)).toEqual([...rootCertificates]);
    expect(anchors.at(-1)).toBe('MY-CA');
  });

  it('builds the context of a CA once and shares it; another CA gets its own', async () => {
    const other = await readFile((await makeTestCa(join(dir, 'other'))).caFile, 'utf8');
    const first = tlsOptions('localhost', { caPem }).secureContext;
    expect(first).toBeDefined();
    expect(tlsOptions('imap.example.com', { caPem }).secureContext).toBe(first);
    expect(tlsOptions('localhost', { caPem: other }).secureContext).not.toBe(first);
    // Each trusts its own CA only: the server's certificate is refused under the other one.
    expect((await handshake(tlsOptions('localhost', { caPem }))).ok).toBe(true);
    expect((await handshake(tlsOptions('localhost', { caPem: other }))).ok).toBe(false);
  });

  it('sets the SNI name for host names, and never for IP literals', () => {
    expect(tlsOptions('imap.example.com').servername).toBe('imap.example.com');
    expect(tlsOptions('localhost').servername).toBe('localhost');
    expect(tlsOptions('127.0.0.1')).not.toHaveProperty('servername');
    expect(tlsOptions('::1')).not.toHaveProperty('servername');
    expect(tlsOptions('2001:db8::25')).not.toHaveProperty('servername');
    expect(tlsOptions('10.0.0.1', { servername: 'mail.example.org' }).servername).toBe('mail.example.org');
  });
});

describe('tlsOptions in real handshakes', () => {
  it('trusts a private server once its CA is given', async () => {
    const result = await handshake(tlsOptions('localhost', { caPem }));
    expect(result).toMatchObject({ ok: true, greeting: '* OK hello\r\n', sni: 'localhost' });
  });

  it('refuses the same server without its CA, with an error recognised as an untrusted certificate', async () => {
    const result = await handshake(tlsOptions('localhost'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    expect(isUntrustedCertificateError(result.error)).toBe(true);
  });

  it('checks the name even with the CA given: a certificate for another name is refused', async () => {
    const result = await handshake(tlsOptions('127.0.0.1', { caPem, servername: 'mail.example.org' }));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.error.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
    expect(isUntrustedCertificateError(result.error)).toBe(true);
  });

  it('an IP literal is verified against the certificate\'s IP address and sends no SNI', async () => {
    const result = await handshake(tlsOptions('127.0.0.1', { caPem }));
    expect(result).toMatchObject({ ok: true, sni: false });
  });
});

describe('isUntrustedCertificateError', () => {
  it('knows Node\'s certificate codes and nothing else', () => {
    for (const code of ['SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      expect(isUntrustedCertificateError(Object.assign(new Error('x'), { code })), code).toBe(true);
    }
    for (const value of [new Error('plain'), Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), null, undefined, 'CERT_HAS_EXPIRED', { code: 42 }]) {
      expect(isUntrustedCertificateError(value)).toBe(false);
    }
  });
});
