/**
 * Asks a submission server what it accepts (RFC 5321 EHLO, RFC 1870 SIZE)
 * without sending anything: connect, EHLO, STARTTLS when configured (then
 * EHLO again, as the answer before TLS is not to be trusted), QUIT. So a
 * person hears that 30 MB is too much before uploading it, not after.
 */
import net from 'node:net';
import tls from 'node:tls';
import { PosternError } from '../common/errors.ts';
import { LIMITS } from '../common/limits.ts';
import { tlsOptions } from '../net/tls-policy.ts';
import { classifyNetworkError } from '../net/classify-error.ts';

export interface EhloInfo {
  /** The SIZE limit in bytes; null when the server states none (or 0: no fixed limit). */
  maxSize: number | null;
  extensions: string[];
}

export async function probeEhlo(settings: { host: string; port: number; security: 'tls' | 'starttls'; caPem?: string | undefined }): Promise<EhloInfo> {
  const server = `The SMTP server ${settings.host}:${settings.port}`;
  const options = tlsOptions(settings.host, { caPem: settings.caPem });
  let socket: net.Socket = settings.security === 'tls'
    ? tls.connect({ host: settings.host, port: settings.port, ...options })
    : net.connect({ host: settings.host, port: settings.port });
  const lines = new LineReader();
  let timer: NodeJS.Timeout | undefined;
  const fail = (err: unknown) => classifyNetworkError(err, server);
  try {
    socket.setTimeout(LIMITS.connectTimeoutMs);
    const read = () => new Promise<string[]>((resolve, reject) => {
      timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })), LIMITS.greetingTimeoutMs);
      lines.wait(resolve, reject);
    });
    const attach = (s: net.Socket) => {
      s.on('data', (d: Buffer) => lines.push(d));
      s.on('error', (e) => lines.fail(e));
      s.on('close', () => lines.fail(Object.assign(new Error('closed'), { code: 'ECONNRESET' })));
    };
    attach(socket);
    const command = async (cmd: string) => {
      socket.write(`${cmd}\r\n`);
      const reply = await read();
      clearTimeout(timer);
      return reply;
    };
    const greeting = await read();
    clearTimeout(timer);
    if (!greeting[0]?.startsWith('220')) throw new PosternError('PROTOCOL', `${server} greeted with: ${greeting.join(' ')}`);
    let ehlo = await command('EHLO postern.invalid');
    if (settings.security === 'starttls') {
      if (!ehlo.some((l) => /^250[- ]STARTTLS\b/i.test(l))) throw new PosternError('TLS_FAILED', `${server} does not offer STARTTLS, which this account requires.`);
      const ok = await command('STARTTLS');
      if (!ok[0]?.startsWith('220')) throw new PosternError('TLS_FAILED', `${server} refused STARTTLS: ${ok.join(' ')}`);
      socket.removeAllListeners('data');
      const plain = socket;
      socket = await new Promise<tls.TLSSocket>((resolve, reject) => {
        const secure = tls.connect({ socket: plain, ...options }, () => resolve(secure));
        secure.once('error', reject);
      });
      attach(socket);
      ehlo = await command('EHLO postern.invalid');
    }
    if (!ehlo[0]?.startsWith('250')) throw new PosternError('PROTOCOL', `${server} answered EHLO with: ${ehlo.join(' ')}`);
    socket.write('QUIT\r\n');
    const extensions = ehlo.slice(1).map((l) => l.slice(4).trim());
    const size = extensions.map((e) => /^SIZE(?:\s+(\d+))?$/i.exec(e)).find((m) => m !== null);
    const n = size?.[1] ? Number(size[1]) : 0;
    return { maxSize: n > 0 ? n : null, extensions };
  } catch (err) {
    throw err instanceof PosternError ? err : fail(err);
  } finally {
    clearTimeout(timer);
    socket.destroy();
  }
}

/** Collects reply lines until a final line ("250 ..." without the dash). */
class LineReader {
  #buffer = '';
  #lines: string[] = [];
  readonly #ready: string[][] = [];
  #waiter: { resolve: (l: string[]) => void; reject: (e: unknown) => void } | null = null;
  #error: unknown = null;

  push(data: Buffer): void {
    this.#buffer += data.toString('latin1');
    if (this.#buffer.length > 64 * 1024) return this.fail(new PosternError('PROTOCOL', 'The SMTP server sent an endless reply.'));
    let i: number;
    while ((i = this.#buffer.indexOf('\n')) !== -1) {
      const line = this.#buffer.slice(0, i).replace(/\r$/, '');
      this.#buffer = this.#buffer.slice(i + 1);
      this.#lines.push(line);
      if (/^\d{3} /.test(line) || /^\d{3}$/.test(line)) {
        const reply = this.#lines;
        this.#lines = [];
        const w = this.#waiter;
        this.#waiter = null;
        if (w) w.resolve(reply);
        else this.#ready.push(reply);
      }
    }
  }

  fail(err: unknown): void {
    this.#error ??= err;
    const w = this.#waiter;
    this.#waiter = null;
    w?.reject(err);
  }

  wait(resolve: (l: string[]) => void, reject: (e: unknown) => void): void {
    const ready = this.#ready.shift();
    if (ready) return resolve(ready);
    if (this.#error) return reject(this.#error);
    this.#waiter = { resolve, reject };
  }
}
