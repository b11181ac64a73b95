/**
 * Hands a message, already built once, to the submission server. The same
 * bytes go to Sent, so nodemailer gets them `raw` and does not rebuild them.
 */
import { Readable } from 'node:stream';
import nodemailer from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport';
import { LIMITS } from '../common/limits.ts';
import { tlsOptions } from '../net/tls-policy.ts';
import { withTokenRetry } from '../net/token-retry.ts';
import { classifyNetworkError } from '../net/classify-error.ts';
import { PosternError } from '../common/errors.ts';

export interface SmtpSettings {
  host: string;
  port: number;
  security: 'tls' | 'starttls';
  user: string;
  /** The password (ignored when `accessToken` is set). */
  password?: string | undefined;
  /** An OAuth 2.0 access token: AUTH XOAUTH2 instead of a password. */
  accessToken?: string | undefined;
  /** Asked once when the server refuses `accessToken`: a fresh one to retry with (nothing was sent yet). */
  renewAccessToken?: (() => Promise<string>) | undefined;
  caPem?: string | undefined;
  /** A SASL mechanism to insist on for password sign-in; absent: nodemailer's choice among what the server offers. */
  auth_method?: 'PLAIN' | 'LOGIN' | 'CRAM-MD5' | undefined;
}

export interface SubmitResult {
  accepted: string[];
  rejected: string[];
  response: string;
}

/** Bytes handed to the connection so far, of the message's total; called as the upload goes. */
export type UploadProgress = (sent: number, total: number) => void;

export async function submitMessage(settings: SmtpSettings, envelope: { from: string; to: string[] }, raw: Buffer, onProgress?: UploadProgress): Promise<SubmitResult> {
  // AUTH comes before MAIL FROM, so a refused token means nothing was sent: trying again cannot send twice.
  return withTokenRetry(settings, `The SMTP server ${settings.host}:${settings.port}`, (s) => submitOnce(s, envelope, raw, onProgress));
}

async function submitOnce(settings: SmtpSettings, envelope: { from: string; to: string[] }, raw: Buffer, onProgress?: UploadProgress): Promise<SubmitResult> {
  const options: SMTPTransport.Options = {
    host: settings.host,
    port: settings.port,
    secure: settings.security === 'tls',
    // STARTTLS, when configured, is required: never fall back to plain text.
    requireTLS: settings.security === 'starttls',
    auth: settings.accessToken !== undefined
      ? { type: 'OAuth2', user: settings.user, accessToken: settings.accessToken }
      : { user: settings.user, pass: settings.password ?? '', ...(settings.auth_method ? { method: settings.auth_method } : {}) },
    tls: tlsOptions(settings.host, { caPem: settings.caPem }),
    connectionTimeout: LIMITS.connectTimeoutMs,
    greetingTimeout: LIMITS.greetingTimeoutMs,
    socketTimeout: LIMITS.socketIdleTimeoutMs,
    logger: false,
  };
  const transport = nodemailer.createTransport(options);
  const server = `The SMTP server ${settings.host}:${settings.port}`;
  try {
    const info = await transport.sendMail({ envelope, raw: onProgress ? countingStream(raw, onProgress) : raw });
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

/**
 * The message as a stream that reports how much of it the connection has
 * taken. nodemailer pulls from it only as fast as the socket drains, so what
 * was read is what was sent, give or take the socket's buffers.
 */
function countingStream(raw: Buffer, onProgress: UploadProgress): Readable {
  let offset = 0;
  let lastReport = -1;
  return new Readable({
    highWaterMark: LIMITS.smtpUploadChunkBytes,
    read() {
      if (offset >= raw.length) {
        this.push(null);
        return;
      }
      const end = Math.min(raw.length, offset + LIMITS.smtpUploadChunkBytes);
      this.push(raw.subarray(offset, end));
      offset = end;
      // One report per progress step (and the last), not one per chunk.
      const step = Math.floor((offset / raw.length) * 100);
      if (step !== lastReport) {
        lastReport = step;
        onProgress(offset, raw.length);
      }
    },
  });
}

function addressOf(a: string | { address: string }): string {
  return typeof a === 'string' ? a : a.address;
}
