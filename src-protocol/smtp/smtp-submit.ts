/**
 * Hands a message, already built once, to the submission server. The same
 * bytes go to Sent, so nodemailer gets them `raw` and does not rebuild them.
 */
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { LIMITS } from '../common/limits.ts';
import { tlsOptions } from '../net/tls-policy.ts';
import { classifyNetworkError } from '../net/classify-error.ts';
import { PosternError } from '../common/errors.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  user: string;
  password: string;
  caPem?: string | undefined;
}

export interface SubmitResult {
  accepted: string[];
  rejected: string[];
  response: string;
}

export async function submitMessage(settings: SmtpSettings, envelope: { from: string; to: string[] }, raw: Buffer): Promise<SubmitResult> {
  const options: SMTPTransport.Options = {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    // STARTTLS, when configured, is required: never fall back to plain text.
    requireTLS: settings.security === 'starttls',
    auth: { user: settings.user, pass: settings.password },
    tls: tlsOptions(settings.host, { caPem: settings.caPem }),
    connectionTimeout: LIMITS.connectTimeoutMs,
    greetingTimeout: LIMITS.greetingTimeoutMs,
    socketTimeout: LIMITS.socketIdleTimeoutMs,
    logger: false,
  };
  const transport = nodemailer.createTransport(options);
  const server = `The SMTP server ${settings.host}:${settings.port}`;
  try {
    const info = await transport.sendMail({ envelope, raw });
    const accepted = info.accepted.map(addressOf);
    const rejected = info.rejected.map(addressOf);
    return { accepted, rejected, response: info.response };
  } catch (err) {
    const e = err as { code?: string; responseCode?: number; response?: string; rejected?: unknown[] };
    if (e.code === 'EENVELOPE' || (typeof e.responseCode === 'number' && e.responseCode >= 500 && e.code !== 'EAUTH')) {
      throw new PosternError('SEND_REJECTED', `${server} refused the message: ${e.response ?? (err as Error).message}`, { cause: err, serverText: e.response });
    }
    throw classifyNetworkError(err, server);
  } finally {
    transport.close();
  }
}

function addressOf(a: string | { address: string }): string {
  return typeof a === 'string' ? a : a.address;
}
