/**
 * From nothing to a signed-in POP3 session: connect (TLS at once, or plain
 * then STLS), greeting, CAPA, STLS, UTF8, sign-in. With security 'starttls'
 * TLS is required: a server whose CAPA lacks STLS, or that refuses it, is
 * left before any credential is sent. Never downgraded, never unverified.
 */
import { PosternError } from '../common/errors.ts';
import { tlsOptions } from '../net/tls-policy.ts';
import { authenticate } from './pop3-auth.ts';
import { parseCapabilities, type Pop3Capabilities } from './pop3-capabilities.ts';
import { Pop3Client } from './pop3-client.ts';
import { withTokenRetry } from '../net/token-retry.ts';
import { errorFromResponse } from './pop3-errors.ts';
import { resolveTimeouts, serverLabel, type Pop3Settings } from './pop3-settings.ts';
import { Pop3Transport, type WireDirection } from './pop3-transport.ts';

export async function connectPop3(settings: Pop3Settings): Promise<Pop3Client> {
  return withTokenRetry(settings, serverLabel(settings), connectOnce);
}

async function connectOnce(settings: Pop3Settings): Promise<Pop3Client> {
  if (settings.security !== 'tls' && settings.security !== 'starttls') {
    throw new PosternError('BAD_INPUT', `POP3 security must be "tls" or "starttls", not ${JSON.stringify(settings.security)}.`);
  }
  const server = serverLabel(settings);
  const timeouts = resolveTimeouts(settings.timeouts);
  const tls = tlsOptions(settings.host, { caPem: settings.caPem, servername: settings.servername });
  const log = settings.logger?.child({ pop3: `${settings.host}:${settings.port}` });
  const onWire = settings.protocolLog && log
    ? (direction: WireDirection, text: string) => log.debug(`pop3 ${direction}`, { line: text })
    : undefined;

  const t = await Pop3Transport.connect({
    host: settings.host,
    port: settings.port,
    implicitTls: settings.security === 'tls',
    tls,
    connectTimeoutMs: timeouts.connectMs,
    server,
    signal: settings.signal,
    readerLimits: settings.limits,
    onWire,
  });
  try {
    const idle = timeouts.commandIdleMs;
    const greeting = await t.read(timeouts.greetingMs, 'greeting');
    if (greeting.status !== 'ok') throw errorFromResponse(greeting, server, { kind: 'greeting' });

    let capabilities = await askCapabilities(t, idle);
    if (settings.security === 'starttls') {
      if (capabilities && !capabilities.has('STLS')) {
        throw new PosternError(
          'TLS_FAILED',
          `${server} does not offer STLS, so the connection cannot be encrypted. Postern does not sign in without TLS; try POP3S (port 995) if the server has it.`,
        );
      }
      const r = await t.command('STLS', false, { timeoutMs: idle, what: 'STLS' });
      if (r.status !== 'ok') {
        throw new PosternError('TLS_FAILED', `${server} refused STLS${r.text ? `: "${r.text}"` : ''}. Postern does not sign in without TLS.`, { serverText: r.text });
      }
      await t.startTls(tls, timeouts.connectMs);
      // What the server said before TLS could have been forged (RFC 2595): ask again.
      capabilities = await askCapabilities(t, idle);
    }

    let utf8 = false;
    if ((settings.utf8 ?? true) && capabilities?.has('UTF8')) {
      utf8 = (await t.command('UTF8', false, { timeoutMs: idle, what: 'UTF8' })).status === 'ok';
    }

    const credentials = { ...settings, method: settings.authMethod };
    const mechanism = await authenticate(t, credentials, { greeting, capabilities, server, timeoutMs: idle });
    // Capabilities may differ once signed in (RFC 2449 section 5).
    if (capabilities) capabilities = (await askCapabilities(t, idle)) ?? capabilities;
    log?.info('pop3 signed in', { mechanism, encrypted: t.encrypted });
    return new Pop3Client(t, server, idle, { greeting: greeting.text, capabilities, mechanism, utf8 });
  } catch (err) {
    t.close();
    throw err;
  }
}

/** CAPA's answer, or undefined for a server that has no CAPA (-ERR). */
async function askCapabilities(t: Pop3Transport, timeoutMs: number): Promise<Pop3Capabilities | undefined> {
  const r = await t.command('CAPA', true, { timeoutMs, what: 'CAPA' });
  return r.status === 'ok' && r.body ? parseCapabilities(r.body) : undefined;
}
