// A POP3 server for unit tests that says exactly what a test script tells it
// to, byte for byte and chunk by chunk, on 127.0.0.1 with an OS-picked port.
// TLS is real (a certificate from a throw-away CA, as test/servers/ca.ts
// makes it): the client under test never turns verification off, and has no
// plaintext mode to test with.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
// node:timers' own functions, not the globals a test may fake.
import { clearTimeout, setTimeout } from 'node:timers';
import { setTimeout as sleep } from 'node:timers/promises';
import tls from 'node:tls';
import { makeTestCa } from '../../../servers/ca.ts';

export interface TestCert {
  caPem: string;
  key: string;
  cert: string;
}

/** A CA and a server certificate for localhost / 127.0.0.1. */
export async function makeTestCert(): Promise<TestCert> {
  const dir = await mkdtemp(join(tmpdir(), 'postern-pop3-unit-'));
  try {
    const files = await makeTestCa(dir);
    const [caPem, key, cert] = await Promise.all([
      readFile(files.caFile, 'utf8'),
      readFile(files.keyFile, 'utf8'),
      readFile(files.certFile, 'utf8'),
    ]);
    return { caPem, key, cert };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One client connection as the script sees it. */
export class ScriptedConnection {
  #socket: net.Socket | tls.TLSSocket;
  readonly #cert: TestCert;
  #buffer = '';
  #lines: string[] = [];
  #wake: (() => void) | undefined;
  #closed = false;
  /** Every command line the client sent, in order. */
  readonly received: string[] = [];
  /** Resolves when the client's side is gone. */
  readonly closed: Promise<void>;

  constructor(socket: net.Socket | tls.TLSSocket, cert: TestCert) {
    this.#socket = socket;
    this.#cert = cert;
    let markClosed = (): void => {};
    this.closed = new Promise((resolve) => (markClosed = resolve));
    this.#listen(socket);
    socket.on('close', () => {
      this.#closed = true;
      this.#wake?.();
      markClosed();
    });
  }

  #onData = (chunk: Buffer): void => {
    this.#buffer += chunk.toString('latin1');
    let end: number;
    while ((end = this.#buffer.indexOf('\r\n')) !== -1) {
      const line = this.#buffer.slice(0, end);
      this.#buffer = this.#buffer.slice(end + 2);
      this.received.push(line);
      this.#lines.push(line);
    }
    this.#wake?.();
  };

  #listen(socket: net.Socket | tls.TLSSocket): void {
    socket.on('data', this.#onData);
    socket.on('error', () => {});
  }

  /** Writes bytes as one write (one TCP segment or TLS record on loopback). */
  send(data: string | Buffer): void {
    if (!this.#closed) this.#socket.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data);
  }

  /** Writes each piece separately with a pause, so the client receives them as separate chunks. */
  async sendChunks(pieces: ReadonlyArray<string | Buffer>, gapMs = 20): Promise<void> {
    for (const piece of pieces) {
      this.send(piece);
      await sleep(gapMs);
    }
  }

  /** The next command line from the client; rejects if the client hangs up first. */
  async nextLine(timeoutMs = 5000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    while (this.#lines.length === 0) {
      if (this.#closed) throw new Error('the client closed the connection');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('the client sent nothing');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        timer.unref();
        this.#wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.#wake = undefined;
    }
    return this.#lines.shift() as string;
  }

  /** Reads the next command and checks it, so a script fails loudly where the client went astray. */
  async expect(command: string | RegExp): Promise<string> {
    const line = await this.nextLine();
    const ok = typeof command === 'string' ? line === command : command.test(line);
    if (!ok) throw new Error(`expected ${String(command)}, the client sent ${JSON.stringify(line)}`);
    return line;
  }

  /** Reads a command and answers it. */
  async reply(command: string | RegExp, answer: string | Buffer): Promise<void> {
    await this.expect(command);
    this.send(answer);
  }

  /** The server side of STLS: everything after this is TLS. */
  async startTls(): Promise<void> {
    const plain = this.#socket;
    plain.off('data', this.#onData);
    const secure = new tls.TLSSocket(plain, { isServer: true, key: this.#cert.key, cert: this.#cert.cert });
    this.#socket = secure;
    this.#listen(secure);
    await new Promise<void>((resolve, reject) => {
      secure.once('secure', resolve);
      secure.once('error', reject);
      secure.once('close', () => reject(new Error('closed during the TLS handshake')));
    });
  }

  /** Hangs up (FIN). */
  end(): void {
    this.#socket.end();
  }
}

export type Script = (conn: ScriptedConnection) => Promise<void>;

export interface ScriptedServer {
  port: number;
  connections: ScriptedConnection[];
  /** Waits for every script to finish; returns the errors they threw. */
  scriptErrors(): Promise<unknown[]>;
  close(): Promise<void>;
}

/**
 * Starts a server that runs `script` for each connection. With implicitTls
 * the connection is TLS from the first byte (POP3S); otherwise plain, and
 * the script calls conn.startTls() after answering STLS.
 */
export async function startScriptedServer(script: Script, options: { cert: TestCert; implicitTls: boolean }): Promise<ScriptedServer> {
  const connections: ScriptedConnection[] = [];
  const runs: Array<Promise<unknown>> = [];
  const sockets = new Set<net.Socket>();
  const onConnection = (socket: net.Socket): void => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    const conn = new ScriptedConnection(socket, options.cert);
    connections.push(conn);
    runs.push(
      script(conn).then(
        () => undefined,
        (err: unknown) => err,
      ),
    );
  };
  const server = options.implicitTls
    ? tls.createServer({ key: options.cert.key, cert: options.cert.cert }, onConnection)
    : net.createServer(onConnection);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    connections,
    async scriptErrors() {
      const results = await Promise.all(runs);
      return results.filter((r) => r !== undefined);
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A multi-line answer as a server sends it: dot-stuffed, CRLF.CRLF at the end. */
export function multiLine(status: string, body: Buffer | string): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body;
  const stuffed = stuff(bytes);
  return Buffer.concat([Buffer.from(`${status}\r\n`, 'latin1'), stuffed, Buffer.from('.\r\n', 'latin1')]);
}

/** RFC 1939 byte-stuffing: a "." is added to every line (after CRLF) that begins with ".". */
export function stuff(body: Buffer): Buffer {
  const out: number[] = [];
  let lineStart = true;
  for (let i = 0; i < body.length; i++) {
    const byte = body[i] as number;
    if (lineStart && byte === 0x2e) out.push(0x2e);
    out.push(byte);
    lineStart = byte === 0x0a && i > 0 && body[i - 1] === 0x0d;
  }
  return Buffer.from(out);
}

export const CAPS = ['USER', 'UIDL', 'TOP', 'RESP-CODES', 'PIPELINING'];

export function capaAnswer(caps: readonly string[]): string {
  return `+OK Capability list follows\r\n${caps.map((c) => `${c}\r\n`).join('')}.\r\n`;
}

/**
 * The usual opening on an implicit-TLS connection: greeting, CAPA,
 * USER/PASS, CAPA again. The client signs in as alice / secret-pw.
 */
export async function openSession(conn: ScriptedConnection, caps: readonly string[] = CAPS, greeting = '+OK POP3 ready'): Promise<void> {
  conn.send(`${greeting}\r\n`);
  await conn.reply('CAPA', capaAnswer(caps));
  await conn.reply('USER alice', '+OK\r\n');
  await conn.reply('PASS secret-pw', '+OK Logged in.\r\n');
  await conn.reply('CAPA', capaAnswer(caps));
}
