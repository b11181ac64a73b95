/**
 * Opens an authenticated imapflow client. TLS is implicit or STARTTLS (then
 * required: a server that does not offer it is refused, never downgraded),
 * certificates are always verified. imapflow never reconnects by itself, so
 * callers own the client and must close it.
 */
import { ImapFlow } from 'imapflow';
import type { Logger } from '../common/log.ts';
import { LIMITS } from '../common/limits.ts';
import { tlsOptions } from '../net/tls-policy.ts';
import { withTokenRetry } from '../net/token-retry.ts';
import { classifyNetworkError } from '../net/classify-error.ts';
import { PosternError } from '../common/errors.ts';

export interface ImapSettings {
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  user: string;
  /** The password (ignored when `accessToken` is set). */
  password?: string | undefined;
  /** An OAuth 2.0 access token: imapflow signs in with OAUTHBEARER or XOAUTH2, whichever the server offers. */
  accessToken?: string | undefined;
  /** Asked once when the server refuses `accessToken` (it may have been revoked or expired early): a fresh one to retry with. */
  renewAccessToken?: (() => Promise<string>) | undefined;
  caPem?: string | undefined;
  logger?: Logger | undefined;
  /** Let imapflow IDLE whenever the connection is free (push connections only). */
  idle?: boolean | undefined;
}

export async function connectImap(settings: ImapSettings): Promise<ImapFlow> {
  return withTokenRetry(settings, `The IMAP server ${settings.host}:${settings.port}`, connectOnce);
}

async function connectOnce(settings: ImapSettings): Promise<ImapFlow> {
  const client = new ImapFlow({
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    doSTARTTLS: settings.security === 'starttls' ? true : undefined,
    auth: settings.accessToken !== undefined
      ? { user: settings.user, accessToken: settings.accessToken }
      : { user: settings.user, pass: settings.password ?? '' },
    tls: tlsOptions(settings.host, { caPem: settings.caPem }),
    logger: false,
    disableAutoIdle: settings.idle !== true,
    // RFC 7162: a folder opened with our last state says what vanished and what changed since.
    qresync: true,
    // Push connections go into IDLE at once (imapflow waits 15 s by default).
    ...(settings.idle ? { maxIdleTime: LIMITS.idleRestartMs, autoIdleDelay: LIMITS.idleStartDelayMs } : {}),
    connectionTimeout: LIMITS.connectTimeoutMs,
    greetingTimeout: LIMITS.greetingTimeoutMs,
    socketTimeout: LIMITS.socketIdleTimeoutMs,
  });
  // An 'error' event without a listener would crash the process.
  client.on('error', (err: unknown) => settings.logger?.warn('imap connection error', { err }));
  try {
    await client.connect();
  } catch (err) {
    client.close();
    throw classifyNetworkError(err, `The IMAP server ${settings.host}:${settings.port}`);
  }
  return client;
}

/** Logs out politely, and closes the socket whatever happens. */
export async function closeImap(client: ImapFlow): Promise<void> {
  try {
    if (client.usable) await client.logout();
  } catch {
    // The connection is being dropped either way.
  } finally {
    client.close();
  }
}

/**
 * Runs `fn` on a connection of its own, closed after. With a signal, an
 * abort drops the connection at once: a FETCH under way cannot be stopped
 * any other way (the server keeps sending until the command ends), and what
 * `fn` stored before stays stored.
 */
export async function withImap<T>(settings: ImapSettings, fn: (client: ImapFlow) => Promise<T>, signal?: AbortSignal): Promise<T> {
  signal?.throwIfAborted();
  const client = await connectImap(settings);
  const drop = () => client.close();
  signal?.addEventListener('abort', drop, { once: true });
  try {
    return await fn(client);
  } catch (err) {
    if (signal?.aborted) throw new PosternError('CANCELLED', 'Stopped before it finished; what was already stored is kept.', { cause: err });
    throw classifyNetworkError(err, `The IMAP server ${settings.host}`);
  } finally {
    signal?.removeEventListener('abort', drop);
    await closeImap(client);
  }
}
