// A throw-away certificate authority per test run, made with openssl: the
// servers present a certificate it signed, and clients trust only the CA file.
// Nobody ever turns certificate verification off.
import { mkdir, readFile, writeFile, chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from './proc.ts';

export interface TestTls {
  /** The CA certificate clients trust (PEM file). */
  caFile: string;
  /** The server certificate: SANs DNS:localhost (or the names asked for) and IP:127.0.0.1, signed by the CA. */
  certFile: string;
  /** The server's private key (mode 600, read by the daemons while still root). */
  keyFile: string;
}

/**
 * Makes `dir`/ca.pem, `dir`/server.pem and `dir`/server.key. EC P-256 keeps key generation fast.
 * `dnsNames`: the names the server certificate is for (a test that stands in for other hosts).
 */
export async function makeTestCa(dir: string, dnsNames: readonly string[] = ['localhost']): Promise<TestTls> {
  await mkdir(dir, { recursive: true });
  const caKey = join(dir, 'ca.key');
  const caFile = join(dir, 'ca.pem');
  const keyFile = join(dir, 'server.key');
  const csr = join(dir, 'server.csr');
  const certFile = join(dir, 'server.pem');
  const ext = join(dir, 'server.ext');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  await run('openssl', [
    'req', '-x509', ...ec, '-keyout', caKey, '-out', caFile, '-days', '7', '-subj', '/CN=Postern Test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await run('openssl', ['req', '-new', ...ec, '-keyout', keyFile, '-out', csr, '-subj', `/CN=${dnsNames[0] ?? 'localhost'}`]);
  await writeFile(
    ext,
    [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
      `subjectAltName=${dnsNames.map((n) => `DNS:${n}`).join(',')},IP:127.0.0.1`,
      '',
    ].join('\n'),
  );
  await run('openssl', [
    'x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial',
    '-out', certFile, '-days', '7', '-extfile', ext,
  ]);
  await chmod(caKey, 0o600);
  await chmod(keyFile, 0o600);
  // Sanity: the CA file is PEM, or every client test would fail confusingly.
  const pem = await readFile(caFile, 'utf8');
  if (!pem.includes('BEGIN CERTIFICATE')) throw new Error(`openssl wrote no certificate to ${caFile}`);
  return { caFile, certFile, keyFile };
}
