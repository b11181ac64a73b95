// Putting mail into the test servers over SMTP, and knowing when it has
// arrived: Postfix answers "queued as QID", and its log says when that queue
// file was delivered to Dovecot (status=sent means LMTP has saved it).
import net from 'node:net';
import { open, stat } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import nodemailer from 'nodemailer';
import type { TestServers, TestUser } from './harness.ts';

export interface RecipientResult {
  to: string;
  status: 'sent' | 'bounced' | 'deferred' | 'expired';
  /** Postfix's log text for this recipient, e.g. `sent (250 2.0.0 <bob@example.test> ... Saved)`. */
  detail: string;
}

export interface DeliveryReport {
  queueId: string;
  recipients: RecipientResult[];
}

async function logSize(servers: TestServers): Promise<number> {
  try {
    return (await stat(servers.paths.postfixLog)).size;
  } catch {
    return 0;
  }
}

async function readFrom(file: string, offset: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    if (size <= offset) return '';
    const buf = Buffer.alloc(size - offset);
    await handle.read(buf, 0, buf.length, offset);
    return buf.toString('utf8');
  } finally {
    await handle.close();
  }
}

function queueIdOf(response: string): string {
  const match = /queued as ([0-9A-Za-z]+)/.exec(response);
  if (match?.[1] === undefined) throw new Error(`Postfix did not say which queue id it used: ${response}`);
  return match[1];
}

/**
 * Waits until Postfix has finished with a queue file (its "removed" line) and
 * returns what happened to each recipient. A deferral fails at once: in these
 * tests it always means something is broken (Dovecot down, bad socket path).
 */
export async function waitForQueueFile(
  servers: TestServers,
  queueId: string,
  logOffset: number,
  timeoutMs = 15_000,
): Promise<DeliveryReport> {
  const deadline = Date.now() + timeoutMs;
  const status = new RegExp(`: ${queueId}: to=<([^>]*)>.*? status=(\\w+) (.*)$`);
  for (;;) {
    const lines = (await readFrom(servers.paths.postfixLog, logOffset)).split('\n');
    const recipients: RecipientResult[] = [];
    for (const line of lines) {
      const m = status.exec(line);
      if (m?.[1] !== undefined && m[2] !== undefined && m[3] !== undefined) {
        recipients.push({ to: m[1], status: m[2] as RecipientResult['status'], detail: `${m[2]} ${m[3]}` });
      }
    }
    const deferred = recipients.find((r) => r.status === 'deferred');
    if (deferred !== undefined) throw new Error(`delivery of ${queueId} to ${deferred.to} was deferred: ${deferred.detail}`);
    if (lines.some((line) => line.endsWith(`: ${queueId}: removed`))) return { queueId, recipients };
    if (Date.now() > deadline) {
      // Say what Postfix said about it, and any trouble it reported meanwhile.
      const said = lines.filter((line) => line.includes(queueId) || /warning|fatal|error/.test(line)).slice(-15);
      throw new Error(
        `message ${queueId} was not delivered within ${timeoutMs} ms (${servers.paths.postfixLog}):\n${said.join('\n')}`,
      );
    }
    await sleep(20);
  }
}

function throwUnlessAllSent(report: DeliveryReport): DeliveryReport {
  const failed = report.recipients.filter((r) => r.status !== 'sent');
  if (failed.length > 0) {
    throw new Error(`not delivered: ${failed.map((r) => `${r.to}: ${r.detail}`).join('; ')}`);
  }
  return report;
}

/**
 * Injects a message as "incoming" mail through the MX port (plain SMTP on
 * loopback, no auth), then waits until every recipient has it in its INBOX.
 * Recipients must be @example.test users; anything else is refused at RCPT.
 */
export async function deliver(
  servers: TestServers,
  rawMessage: Buffer | string,
  to: readonly string[],
  from = 'sender@example.net',
): Promise<DeliveryReport> {
  const offset = await logSize(servers);
  const transport = nodemailer.createTransport({
    host: servers.host,
    port: servers.ports.mx,
    secure: false,
    ignoreTLS: true,
    name: 'injector.example.net',
  });
  try {
    const info = await transport.sendMail({ envelope: { from, to: [...to] }, raw: rawMessage });
    return throwUnlessAllSent(await waitForQueueFile(servers, queueIdOf(info.response), offset));
  } finally {
    transport.close();
  }
}

/**
 * Sends a message the way a mail client does: submission with STARTTLS (or
 * submissions with implicit TLS), AUTH as `user`, certificate checked against
 * the test CA. Resolves once Postfix has finished with it; mail to other
 * domains bounces back into the sender's INBOX, so the report can say bounced.
 */
export async function submit(
  servers: TestServers,
  user: TestUser,
  rawMessage: Buffer | string,
  to: readonly string[],
  options: { port?: 'submission' | 'submissions'; from?: string } = {},
): Promise<DeliveryReport> {
  const implicit = options.port === 'submissions';
  const offset = await logSize(servers);
  const transport = nodemailer.createTransport({
    host: servers.host,
    port: implicit ? servers.ports.submissions : servers.ports.submission,
    secure: implicit,
    requireTLS: !implicit,
    auth: { user: user.user, pass: user.password },
    tls: { ca: servers.caPem, servername: 'localhost' },
    name: 'client.example.test',
  });
  try {
    const info = await transport.sendMail({ envelope: { from: options.from ?? user.email, to: [...to] }, raw: rawMessage });
    return await waitForQueueFile(servers, queueIdOf(info.response), offset);
  } finally {
    transport.close();
  }
}

/** One SMTP conversation on the MX port: is `address` accepted at RCPT TO? */
export function mxAccepts(servers: TestServers, address: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: servers.host, port: servers.ports.mx });
    const commands = ['EHLO probe.example.net', 'MAIL FROM:<>', `RCPT TO:<${address}>`, 'QUIT'];
    let buffered = '';
    let step = 0;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('SMTP probe timed out'));
    }, 10_000);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      buffered += chunk;
      // A reply is complete at a line "NNN text" (no dash after the code).
      for (;;) {
        const end = buffered.search(/^\d{3} .*\r\n/m);
        if (end === -1) return;
        const lineEnd = buffered.indexOf('\r\n', end);
        const reply = buffered.slice(end, lineEnd);
        buffered = buffered.slice(lineEnd + 2);
        if (step === 3) {
          // Reply to RCPT (step 0 was the greeting).
          const accepted = reply.startsWith('250');
          clearTimeout(timer);
          socket.end('QUIT\r\n');
          resolve(accepted);
          return;
        }
        const command = commands[step];
        step += 1;
        if (command !== undefined) socket.write(`${command}\r\n`);
      }
    });
    socket.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    socket.once('close', () => {
      clearTimeout(timer);
      // Settled already unless the server hung up before answering RCPT.
      reject(new Error(`the MX port closed the connection before answering RCPT TO:<${address}>`));
    });
  });
}
