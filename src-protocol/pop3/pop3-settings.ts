/**
 * What a POP3 connection needs to know, and the defaults for what it may
 * leave out. There is no plaintext mode: the connection is TLS from the start
 * (POP3S, 995) or upgraded with STLS before anything is sent that matters.
 */
import type { Logger } from '../common/log.ts';
import { LIMITS } from '../common/limits.ts';
import type { Pop3AuthMechanism } from './pop3-auth.ts';
import type { Pop3ReaderLimits } from './pop3-response-reader.ts';

export interface Pop3Timeouts {
  /** TCP connect plus the TLS handshake (implicit TLS or after STLS). */
  connectMs: number;
  /** From connected to the server's greeting. */
  greetingMs: number;
  /** How long any command may wait without one byte from the server. */
  commandIdleMs: number;
}

export interface Pop3Settings {
  host: string;
  port: number;
  /** 'tls': TLS from the first byte. 'starttls': STLS is required; a server that does not offer it is refused. */
  security: 'tls' | 'starttls';
  user: string;
  /** The password (ignored when `accessToken` is set). */
  password?: string | undefined;
  /** An OAuth2 access token: signs in with AUTH XOAUTH2 and nothing else. */
  accessToken?: string | undefined;
  /** Asked once when the server refuses `accessToken` (revoked, or expired early): a fresh one to sign in with on a new connection. */
  renewAccessToken?: (() => Promise<string>) | undefined;
  /**
   * Allows APOP (RFC 1939) when the greeting offers it. Off by default: APOP
   * rests on MD5, and over TLS plain SASL is as safe; for servers that take
   * nothing else.
   */
  allowApop?: boolean | undefined;
  /**
   * Forces one sign-in method instead of choosing (XOAUTH2 for a token;
   * otherwise APOP when allowed and offered, SASL PLAIN when offered, else
   * USER/PASS).
   */
  authMethod?: Pop3AuthMechanism | undefined;
  /** Sends UTF8 (RFC 6856) when the server offers it, so user names and answers may be UTF-8. Default true. */
  utf8?: boolean | undefined;
  /** Extra trust anchor (PEM) for a private server; verification stays on. */
  caPem?: string | undefined;
  /** Name checked against the certificate; defaults to the host. */
  servername?: string | undefined;
  timeouts?: Partial<Pop3Timeouts> | undefined;
  /** Cancels whatever is in progress and closes the connection. */
  signal?: AbortSignal | undefined;
  logger?: Logger | undefined;
  /** Logs the conversation at debug level: commands (credentials masked) and status lines, never message content. */
  protocolLog?: boolean | undefined;
  /** Bounds on what the server may send; LIMITS by default. */
  limits?: Partial<Pop3ReaderLimits> | undefined;
}

export function resolveTimeouts(t: Partial<Pop3Timeouts> = {}): Pop3Timeouts {
  return {
    connectMs: t.connectMs ?? LIMITS.connectTimeoutMs,
    greetingMs: t.greetingMs ?? LIMITS.greetingTimeoutMs,
    commandIdleMs: t.commandIdleMs ?? LIMITS.pop3CommandIdleTimeoutMs,
  };
}

/** "The POP3 server mail.example.com:995", the subject of every message about this server. */
export function serverLabel(settings: Pick<Pop3Settings, 'host' | 'port'>): string {
  return `The POP3 server ${settings.host}:${settings.port}`;
}
